import type { MetricsAvailability } from '../../../shared/contract';
import { formatBytes } from '../../../shared/format';
import { formatUsedOf } from '../format/memory';
import { isMemoryStale, metricsShortNote, staleMemoryNote } from '../format/metrics-availability';
import './MemoryGauge.css';

/**
 * The app's memory used against its maximum, as a meter ("5.2 GiB of 24 GiB"). Where the
 * metrics API fails, the last figures stay but are marked stale with their time; where the
 * cluster has none (no metrics-server) or the user may not read it, it says so instead of
 * "no metrics yet".
 */
export function MemoryGauge({
  usedBytes,
  maxBytes,
  metrics = null,
}: {
  usedBytes: number | null;
  maxBytes: number;
  metrics?: MetricsAvailability | null;
}) {
  const used = usedBytes ?? 0;
  const fraction = maxBytes > 0 ? Math.min(1, used / maxBytes) : 0;
  const level = fraction >= 0.9 ? 'high' : fraction >= 0.75 ? 'warn' : 'ok';
  const stale = isMemoryStale(metrics) && usedBytes !== null && maxBytes > 0;
  const note = maxBytes > 0 ? metricsShortNote(metrics) : null;
  // The figures stay short enough for one line; what is missing is said beside them.
  const shown = maxBytes === 0 ? 'Nothing running' : formatUsedOf(usedBytes, maxBytes);
  const text =
    maxBytes === 0
      ? 'Nothing running: no replica counts toward the maximum'
      : stale && metrics
        ? `${formatUsedOf(usedBytes, maxBytes)}. ${staleMemoryNote(metrics)}`
        : metrics?.state === 'absent'
          ? `No metrics-server in this cluster, maximum ${formatBytes(maxBytes)}`
          : metrics?.state === 'forbidden'
            ? `Memory in use may not be read, maximum ${formatBytes(maxBytes)}`
            : usedBytes === null
              ? `No metrics yet, maximum ${formatBytes(maxBytes)}`
              : formatUsedOf(usedBytes, maxBytes);
  const said = maxBytes > 0 ? explanation(metrics) : null;
  return (
    <div className={`memory-gauge${stale ? ' memory-gauge--stale' : ''}`}>
      <div className="memory-gauge__figures">
        <span className="memory-gauge__value numeric">{shown}</span>
        {usedBytes !== null && maxBytes > 0 ? (
          <span className="memory-gauge__percent muted numeric">
            {note ? `${note} · ` : ''}
            {Math.round(fraction * 100)}%
          </span>
        ) : (
          maxBytes > 0 && (
            <span className="memory-gauge__percent muted">{note ?? 'no metrics yet'}</span>
          )
        )}
      </div>
      <div
        className={`memory-gauge__track memory-gauge__track--${level}`}
        role="meter"
        aria-label="Memory used"
        aria-valuemin={0}
        aria-valuemax={maxBytes}
        aria-valuenow={used}
        aria-valuetext={text}
      >
        <div className="memory-gauge__fill" style={{ width: `${fraction * 100}%` }} />
      </div>
      {said && <p className="memory-gauge__note">{said}</p>}
    </div>
  );
}

/** One line under the meter where the figures are missing or not current, and why. */
function explanation(metrics: MetricsAvailability | null): string | null {
  switch (metrics?.state) {
    case 'absent':
      return 'This cluster has no metrics-server: memory in use cannot be shown.';
    case 'forbidden':
      return metrics.message;
    case 'failing':
      return `${staleMemoryNote(metrics)}.`;
    default:
      return null;
  }
}
