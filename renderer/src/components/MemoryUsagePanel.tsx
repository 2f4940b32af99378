import { useState } from 'react';
import type { App, Process } from '../../../shared/app-model';
import type { HistoryWindow } from '../../../shared/contract';
import { useHistory } from '../state/useHistory';
import { useMetricsAvailability } from '../state/StoreContext';
import { isMemoryStale, metricsShortNote } from '../format/metrics-availability';
import { formatBytes } from '../../../shared/format';
import { MemoryGauge } from './MemoryGauge';
import { MemoryChart } from './MemoryChart';
import { WindowPicker } from './WindowPicker';
import { ErrorNotice } from './ErrorNotice';
import './MemoryUsagePanel.css';
import { limitText } from './MemoryLimitFigure';

/** The app's memory: used of maximum, the split per process and workspace, and over time. */
export function MemoryUsagePanel({ app }: { app: App }) {
  const [window, setWindow] = useState<HistoryWindow>('15m');
  const [zoomed, setZoomed] = useState(false);
  const history = useHistory(app.namespace, app.name, window);
  const metrics = useMetricsAvailability();
  const parts: Process[] = [...app.processes, ...(app.workspace ? [app.workspace] : [])];
  const series = parts.map((part) => part.name);

  return (
    <section className="card memory-panel" aria-labelledby="memory-panel-title">
      <div className="card__header">
        <h2 id="memory-panel-title">Memory Usage</h2>
        <span className="muted memory-panel__note">
          Processes and workspace; managed Redis and Postgres not counted.
        </span>
      </div>
      <div className="card__body memory-panel__body">
        <div className="memory-panel__summary">
          <MemoryGauge
            usedBytes={app.memory.usedBytes}
            maxBytes={app.memory.maxBytes}
            metrics={metrics}
          />
          <MemorySplit
            parts={parts}
            staleAs={isMemoryStale(metrics) ? metricsShortNote(metrics) : null}
          />
        </div>
        <div className="memory-panel__chart">
          <div className="memory-panel__chart-header">
            <span className="section-title">Over time</span>
            {zoomed && (
              <span className="muted memory-panel__limit-note">
                limit {formatBytes(app.memory.maxBytes)}, above the scale
              </span>
            )}
            <span className="memory-panel__spacer" />
            <button
              type="button"
              className="button button--small button--quiet"
              aria-pressed={zoomed}
              onClick={() => setZoomed((value) => !value)}
              title="Scale the chart to the usage rather than up to the limit"
            >
              Zoom to usage
            </button>
            <WindowPicker value={window} onChange={setWindow} label="Memory chart window" />
          </div>
          {history.error ? (
            <ErrorNotice error={history.error} />
          ) : (
            <MemoryChart
              samples={history.samples}
              series={series}
              limitBytes={app.memory.maxBytes}
              fit={zoomed ? 'usage' : 'limit'}
              metrics={metrics}
            />
          )}
        </div>
      </div>
    </section>
  );
}

/**
 * Used and limit per process and workspace; the swatches match the chart's lines. `staleAs`
 * ("as of 10:42") where the used figures are the last good ones, not the value now.
 */
function MemorySplit({ parts, staleAs }: { parts: readonly Process[]; staleAs: string | null }) {
  return (
    <div className="memory-split">
      <table className="data-table memory-split__table">
        <caption className="visually-hidden">Memory per process and workspace</caption>
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col" className="num">
              {staleAs ? `Used, ${staleAs}` : 'Used'}
            </th>
            <th scope="col" className="num">
              Limit
            </th>
          </tr>
        </thead>
        <tbody>
          {parts.map((part, index) => {
            const replicas = part.replicas.desired;
            return (
              <tr key={part.name}>
                <td>
                  <span
                    className="memory-split__swatch"
                    style={{ background: `var(--chart-${(index % 6) + 1})` }}
                    aria-hidden="true"
                  />
                  {part.name}
                </td>
                <td className={staleAs ? 'num muted' : 'num'}>
                  {formatBytes(part.memoryUsedBytes)}
                </td>
                <td
                  className="num muted"
                  title={`Limit per replica: ${limitText(part.memoryLimit.bytes, part.memoryLimit.source)}`}
                >
                  {replicas} × {formatBytes(part.memoryLimit.bytes)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
