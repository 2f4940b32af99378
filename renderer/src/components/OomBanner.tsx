import type { App } from '../../../shared/app-model';
import { StartButton } from './StartButton';
import './OomBanner.css';

interface OomBannerProps {
  app: App;
  /** Takes the admin to the worker slider of the process that can use fewer workers; absent
   * where no process runs gunicorn. */
  onFewerWorkers?: () => void;
}

/** Said plainly when the app was stopped by its memory limit, with the ways out. */
export function OomBanner({ app, onFewerWorkers }: OomBannerProps) {
  return (
    <section className="oom-banner" role="alert" aria-labelledby="oom-banner-title">
      <div className="oom-banner__text">
        <h2 id="oom-banner-title">{app.name} was stopped: it reached its memory limit</h2>
        <p>{app.status.message}</p>
        <p className="oom-banner__lead">Ways out:</p>
        <ul className="oom-banner__ways">
          <li>
            {onFewerWorkers ? (
              <button type="button" className="button button--small" onClick={onFewerWorkers}>
                Use fewer workers
              </button>
            ) : (
              'Use fewer gunicorn workers'
            )}{' '}
            <span className="muted">Each worker holds its own copy of the app's data.</span>
          </li>
          <li>
            Keep datasets in a memory-mapped format such as <strong>Arrow</strong>, read lazily
            (e.g. with Vaex), instead of loading them whole.
          </li>
          <li>Run queries and aggregations in the database, not in Python memory.</li>
          <li>
            Ask an administrator for a higher memory limit. A custom limit restarts the app; after a
            change of the default, start it again here.
          </li>
        </ul>
      </div>
      <div className="oom-banner__action">
        <StartButton app={app} />
      </div>
    </section>
  );
}
