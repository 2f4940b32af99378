import { useId } from 'react';
import { DEFAULT_MAX_REPLICAS, type App, type Process } from '../../../shared/app-model';
import type { OperationResult } from '../../../shared/contract';
import {
  autoscalerName,
  ownedCountReason,
  planRange,
  rangeText,
  zeroWithAutoscaler,
  type Autoscaler,
} from '../../../shared/count-owner';
import { kubectlPatchAutoscaler } from '../../../shared/kubectl-command';
import { useStore } from '../state/StoreContext';
import { useGuardedDraft } from '../state/guarded-draft';
import { useOperation } from '../state/useOperation';
import { GitOpsNotice } from './GitOpsNotice';
import { GuardedWriteError } from './ErrorNotice';
import { KubectlCommand } from './KubectlCommand';
import './AutoscalerNote.css';
import './ReplicaEditor.css';

interface AutoscalerEditorProps {
  app: App;
  process: Process & { autoscaler: Autoscaler };
  onClose: () => void;
  onSaved: (result: OperationResult) => void;
}

/** A whole number typed into a field; null where it is not one. */
function wholeNumber(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

/**
 * The replica editor of a process an autoscaler owns: the autoscaler's minimum and maximum
 * instead of the count (which the autoscaler would put back), guarded by the range the admin saw,
 * with its kubectl command; why, in words; and what stopping it does. A KEDA ScaledObject is
 * shown read-only with the command that changes it.
 */
export function AutoscalerEditor({ app, process, onClose, onSaved }: AutoscalerEditorProps) {
  const { autoscaler } = process;
  const maxReplicas = useStore((state) => state.settings?.maxReplicas ?? DEFAULT_MAX_REPLICAS);
  const context = useStore((state) => state.connection?.context ?? null);
  const key = `autoscaler:${app.id}/${process.name}`;
  const min = useGuardedDraft(`${key}:min`, autoscaler.minReplicas);
  const max = useGuardedDraft(`${key}:max`, autoscaler.maxReplicas);
  const save = useOperation('process.setAutoscaler');
  const stop = useOperation('process.setReplicas');
  const minId = useId();
  const maxId = useId();
  const messageId = useId();

  const minText = min.draft ?? String(autoscaler.minReplicas);
  const maxText = max.draft ?? String(autoscaler.maxReplicas);
  const minValue = wholeNumber(minText);
  const maxValue = wholeNumber(maxText);
  const plan =
    minValue === null || maxValue === null
      ? { ok: false as const, message: 'The minimum and maximum must be whole numbers.' }
      : planRange(minValue, maxValue, maxReplicas);
  const unchanged =
    plan.ok &&
    plan.minReplicas === autoscaler.minReplicas &&
    plan.maxReplicas === autoscaler.maxReplicas;
  const canSave = plan.ok && !unchanged && !save.pending && autoscaler.editable;
  const wanted = plan.ok ? plan : autoscaler;

  const reset = () => {
    min.setDraft(undefined);
    max.setDraft(undefined);
  };
  const send = async (force: boolean) => {
    if (!plan.ok) return;
    const result = await save.run({
      namespace: app.namespace,
      app: app.name,
      process: process.name,
      minReplicas: plan.minReplicas,
      maxReplicas: plan.maxReplicas,
      expected: {
        minReplicas: min.seen ?? autoscaler.minReplicas,
        maxReplicas: max.seen ?? autoscaler.maxReplicas,
      },
      ...(force ? { force: true } : {}),
    });
    if (result.ok) {
      reset();
      onSaved(result.value);
    }
  };
  const scaleToZero = async () => {
    const result = await stop.run({
      namespace: app.namespace,
      app: app.name,
      process: process.name,
      replicas: 0,
      expectedReplicas: process.replicas.desired,
    });
    if (result.ok) {
      reset();
      onSaved(result.value);
    }
  };
  const cancel = () => {
    reset();
    onClose();
  };

  return (
    <div
      className="editor-panel autoscaler-editor"
      role="group"
      aria-label={`Autoscaler of ${process.name}`}
    >
      <p className="autoscaler-editor__why">{ownedCountReason(autoscaler)}</p>
      <div className="replica-editor__row">
        <label className="field-label autoscaler-editor__field" htmlFor={minId}>
          Minimum
          <input
            id={minId}
            className="input numeric"
            type="text"
            inputMode="numeric"
            aria-describedby={messageId}
            autoComplete="off"
            value={minText}
            readOnly={!autoscaler.editable}
            onChange={(event) => min.setDraft(event.target.value)}
            autoFocus
          />
        </label>
        <label className="field-label autoscaler-editor__field" htmlFor={maxId}>
          Maximum
          <input
            id={maxId}
            className="input numeric"
            type="text"
            inputMode="numeric"
            aria-describedby={messageId}
            autoComplete="off"
            value={maxText}
            readOnly={!autoscaler.editable}
            onChange={(event) => max.setDraft(event.target.value)}
          />
        </label>
        <span className="muted replica-editor__range">1 to {maxReplicas}</span>
        <div className="replica-editor__actions">
          <button
            type="button"
            className="button button--primary"
            onClick={() => void send(false)}
            disabled={!canSave}
            aria-busy={save.pending}
            title={
              autoscaler.editable
                ? undefined
                : `${autoscalerName(autoscaler)} is KEDA's: change it with the command below.`
            }
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
        {!plan.ok && (
          <p className="replica-editor__message" role="alert">
            {plan.message}
          </p>
        )}
      </div>
      {!unchanged && <GitOpsNotice process={process} />}
      {(!unchanged || !autoscaler.editable) && (
        <KubectlCommand
          command={kubectlPatchAutoscaler(
            { context, namespace: app.namespace },
            autoscaler,
            wanted,
          )}
        />
      )}
      <p className="muted replica-effect__note">
        {zeroWithAutoscaler(process.name, autoscaler)}{' '}
        {autoscaler.editable && process.replicas.desired > 0 && (
          <button
            type="button"
            className="button"
            onClick={() => void scaleToZero()}
            disabled={stop.pending || app.permissions.scale.state === 'denied'}
          >
            Scale {process.name} to 0
          </button>
        )}
      </p>
      {save.error && (
        <GuardedWriteError
          error={save.error}
          onDismiss={save.clear}
          send={(force) => void send(force)}
          current={rangeText(autoscaler)}
          describe={(value) => String(value)}
          onKeepTheirs={cancel}
        />
      )}
      {stop.error && (
        <GuardedWriteError
          error={stop.error}
          onDismiss={stop.clear}
          send={() => void scaleToZero()}
          current={String(process.replicas.desired)}
          describe={(value) => String(value)}
          onKeepTheirs={cancel}
        />
      )}
    </div>
  );
}
