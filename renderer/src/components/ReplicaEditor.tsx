import { useId, useState, type KeyboardEvent } from 'react';
import { DEFAULT_MAX_REPLICAS, type App, type Process } from '../../../shared/app-model';
import type { OperationResult } from '../../../shared/contract';
import { kubectlScale, workloadOf } from '../../../shared/kubectl-command';
import { parseReplicasText, planReplicas, type ReplicaPlan } from '../../../shared/replica-plan';
import { useStore } from '../state/StoreContext';
import { useGuardedDraft } from '../state/guarded-draft';
import { useOperation } from '../state/useOperation';
import { formatBytes, plural } from '../../../shared/format';
import { ConfirmDialog } from './ConfirmDialog';
import { GuardedWriteError } from './ErrorNotice';
import { GitOpsNotice } from './GitOpsNotice';
import { KubectlCommand } from './KubectlCommand';
import './ReplicaEditor.css';

interface ReplicaEditorProps {
  app: App;
  process: Process;
  onClose: () => void;
  /** The change was accepted by main; progress follows from the operation events. */
  onSaved: (result: OperationResult) => void;
}

/**
 * Where scaling `process` to `to` replicas takes the app offline, the question to ask first; else
 * null. Only the Procfile's `web` process receives requests (DOMAIN.md), so its last running
 * replicas going to 0 leaves the app answering nothing; other processes may stop quietly.
 */
export function offlineQuestion(app: App, process: Process, to: number): string | null {
  if (process.name !== 'web' || to !== 0) return null;
  const running = Math.max(process.replicas.desired, process.replicas.ready);
  if (running === 0) return null;
  return `This takes ${app.name} offline: ${process.name} is its only web process.`;
}

/**
 * The replica editor: a whole number from 0 to the maximum, its effect before saving (the app's
 * new maximum memory, the pods left under the quota), then Save or Cancel. What was typed stays
 * through errors and redraws (kept in the drafts, not in this component).
 */
export function ReplicaEditor({ app, process, onClose, onSaved }: ReplicaEditorProps) {
  const maxReplicas = useStore((state) => state.settings?.maxReplicas ?? DEFAULT_MAX_REPLICAS);
  const context = useStore((state) => state.connection?.context ?? null);
  const draftKey = `replicas:${app.id}/${process.name}`;
  // The count the admin saw when they began typing: main judges a change meanwhile by it.
  const { draft, setDraft, seen } = useGuardedDraft(draftKey, process.replicas.desired);
  const text = draft ?? String(process.replicas.desired);
  const save = useOperation('process.setReplicas');
  const inputId = useId();
  const messageId = useId();
  /** The offline question, while it is asked. */
  const [asking, setAsking] = useState<string | null>(null);

  const parsed = parseReplicasText(text, maxReplicas);
  const planned = parsed.ok ? planReplicas(app, process.name, parsed.replicas, maxReplicas) : null;
  const plan = planned?.ok ? planned.plan : null;
  const message = !parsed.ok ? parsed.message : planned && !planned.ok ? planned.message : null;
  const unchanged = plan !== null && plan.to === process.replicas.desired;
  const canSave = plan !== null && plan.fits && !unchanged && !save.pending;
  const permission = app.permissions.scale;

  const step = (delta: number) => {
    const base = parsed.ok ? parsed.replicas : process.replicas.desired;
    const next = Math.min(maxReplicas, Math.max(0, Math.round(base) + delta));
    setDraft(String(next));
  };

  const send = async (force: boolean) => {
    if (!plan) return;
    const result = await save.run({
      namespace: app.namespace,
      app: app.name,
      process: process.name,
      replicas: plan.to,
      // Replicas are never unset: `seen` is a number.
      expectedReplicas: seen ?? undefined,
      ...(force ? { force: true } : {}),
    });
    if (result.ok) {
      setDraft(undefined);
      onSaved(result.value);
    }
  };

  /** Save: sent at once, unless it takes the app offline, which is asked first. */
  const requestSave = () => {
    if (!plan) return;
    const question = offlineQuestion(app, process, plan.to);
    if (question === null) void send(false);
    else setAsking(question);
  };

  const cancel = () => {
    setDraft(undefined);
    onClose();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      event.preventDefault();
      step(event.key === 'ArrowUp' ? 1 : -1);
    } else if (event.key === 'Enter' && canSave) {
      event.preventDefault();
      requestSave();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  };

  return (
    <div
      className="editor-panel replica-editor"
      role="group"
      aria-label={`Replica count of ${process.name}`}
    >
      <div className="replica-editor__row">
        <label className="field-label replica-editor__label" htmlFor={inputId}>
          Replicas
        </label>
        <div className="stepper">
          <button
            type="button"
            className="button stepper__button"
            aria-label="One replica fewer"
            onClick={() => step(-1)}
            disabled={parsed.ok && parsed.replicas <= 0}
          >
            −
          </button>
          <input
            id={inputId}
            className="input stepper__input numeric"
            type="text"
            inputMode="numeric"
            role="spinbutton"
            aria-valuemin={0}
            aria-valuemax={maxReplicas}
            aria-valuenow={parsed.ok ? parsed.replicas : undefined}
            aria-invalid={message !== null}
            aria-describedby={messageId}
            autoComplete="off"
            value={text}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKeyDown}
            // The editor opens because the admin asked to type a number.
            autoFocus
          />
          <button
            type="button"
            className="button stepper__button"
            aria-label="One replica more"
            onClick={() => step(1)}
            disabled={parsed.ok && parsed.replicas >= maxReplicas}
          >
            +
          </button>
        </div>
        <span className="muted replica-editor__range">0 to {maxReplicas}</span>
        <div className="replica-editor__actions">
          <button
            type="button"
            className="button button--primary"
            onClick={requestSave}
            disabled={!canSave || permission.state === 'denied'}
            aria-busy={save.pending}
          >
            {save.pending && <span className="spinner" aria-hidden="true" />}
            Save
          </button>
          <button type="button" className="button" onClick={cancel}>
            Cancel
          </button>
        </div>
      </div>
      <div id={messageId} aria-live="polite" className="replica-editor__feedback">
        {message !== null ? (
          <p className="replica-editor__message" role="alert">
            {message}
          </p>
        ) : plan ? (
          <Effect plan={plan} unchanged={unchanged} />
        ) : null}
      </div>
      {plan && !unchanged && <GitOpsNotice process={process} />}
      {plan && !unchanged && (
        <KubectlCommand
          command={kubectlScale(
            { context, namespace: app.namespace },
            workloadOf(process),
            plan.to,
          )}
        />
      )}
      {save.error && (
        <GuardedWriteError
          error={save.error}
          onDismiss={save.clear}
          send={(force) => void send(force)}
          current={plural(process.replicas.desired, 'replica')}
          describe={(replicas) => plural(replicas, 'replica')}
          onKeepTheirs={cancel}
        />
      )}
      {asking !== null && (
        <ConfirmDialog
          title={`Take ${app.name} offline?`}
          confirmLabel={`Scale ${process.name} to 0`}
          tone="danger"
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            void send(false);
          }}
        >
          <p>{asking}</p>
          <p>
            Requests to {app.name} fail until {process.name} has replicas again; Start on the
            Overview tab, or Undo in the activity log, brings it back.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** What Save would do, worked out by shared/replica-plan (the same numbers main checks). */
function Effect({ plan, unchanged }: { plan: ReplicaPlan; unchanged: boolean }) {
  const { memory, pods } = plan;
  const quotaLeftNow = pods.quotaHard === null ? null : pods.quotaHard - (pods.quotaUsed ?? 0);
  return (
    <div className="replica-effect">
      {!unchanged && (
        <dl className="replica-effect__figures">
          <div>
            <dt>New max memory</dt>
            <dd className="numeric">
              {formatBytes(memory.maxNowBytes)} →{' '}
              <strong>{formatBytes(memory.maxAfterBytes)}</strong>
            </dd>
          </div>
          <div>
            <dt>Pods left under quota</dt>
            <dd className="numeric">
              {pods.quotaLeftAfter === null ? (
                <span className="muted">No pod quota</span>
              ) : (
                <>
                  {quotaLeftNow} →{' '}
                  <strong className={pods.quotaLeftAfter < 0 ? 'replica-effect__over' : undefined}>
                    {pods.quotaLeftAfter}
                  </strong>{' '}
                  of {pods.quotaHard}
                </>
              )}
            </dd>
          </div>
          {pods.nodesFreeAfter !== null && (
            <div>
              <dt>Free pod slots on nodes</dt>
              <dd className="numeric">
                {pods.nodesFree} → <strong>{pods.nodesFreeAfter}</strong>
              </dd>
            </div>
          )}
        </dl>
      )}
      {plan.refusal && (
        <p className="replica-editor__message" role="alert">
          {plan.refusal}
        </p>
      )}
      {plan.notes
        // The memory change is in the table above.
        .filter((note) => note.kind !== 'max-memory')
        .map((note) => (
          <p key={note.kind} className="muted replica-effect__note">
            {note.message}
          </p>
        ))}
    </div>
  );
}
