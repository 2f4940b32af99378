import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { App, Process } from '../../../shared/app-model';
import { MemoryQuantitySchema, type OperationResult } from '../../../shared/contract';
import { formatBytes, plural } from '../../../shared/format';
import type { MemoryLimitPlan } from '../../../shared/memory-limit-plan';
import { useGuardedDraft } from '../state/guarded-draft';
import { useOperation } from '../state/useOperation';
import { ConfirmDialog } from './ConfirmDialog';
import { GuardedWriteError } from './ErrorNotice';
import { GitOpsNotice } from './GitOpsNotice';
import { KubectlCommand } from './KubectlCommand';
import './MemoryLimitEditor.css';

interface MemoryLimitEditorProps {
  app: App;
  process: Process;
  /**
   * A limit to start from (the OOM banner's or the advice's recommendation, as a quantity such as
   * `12Gi`); the plan is shown for it at once. Undefined: the field starts empty.
   */
  initialLimit?: string;
  onClose: () => void;
  /** The change was accepted by main; progress follows from the operation events. */
  onSaved: (result: OperationResult) => void;
}

/** How long the admin pauses typing before main is asked what the limit would do. */
export const PLAN_DEBOUNCE_MS = 300;

/** The limit per replica a new replica gets now: what the admin sees and main guards. */
function liveLimitBytes(process: Process): number {
  return process.memoryLimit.next?.bytes ?? process.memoryLimit.bytes;
}

const SOURCE_WORDS: Record<Process['memoryLimit']['source'], string> = {
  container: 'its own limit',
  limitrange: 'the namespace default',
  default: 'the built-in default',
};

/** Why Save cannot go ahead with this plan; null where it can. */
function refusalOf(plan: MemoryLimitPlan, process: Process): string | null {
  if (plan.quota && !plan.quota.fits) {
    return `Over the namespace quota on ${plan.quota.resource}: ${formatBytes(plan.quota.afterBytes)} of ${formatBytes(plan.quota.hardBytes)}.`;
  }
  if (plan.fitsNode && !plan.fitsNode.fits) {
    return `No node has room for a replica (the most free on a node is ${formatBytes(plan.fitsNode.largestFreeBytes)}).`;
  }
  const unchanged =
    process.memoryLimit.source === 'container' &&
    process.memoryLimit.next === null &&
    plan.limitBytes === process.memoryLimit.bytes &&
    !plan.requestLowered;
  if (unchanged) return `${process.name} already runs with ${plan.limit} per replica.`;
  return null;
}

/**
 * The memory limit per replica of one process, in Edit Resources: a Kubernetes quantity typed
 * freely, what it would do shown as the admin types (main's plan, asked after a pause: the new
 * app maximum, node room, the quota, the request lowered with it, the pods replaced, the kubectl
 * command), then Save, a confirmation naming the pods replaced, and where the replicas are
 * predicted to pass the new limit an explicit acknowledgement first.
 */
export function MemoryLimitEditor({
  app,
  process,
  initialLimit,
  onClose,
  onSaved,
}: MemoryLimitEditorProps) {
  const draftKey = `memory-limit:${app.id}/${process.name}`;
  const live = liveLimitBytes(process);
  const { draft, setDraft, seen } = useGuardedDraft(draftKey, live);
  const text = draft ?? '';
  const plan = useOperation('process.planMemoryLimit');
  const save = useOperation('process.setMemoryLimit');
  const [acknowledged, setAcknowledged] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const feedbackId = useId();

  // A recommendation opens the editor filled in: it is the admin's draft from then on.
  useEffect(() => {
    if (initialLimit !== undefined) setDraft(initialLimit);
    // Only when a new recommendation arrives, not on every redraw.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initialLimit]);

  const trimmed = text.trim();
  const syntax = trimmed === '' ? null : MemoryQuantitySchema.safeParse(trimmed);
  const syntaxMessage = syntax && !syntax.success ? syntax.error.issues[0]?.message : null;
  const { run: runPlan, clear: clearPlan } = plan;

  // The plan is main's (quantities read by client-node, nodes and quota from the cluster): asked
  // once the admin pauses, so a burst of keystrokes costs one request.
  useEffect(() => {
    if (!syntax?.success) {
      clearPlan();
      return;
    }
    const timer = setTimeout(() => {
      void runPlan({
        namespace: app.namespace,
        app: app.name,
        process: process.name,
        limit: trimmed,
      });
    }, PLAN_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // syntax follows trimmed; the plan is asked again when the limit on the cluster moves.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [trimmed, live, app.namespace, app.name, process.name, runPlan, clearPlan]);

  const current = plan.value !== null && plan.value.limit === trimmed ? plan.value : null;
  const refusal = current ? refusalOf(current, process) : null;
  const needsAck = current?.predictedOverLimit ?? false;
  const denied = app.permissions.patch.state === 'denied';
  const reason = denied
    ? (app.permissions.patch.reason ?? 'You may not change this process.')
    : trimmed === ''
      ? 'Type a memory limit, such as 12Gi.'
      : syntaxMessage
        ? syntaxMessage
        : plan.error
          ? plan.error.message
          : !current
            ? 'Working out what this limit would do…'
            : refusal
              ? refusal
              : needsAck && !acknowledged
                ? 'Confirm above that you accept the risk of OOMKills.'
                : null;
  const canSave = reason === null && !save.pending;

  const send = async (force: boolean) => {
    if (!current) return;
    setConfirming(false);
    const result = await save.run({
      namespace: app.namespace,
      app: app.name,
      process: process.name,
      limit: current.limit,
      ...(seen === null ? {} : { expectedLimitBytes: seen }),
      ...(needsAck ? { acknowledgeRisk: true } : {}),
      ...(force ? { force: true } : {}),
    });
    if (result.ok) {
      setDraft(undefined);
      onSaved(result.value);
    }
  };

  const askToSave = () => {
    if (!canSave || !current) return;
    // Replacing pods disturbs a running app: named before it happens.
    if (current.replacesPods > 0) setConfirming(true);
    else void send(false);
  };

  const cancel = () => {
    setDraft(undefined);
    onClose();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      askToSave();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  };

  return (
    <div
      className="editor-panel memory-limit-editor"
      role="group"
      aria-label={`Memory limit of ${process.name}`}
    >
      <div className="memory-limit-editor__row">
        <label className="field-label memory-limit-editor__label" htmlFor={inputId}>
          Memory limit per replica
        </label>
        <input
          id={inputId}
          className="input memory-limit-editor__input numeric"
          type="text"
          inputMode="text"
          spellCheck={false}
          autoComplete="off"
          placeholder="e.g. 12Gi"
          aria-invalid={syntaxMessage !== null && syntaxMessage !== undefined}
          aria-describedby={`${hintId} ${feedbackId}`}
          value={text}
          onChange={(event) => {
            setAcknowledged(false);
            setDraft(event.target.value);
          }}
          onKeyDown={onKeyDown}
        />
        <span id={hintId} className="muted memory-limit-editor__hint">
          Now {formatBytes(live)} (
          {SOURCE_WORDS[process.memoryLimit.next?.source ?? process.memoryLimit.source]}). Units:
          Mi, Gi (binary) or M, G (decimal).
        </span>
        <div className="memory-limit-editor__actions">
          <button
            type="button"
            className="button button--primary"
            onClick={askToSave}
            disabled={!canSave}
            aria-busy={save.pending}
            title={reason ?? undefined}
          >
            {save.pending && <span className="spinner" aria-hidden="true" />}
            Save limit
          </button>
          <button type="button" className="button" onClick={cancel}>
            Cancel
          </button>
        </div>
      </div>
      <div id={feedbackId} aria-live="polite" className="memory-limit-editor__feedback">
        {syntaxMessage ? (
          <p className="memory-limit-editor__message" role="alert">
            {syntaxMessage}
          </p>
        ) : plan.error ? (
          <p className="memory-limit-editor__message" role="alert">
            {plan.error.message}
          </p>
        ) : current ? (
          <PlanEffect app={app} plan={current} />
        ) : null}
        {reason !== null && current && !plan.error && (
          <p className="memory-limit-editor__reason">Save is off: {reason}</p>
        )}
      </div>
      {current && needsAck && (
        <label className="memory-limit-editor__ack">
          <input
            type="checkbox"
            checked={acknowledged}
            onChange={(event) => setAcknowledged(event.target.checked)}
          />
          I understand that {process.name}&apos;s replicas are predicted to pass {current.limit} and
          be OOMKilled.
        </label>
      )}
      {current && <GitOpsNotice process={process} />}
      {current && <KubectlCommand command={current.command} />}
      {save.error && (
        <GuardedWriteError
          error={save.error}
          onDismiss={save.clear}
          send={(force) => void send(force)}
          current={`${formatBytes(live)} per replica`}
          describe={(bytes) => `${formatBytes(bytes)} per replica`}
          onKeepTheirs={cancel}
        />
      )}
      {confirming && current && (
        <ConfirmDialog
          title={`Replace ${plural(current.replacesPods, 'pod')} of ${process.name}?`}
          confirmLabel={`Set ${current.limit} and replace ${plural(current.replacesPods, 'pod')}`}
          tone={needsAck ? 'danger' : 'primary'}
          onConfirm={() => void send(false)}
          onCancel={() => setConfirming(false)}
        >
          <p>
            The memory limit of {process.name} becomes {current.limit} per replica
            {current.requestLowered ? ', its request lowered with it' : ''}. Its{' '}
            {plural(current.replacesPods, 'pod')} {current.replacesPods === 1 ? 'is' : 'are'}{' '}
            replaced with new ones that have it,{' '}
            {process.workloadKind === 'StatefulSet' ? 'one at a time' : 'as a rolling update'}.
          </p>
          <p>
            {process.pods
              .filter((pod) => !pod.terminating)
              .map((pod) => pod.name)
              .join(', ')}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** What the limit would do, as main planned it. */
function PlanEffect({ app, plan }: { app: App; plan: MemoryLimitPlan }) {
  return (
    <div className="memory-limit-effect">
      <dl className="memory-limit-effect__figures">
        <div>
          <dt>Per replica</dt>
          <dd className="numeric">
            {formatBytes(plan.currentBytes)} → <strong>{formatBytes(plan.limitBytes)}</strong>
          </dd>
        </div>
        <div>
          <dt>App maximum</dt>
          <dd className="numeric">
            {formatBytes(app.memory.maxBytes)} → <strong>{formatBytes(plan.appMaxBytes)}</strong>
          </dd>
        </div>
        <div>
          <dt>Fits a node</dt>
          <dd className="numeric">
            {plan.fitsNode === null ? (
              <span className="muted">Not known</span>
            ) : (
              <strong className={plan.fitsNode.fits ? undefined : 'memory-limit-effect__over'}>
                {plan.fitsNode.fits ? 'Yes' : 'No'}, {formatBytes(plan.fitsNode.largestFreeBytes)}{' '}
                free at most
              </strong>
            )}
          </dd>
        </div>
        <div>
          <dt>Namespace quota</dt>
          <dd className="numeric">
            {plan.quota === null ? (
              <span className="muted">No memory quota</span>
            ) : (
              <>
                {plan.quota.resource}{' '}
                <strong className={plan.quota.fits ? undefined : 'memory-limit-effect__over'}>
                  {formatBytes(plan.quota.afterBytes)}
                </strong>{' '}
                of {formatBytes(plan.quota.hardBytes)}
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Pods replaced</dt>
          <dd className="numeric">
            <strong>{plan.replacesPods}</strong>
          </dd>
        </div>
      </dl>
      <ul className="memory-limit-effect__notes">
        {plan.notes.map((note) => (
          <li
            key={note}
            className={note.includes('OOMKilled') ? 'memory-limit-effect__risk' : 'muted'}
          >
            {note}
          </li>
        ))}
      </ul>
    </div>
  );
}
