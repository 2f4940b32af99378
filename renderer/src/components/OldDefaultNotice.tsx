import type { App } from '../../../shared/app-model';
import { formatBytes } from '../../../shared/format';
import './MemoryLimitFigure.css';

/**
 * An app whose pods run a namespace default that has changed since they started: they keep the
 * old one until they are replaced, so the new one applies after Restart (or Start, stopped).
 * Shown beside the Restart or Start button of the Overview tab.
 */
export function OldDefaultNotice({ app, stopped }: { app: App; stopped: boolean }) {
  const all = [...app.processes, ...(app.workspace ? [app.workspace] : [])];
  const waitingAll = all.filter((p) => p.memoryLimit.next?.reason === 'namespace-default');
  const waiting = waitingAll[0];
  const next = waiting?.memoryLimit.next;
  if (!waiting || !next) return null;
  // Start replaces only the stopped processes' pods; a healthy one takes it at a Restart.
  const names = waitingAll.map((p) => p.name).join(', ');
  return (
    <p className="old-default-notice" role="note" data-testid="old-default-notice">
      Runs the old default {formatBytes(waiting.memoryLimit.bytes)}; the new default{' '}
      {formatBytes(next.bytes)} applies after a restart.{' '}
      <span className="muted">
        {stopped ? 'Start' : 'Restart'} to apply it to {names}.
      </span>
    </p>
  );
}
