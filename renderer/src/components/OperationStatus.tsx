import { useStore } from '../state/StoreContext';
import './OperationStatus.css';

/**
 * How far a sent change has got on the cluster: from the operation's progress events, until the
 * replicas are ready (done) or the reason they are not (failed).
 */
export function OperationStatus({
  operationId,
  sentLabel,
}: {
  operationId: string;
  sentLabel: string;
}) {
  const progress = useStore((state) => state.operations.get(operationId));
  const phase = progress?.phase ?? 'sent';
  const fraction = progress?.progress ?? 0;
  const message = progress?.message ?? sentLabel;
  return (
    <div
      className={`operation-status operation-status--${phase}`}
      role={phase === 'failed' ? 'alert' : 'status'}
      data-phase={phase}
    >
      <div className="operation-status__line">
        {phase === 'done' ? (
          <span className="operation-status__icon" aria-hidden="true">
            ✓
          </span>
        ) : phase === 'failed' ? (
          <span className="operation-status__icon" aria-hidden="true">
            !
          </span>
        ) : (
          <span className="spinner" aria-hidden="true" />
        )}
        <span>{phase === 'failed' ? `Not done: ${message}` : message}</span>
      </div>
      {phase !== 'done' && phase !== 'failed' && (
        <div
          className="operation-status__bar"
          role="progressbar"
          aria-label="Progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(fraction * 100)}
        >
          <div
            className="operation-status__fill"
            style={{ width: `${Math.max(4, fraction * 100)}%` }}
          />
        </div>
      )}
    </div>
  );
}
