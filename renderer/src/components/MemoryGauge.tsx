import { formatBytes } from '../../../shared/format';
import { formatUsedOf } from '../format/memory';
import './MemoryGauge.css';

/** The app's memory used against its maximum, as a meter ("5.2 GiB of 24 GiB"). */
export function MemoryGauge({
  usedBytes,
  maxBytes,
}: {
  usedBytes: number | null;
  maxBytes: number;
}) {
  const used = usedBytes ?? 0;
  const fraction = maxBytes > 0 ? Math.min(1, used / maxBytes) : 0;
  const level = fraction >= 0.9 ? 'high' : fraction >= 0.75 ? 'warn' : 'ok';
  // The figures stay short enough for one line; what is missing is said beside them.
  const shown = maxBytes === 0 ? 'Nothing running' : formatUsedOf(usedBytes, maxBytes);
  const text =
    maxBytes === 0
      ? 'Nothing running: no replica counts toward the maximum'
      : usedBytes === null
        ? `No metrics yet, maximum ${formatBytes(maxBytes)}`
        : formatUsedOf(usedBytes, maxBytes);
  return (
    <div className="memory-gauge">
      <div className="memory-gauge__figures">
        <span className="memory-gauge__value numeric">{shown}</span>
        {usedBytes !== null && maxBytes > 0 ? (
          <span className="memory-gauge__percent muted numeric">{Math.round(fraction * 100)}%</span>
        ) : (
          maxBytes > 0 && <span className="memory-gauge__percent muted">no metrics yet</span>
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
    </div>
  );
}
