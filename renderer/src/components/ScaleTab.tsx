import type { App } from '../../../shared/app-model';
import { ActivityLog } from './ActivityLog';
import { MemoryAdvice } from './MemoryAdvice';
import { MemoryUsagePanel } from './MemoryUsagePanel';
import { OomBanner } from './OomBanner';
import { ProcessCard } from './ProcessCard';
import './ScaleTab.css';

/** The Scale tab: the memory limit story, then one card per process in Procfile order. */
export function ScaleTab({ app }: { app: App }) {
  return (
    <div className="scale-tab">
      {app.status.kind === 'oom-stopped' && <OomBanner app={app} />}
      <MemoryUsagePanel app={app} />
      <MemoryAdvice app={app} />
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
