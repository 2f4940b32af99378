import type { App } from '../../../shared/app-model';
import { ActivityLog } from './ActivityLog';
import { MemoryUsagePanel } from './MemoryUsagePanel';
import { OomBanner } from './OomBanner';
import { ProcessCard } from './ProcessCard';
import { workerSliderId } from './WorkerSlider';
import './ScaleTab.css';

/** The Scale tab: the memory limit story, then one card per process in Procfile order. */
export function ScaleTab({ app }: { app: App }) {
  const gunicorn = app.processes.find((process) => process.workers !== null);
  const toSlider = gunicorn
    ? () => {
        const slider = document.getElementById(workerSliderId(app, gunicorn));
        slider?.scrollIntoView({ block: 'center', behavior: 'smooth' });
        slider?.focus({ preventScroll: true });
      }
    : undefined;
  return (
    <div className="scale-tab">
      {app.status.kind === 'oom-stopped' && <OomBanner app={app} onFewerWorkers={toSlider} />}
      <MemoryUsagePanel app={app} />
      <div className="scale-tab__processes">
        {app.processes.length === 0 && <p className="muted">This app has no processes to scale.</p>}
        {app.processes.map((process) => (
          <ProcessCard key={process.name} app={app} process={process} />
        ))}
      </div>
      <ActivityLog app={app} />
    </div>
  );
}
