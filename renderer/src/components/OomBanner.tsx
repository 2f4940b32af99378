import type { App, Process } from '../../../shared/app-model';
import { isOomLooping } from '../../../shared/app-status';
import { formatBytes, plural } from '../../../shared/format';
import type { ProcessMemoryAdvice } from '../../../shared/memory-advice';
import { useGuardedDraft } from '../state/guarded-draft';
import { useStoreInstance } from '../state/StoreContext';
import { processAdvice, useMemoryAdvice } from '../state/useMemoryAdvice';
import { formatLimit } from './MemoryAdvice';
import { StartButton } from './StartButton';
import { workerDraftKey, workerSliderId } from './WorkerSlider';
import './OomBanner.css';

/**
 * Said plainly when the app was stopped by its memory limit, with the ways out as actions: raise
 * the limit to the recommended value (Edit Resources opens with it filled in) and, for gunicorn,
 * use the workers that fit (the slider is set to that count); nothing is sent until the admin
 * saves there. "Ask an administrator" only where the user may not patch the workload.
 */
export function OomBanner({ app }: { app: App }) {
  const advice = useMemoryAdvice(app);
  const scaled = app.processes.filter((p) => p.replicas.desired > 0);
  const looping = scaled.filter((p) => p.pods.some(isOomLooping));
  // The status says stopped; where its pods are not (yet) seen looping, every scaled process may be.
  const stopped = looping.length > 0 ? looping : scaled;
  const denied = app.permissions.patch.state === 'denied';
  const gunicorn = stopped.find((p) => p.workers !== null) ?? app.processes.find((p) => p.workers);
  const fit = gunicorn ? processAdvice(advice, gunicorn.name)?.workers?.fitCount : null;
  // Fewer workers only helps where the count that fits is fewer than now (and at least one).
  const fewer =
    gunicorn &&
    fit !== null &&
    fit !== undefined &&
    fit >= 1 &&
    fit < (gunicorn.workers?.count ?? 1)
      ? fit
      : null;
  return (
    <section className="oom-banner" role="alert" aria-labelledby="oom-banner-title">
      <div className="oom-banner__text">
        <h2 id="oom-banner-title">{app.name} was stopped: it reached its memory limit</h2>
        <p>{app.status.message}</p>
        <p className="oom-banner__lead">Ways out:</p>
        <ul className="oom-banner__ways">
          {stopped.map((process) => (
            <RaiseLimit
              key={process.name}
              app={app}
              process={process}
              advice={processAdvice(advice, process.name)}
              named={stopped.length > 1}
              headroom={advice?.headroom ?? null}
              denied={denied}
            />
          ))}
          {gunicorn && <FewerWorkers app={app} process={gunicorn} count={fewer} denied={denied} />}
          <li>
            Keep datasets in a memory-mapped format such as <strong>Arrow</strong>, read lazily
            (e.g. with Vaex), instead of loading them whole.
          </li>
          <li>Run queries and aggregations in the database, not in Python memory.</li>
        </ul>
      </div>
      <div className="oom-banner__action">
        <StartButton app={app} />
      </div>
    </section>
  );
}

interface RaiseLimitProps {
  app: App;
  process: Process;
  advice: ProcessMemoryAdvice | null;
  /** More than one process was stopped: say which. */
  named: boolean;
  headroom: number | null;
  denied: boolean;
}

function RaiseLimit({ app, process, advice, named, headroom, denied }: RaiseLimitProps) {
  const store = useStoreInstance();
  const recommended =
    advice?.direction === 'raise' && advice.recommendedLimit !== null ? advice : null;
  const target = recommended ? formatLimit(recommended.recommendedLimitBytes) : null;
  const whose = named ? `${process.name}'s limit` : 'the limit';
  const why = recommended && (
    <span className="muted">
      {' '}
      {process.pods.some((pod) => pod.lastTermination?.reason === 'OOMKilled')
        ? `Its replicas were stopped at their ${formatBytes(recommended.peakBytes)} limit`
        : `A replica reached ${formatBytes(recommended.peakBytes)}`}
      {headroom !== null ? `; that plus ${Math.round(headroom * 100)} %, rounded up` : ''}. A new
      limit replaces the pods of {process.name}.
    </span>
  );
  if (denied) {
    return (
      <li>
        Ask an administrator to raise {whose}
        {target ? ` to ${target}` : ''} (now {formatBytes(process.memoryLimit.bytes)} per replica):{' '}
        <span className="muted">{app.permissions.patch.reason}</span>
      </li>
    );
  }
  if (!recommended) {
    return (
      <li>
        Raise {whose} in Edit Resources on the {process.name} card (now{' '}
        {formatBytes(process.memoryLimit.bytes)} per replica).
      </li>
    );
  }
  return (
    <li>
      <button
        type="button"
        className="button button--small button--primary"
        onClick={() => {
          store.openResourceEditor({
            appId: app.id,
            process: process.name,
            limit: recommended.recommendedLimit!,
          });
          // Its card, where Edit Resources opens.
          [...document.querySelectorAll('section.process-card')]
            .find((card) => card.getAttribute('aria-label') === process.name)
            ?.scrollIntoView({ block: 'start', behavior: 'smooth' });
        }}
      >
        Raise {whose} to {target}
      </button>
      {why}
    </li>
  );
}

interface FewerWorkersProps {
  app: App;
  process: Process;
  /** The most workers that fit under the limit, where fewer than now; null: not known. */
  count: number | null;
  denied: boolean;
}

function FewerWorkers({ app, process, count, denied }: FewerWorkersProps) {
  const { setDraft } = useGuardedDraft(workerDraftKey(app, process), process.workers!.count);
  const note = <span className="muted"> Each worker holds its own copy of the app's data.</span>;
  if (denied) {
    return (
      <li>
        Ask an administrator to run fewer gunicorn workers
        {count !== null ? ` (${count} fit under the limit)` : ''}.{note}
      </li>
    );
  }
  const toSlider = () => {
    const slider = document.getElementById(workerSliderId(app, process));
    slider?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    slider?.focus({ preventScroll: true });
  };
  return (
    <li>
      <button
        type="button"
        className="button button--small"
        onClick={() => {
          if (count !== null) setDraft(String(count));
          toSlider();
        }}
      >
        {count !== null ? `Use ${plural(count, 'worker')}` : 'Use fewer workers'}
      </button>
      {count !== null && (
        <span className="muted">
          {' '}
          The most that fit under {process.name}'s {formatBytes(process.memoryLimit.bytes)} limit
          with room to spare (now {process.workers!.count ?? 'set by gunicorn'}).
        </span>
      )}
      {note}
    </li>
  );
}
