import { GIB, type App, type Process } from '../../../shared/app-model';
import { formatBytes, plural } from '../../../shared/format';
import type { AppMemoryAdvice, ProcessMemoryAdvice } from '../../../shared/memory-advice';
import { useStoreInstance } from '../state/StoreContext';
import { useMemoryAdvice } from '../state/useMemoryAdvice';
import './MemoryAdvice.css';

const DAY_MS = 24 * 60 * 60_000;

/**
 * A recommended limit exactly as it will be filled in: "9.5 GiB", "1.25 GiB" (formatBytes rounds
 * to one decimal, and "Lower to 1.3 GiB" must not fill in 1280Mi).
 */
export function formatLimit(bytes: number | null): string {
  if (bytes === null) return '—';
  const gib = bytes / GIB;
  if (Number.isInteger(gib * 100)) return `${gib} GiB`;
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** "35 min", "3 h 10 min", "1 day": how much history a recommendation rests on. */
export function formatWindow(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return plural(Math.floor(hours / 24), 'day');
}

/**
 * The recommended memory limit per process, beside the memory panel: the peak of one replica over
 * the history kept plus the headroom setting, rounded up, the window it rests on (a warning where
 * it is under a day), and "Raise to X" / "Lower to X", which open Edit Resources with X filled in.
 * Nothing is sent from here.
 */
export function MemoryAdvice({ app }: { app: App }) {
  const advice = useMemoryAdvice(app);
  if (!advice || advice.processes.length === 0) return null;
  const denied = app.permissions.patch.state === 'denied';
  return (
    <section className="card memory-advice" aria-labelledby="memory-advice-title">
      <div className="card__header">
        <h2 id="memory-advice-title">Memory advice</h2>
        <span className="muted memory-advice__note">
          Peak of one replica plus {Math.round(advice.headroom * 100)} %, rounded up
        </span>
      </div>
      <div className="card__body">
        <table className="data-table memory-advice__table">
          <caption className="visually-hidden">Recommended memory limit per process</caption>
          <thead>
            <tr>
              <th scope="col">Process</th>
              <th scope="col" className="num">
                Peak per replica
              </th>
              <th scope="col" className="num">
                Limit now
              </th>
              <th scope="col" className="num">
                Recommended
              </th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {advice.processes.map((entry) => {
              const process = app.processes.find((p) => p.name === entry.process);
              if (!process) return null;
              return (
                <AdviceRow
                  key={entry.process}
                  app={app}
                  process={process}
                  entry={entry}
                  denied={denied}
                />
              );
            })}
          </tbody>
        </table>
        <AdviceNotes app={app} advice={advice} />
      </div>
    </section>
  );
}

interface AdviceRowProps {
  app: App;
  process: Process;
  entry: ProcessMemoryAdvice;
  denied: boolean;
}

function AdviceRow({ app, process, entry, denied }: AdviceRowProps) {
  const store = useStoreInstance();
  const short = entry.recommendedLimitBytes !== null && entry.windowMs < DAY_MS;
  const change =
    entry.direction === 'raise' ? 'Raise' : entry.direction === 'lower' ? 'Lower' : null;
  return (
    <tr data-process={entry.process}>
      <th scope="row">{entry.process}</th>
      <td className="num">{formatBytes(entry.peakBytes)}</td>
      <td className="num">{formatBytes(process.memoryLimit.bytes)}</td>
      <td className="num">
        {entry.recommendedLimitBytes === null ? (
          <span className="muted" title="No memory measured yet: nothing to rest a limit on">
            —
          </span>
        ) : (
          <span title={`Based on ${formatWindow(entry.windowMs)} of measurements`}>
            {formatLimit(entry.recommendedLimitBytes)}
            {short && (
              <span className="memory-advice__short" title="Under a day of measurements">
                {' '}
                ({formatWindow(entry.windowMs)})
              </span>
            )}
          </span>
        )}
      </td>
      <td className="memory-advice__action">
        {change && entry.recommendedLimit !== null && !denied && (
          <button
            type="button"
            className={`button button--small${change === 'Raise' ? ' button--primary' : ''}`}
            onClick={() =>
              store.openResourceEditor({
                appId: app.id,
                process: entry.process,
                limit: entry.recommendedLimit!,
              })
            }
          >
            {change} to {formatLimit(entry.recommendedLimitBytes)}
          </button>
        )}
        {change && denied && (
          <span className="muted">
            {change} to {formatLimit(entry.recommendedLimitBytes)}: ask an administrator
          </span>
        )}
        {entry.direction === 'keep' &&
          (short && entry.recommendedLimitBytes! < process.memoryLimit.bytes ? (
            <span className="muted" title="Lowering is offered once a day of measurements is seen">
              Keep for now
            </span>
          ) : (
            <span className="muted">Keep</span>
          ))}
      </td>
    </tr>
  );
}

/** The window's warning and the workers, in words under the table. */
function AdviceNotes({ app, advice }: { app: App; advice: AppMemoryAdvice }) {
  const measured = advice.processes.filter((entry) => entry.recommendedLimitBytes !== null);
  const shortest = Math.min(...measured.map((entry) => entry.windowMs));
  const workers = advice.processes.filter((entry) => entry.workers !== null);
  return (
    <div className="memory-advice__notes">
      {measured.length > 0 && shortest < DAY_MS && (
        <p className="memory-advice__warning" role="note">
          Under a day of measurements: {formatWindow(shortest)} so far (ScaleDesk keeps up to a day,
          from when it connected). A daily peak, a nightly job or a monthly report may not be in it:
          raising is safe; lowering is offered once a day has been seen.
        </p>
      )}
      {workers.map((entry) => (
        <WorkerNote key={entry.process} app={app} entry={entry} headroom={advice.headroom} />
      ))}
    </div>
  );
}

function WorkerNote({
  app,
  entry,
  headroom,
}: {
  app: App;
  entry: ProcessMemoryAdvice;
  headroom: number;
}) {
  const workers = entry.workers!;
  const process = app.processes.find((p) => p.name === entry.process);
  if (!process) return null;
  const parts: string[] = [];
  if (workers.perWorkerBytes === null) {
    parts.push(
      process.workers?.configFile && process.workers.count === null
        ? `the worker count is set by the config file (${process.workers.configFile}), so memory per worker is not known`
        : 'memory per worker not measured yet',
    );
  } else {
    parts.push(`${formatBytes(workers.perWorkerBytes)} per worker now`);
  }
  if (workers.fitCount !== null) {
    parts.push(
      `${plural(workers.fitCount, 'worker')} fit under its ${formatBytes(process.memoryLimit.bytes)} limit with ${Math.round(headroom * 100)} % to spare`,
    );
  }
  if (workers.perCoreRange && workers.cores !== null) {
    const [low, high] = workers.perCoreRange;
    parts.push(
      `${low === high ? low : `${low}–${high}`} for ${plural(workers.cores, 'CPU core')} (2 to 4 per core)`,
    );
  }
  return (
    <p className="memory-advice__workers">
      <strong>{entry.process} workers:</strong> {parts.join('; ')}.
    </p>
  );
}
