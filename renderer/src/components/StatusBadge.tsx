import type { AppStatus } from '../../../shared/app-model';
import './StatusBadge.css';

const LABELS: Record<AppStatus['kind'], string> = {
  running: 'Running',
  deploying: 'Deploying',
  degraded: 'Degraded',
  'oom-stopped': 'Stopped: memory limit',
  'scaled-to-zero': 'Scaled to zero',
};

/** The app's status in a word or two, coloured by how much it needs the admin. */
export function StatusBadge({ status, compact = false }: { status: AppStatus; compact?: boolean }) {
  const percent =
    status.kind === 'deploying' && status.progress !== null
      ? Math.round(status.progress * 100)
      : null;
  const label = compact && status.kind === 'oom-stopped' ? 'OOM stopped' : LABELS[status.kind];
  return (
    <span className={`status-badge status-badge--${status.kind}`} title={status.message}>
      <span className="status-badge__dot" aria-hidden="true" />
      {label}
      {percent !== null && <span className="numeric"> {percent}%</span>}
    </span>
  );
}
