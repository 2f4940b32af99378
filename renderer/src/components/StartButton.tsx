import type { App } from '../../../shared/app-model';
import { useOperation } from '../state/useOperation';
import { ErrorNotice } from './ErrorNotice';
import { OperationStatus } from './OperationStatus';
import { PermissionNote } from './PermissionNote';

/** Start for an app that was stopped (by its memory limit or scaled to zero): back to the
 * replicas it had before. */
export function StartButton({ app }: { app: App }) {
  const start = useOperation('app.start');
  const permission = app.permissions.patch;
  const send = () => void start.run({ namespace: app.namespace, app: app.name });
  return (
    <div className="action-with-status">
      <button
        type="button"
        className="button button--primary"
        onClick={send}
        disabled={permission.state === 'denied' || start.pending}
        aria-busy={start.pending}
        aria-describedby={permission.state === 'allowed' ? undefined : `start-reason-${app.id}`}
      >
        {start.pending && <span className="spinner" aria-hidden="true" />}
        Start
      </button>
      <PermissionNote id={`start-reason-${app.id}`} permission={permission} />
      {start.value && (
        <OperationStatus operationId={start.value.operationId} sentLabel="Starting…" />
      )}
      {start.error && <ErrorNotice error={start.error} onRetry={send} onDismiss={start.clear} />}
    </div>
  );
}
