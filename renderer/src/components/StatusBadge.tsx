import type { AppStatus } from '../../../shared/app-model';
import type { ProcessRisk } from '../../../shared/memory-risk';
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

/**
 * "At risk": a replica of the app (or of the process) is close to being stopped by its own memory
 * limit, or is restarting after an OOMKill (shared/memory-risk.ts), whatever the app's total says.
 * The replicas and why are in its title; nothing is drawn where none is at risk.
 */
export function AtRiskBadge({ risks }: { risks: readonly ProcessRisk[] }) {
  if (risks.length === 0) return null;
  const why = risks.map((risk) => `${risk.process}: ${risk.message}`).join(' ');
  return (
    <span className="status-badge status-badge--at-risk" title={why} data-at-risk="true">
      <span className="status-badge__dot" aria-hidden="true" />
      <span>At risk</span>
      <span className="visually-hidden"> of the memory limit: {why}</span>
    </span>
  );
}
