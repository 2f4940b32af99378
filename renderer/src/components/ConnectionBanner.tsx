import { useStore, useStoreInstance } from '../state/StoreContext';
import { useOperation } from '../state/useOperation';
import { formatClock } from '../format/time';
import './ConnectionBanner.css';

/** What the banner says while the cluster throttles: main retries, nothing is lost. */
export const THROTTLING_NOTE =
  'The cluster is throttling requests: changes may take longer; ScaleDesk retries them.';

/**
 * Says when what is shown may be out of date, and offers to try the cluster again; while the
 * cluster throttles requests but what is shown is current, says so calmly (nothing to do).
 */
export function ConnectionBanner() {
  const connection = useStore((state) => state.connection);
  const store = useStoreInstance();
  const connect = useOperation('cluster.connect');
  if (!connection) return null;
  if (connection.state === 'live' && connection.throttledSince !== null) {
    return (
      <div className="connection-banner connection-banner--throttled" role="status">
        <span>{THROTTLING_NOTE}</span>
        <span className="connection-banner__since">
          Since {formatClock(connection.throttledSince)}.
        </span>
      </div>
    );
  }
  if (connection.state === 'live' || connection.state === 'disconnected') return null;

  const retry = async () => {
    if (connection.context !== null) {
      const result = await connect.run({
        context: connection.context,
        namespace: connection.namespace,
      });
      if (result.ok) void store.loadAll();
    } else {
      void store.loadAll();
    }
  };

  if (connection.state === 'connecting') {
    return (
      <div className="connection-banner connection-banner--info" role="status">
        <span className="spinner" aria-hidden="true" /> Connecting to{' '}
        {connection.context ?? 'the cluster'}…
      </div>
    );
  }
  const since = connection.syncedAt ? formatClock(connection.syncedAt) : null;
  // The code says what happened; a throttling cluster answers, it is not unreachable.
  const title =
    connection.error?.code === 'THROTTLED'
      ? 'Cluster throttling requests.'
      : connection.error?.code === 'UNREACHABLE' || connection.state === 'stale'
        ? 'Cluster unreachable.'
        : 'Connection problem.';
  return (
    <div className="connection-banner connection-banner--stale" role="alert">
      <div>
        <strong>{title}</strong> {connection.error?.message}{' '}
        <span className="connection-banner__stale">
          {since
            ? `Stale: what you see was current at ${since}.`
            : 'Nothing could be read from the cluster yet.'}
        </span>
      </div>
      <button
        type="button"
        className="button button--small"
        onClick={() => void retry()}
        disabled={connect.pending}
        aria-busy={connect.pending}
      >
        {connect.pending && <span className="spinner" aria-hidden="true" />}
        Retry
      </button>
    </div>
  );
}
