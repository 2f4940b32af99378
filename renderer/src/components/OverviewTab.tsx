import { useState } from 'react';
import type { App, EndpointHealth, Process } from '../../../shared/app-model';
import type { HistoryWindow } from '../../../shared/contract';
import { kubectlRolloutRestart, workloadOf } from '../../../shared/kubectl-command';
import { useMemoryAsOf, useStore } from '../state/StoreContext';
import { useHistory } from '../state/useHistory';
import { useOperation } from '../state/useOperation';
import { formatBytes, plural } from '../../../shared/format';
import { describeWorkerCount, knownWorkerCount } from '../../../shared/gunicorn-workers';
import { formatUsedOf } from '../format/memory';
import { processState } from '../format/process-state';
import { formatAgo, formatClock, formatFull } from '../format/time';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice } from './ErrorNotice';
import { HealthChart } from './HealthChart';
import { KubectlCommand } from './KubectlCommand';
import { OldDefaultNotice } from './OldDefaultNotice';
import { OperationStatus } from './OperationStatus';
import { PermissionNote } from './PermissionNote';
import { StartButton } from './StartButton';
import { StatusBadge } from './StatusBadge';
import { WindowPicker } from './WindowPicker';
import './OverviewTab.css';

/** The Overview tab: how the app is doing, at a glance, and Restart (or Start). */
export function OverviewTab({ app, onOpenScale }: { app: App; onOpenScale: () => void }) {
  const stopped = app.status.kind === 'oom-stopped' || app.status.kind === 'scaled-to-zero';
  const memoryAsOf = useMemoryAsOf();
  return (
    <div className="overview-tab">
      <section className="card overview-tab__status" aria-labelledby="overview-status-title">
        <div className="card__body overview-tab__status-body">
          <div className="overview-tab__status-text">
            <h2 id="overview-status-title" className="visually-hidden">
              Status
            </h2>
            <StatusBadge status={app.status} />
            <p>{app.status.message}</p>
            <OldDefaultNotice app={app} stopped={stopped} />
            <dl className="overview-tab__facts">
              <div>
                <dt>Last restart</dt>
                <dd title={formatFull(app.lastRestartAt)}>{formatAgo(app.lastRestartAt)}</dd>
              </div>
              <div>
                <dt>Last change</dt>
                <dd title={formatFull(app.lastChangeAt)}>{formatAgo(app.lastChangeAt)}</dd>
              </div>
              <div>
                <dt>{memoryAsOf ? `Memory, as of ${formatClock(memoryAsOf)}` : 'Memory'}</dt>
                <dd className={`numeric${memoryAsOf ? ' memory-figure--stale' : ''}`}>
                  {formatUsedOf(app.memory.usedBytes, app.memory.maxBytes)}
                </dd>
              </div>
            </dl>
          </div>
          <div className="overview-tab__actions">
            {stopped ? <StartButton app={app} /> : <RestartButton app={app} />}
          </div>
        </div>
      </section>

      <EndpointPanel app={app} />

      <section className="card" aria-labelledby="overview-processes-title">
        <div className="card__header">
          <h2 id="overview-processes-title">Processes</h2>
          <button
            type="button"
            className="button button--small button--quiet overview-tab__to-scale"
            onClick={onOpenScale}
          >
            Scale →
          </button>
        </div>
        <div className="card__body">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Process</th>
                <th scope="col">Procfile</th>
                <th scope="col" className="num">
                  Ready
                </th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Workers
                </th>
                <th scope="col" className="num">
                  {memoryAsOf ? `Memory, as of ${formatClock(memoryAsOf)}` : 'Memory'}
                </th>
                <th scope="col" className="num">
                  Restarts
                </th>
              </tr>
            </thead>
            <tbody>
              {[...app.processes, ...(app.workspace ? [app.workspace] : [])].map((process) => (
                <tr key={process.name}>
                  <th scope="row" className="overview-tab__process">
                    {process.name}
                  </th>
                  <td className="overview-tab__command">
                    <code title={process.command}>{process.command}</code>
                  </td>
                  <td className="num">
                    {process.replicas.ready}/{process.replicas.desired}
                  </td>
                  <td>
                    <ProcessStateText process={process} />
                  </td>
                  <td className="num">
                    {process.workers
                      ? (knownWorkerCount(process.workers) ?? describeWorkerCount(process.workers))
                      : '—'}
                  </td>
                  <td className={`num${memoryAsOf ? ' memory-figure--stale' : ''}`}>
                    {formatBytes(process.memoryUsedBytes)}
                  </td>
                  <td className="num">
                    {process.pods.reduce((sum, pod) => sum + pod.restarts, 0)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

/** The process's state in words, as its card on the Scale tab says it. */
function ProcessStateText({ process }: { process: Process }) {
  const state = processState(process);
  const short = process.replicas.ready < process.replicas.desired;
  const label = state.label || (short ? 'Not all ready' : 'Running');
  const tone = state.label ? state.tone : short ? 'warn' : 'ok';
  return (
    <span
      className={`overview-tab__state overview-tab__state--${tone}`}
      title={state.detail ?? undefined}
    >
      {label}
    </span>
  );
}

/** The endpoint's state as the badge says it. */
const ENDPOINT_STATE: Record<EndpointHealth['state'], { label: string; className: string }> = {
  answering: { label: 'Answering', className: 'overview-tab__answering--yes' },
  'not-answering': { label: 'Not answering', className: 'overview-tab__answering--no' },
  'cannot-check': { label: 'Cannot check', className: 'overview-tab__answering--unknown' },
};

function EndpointPanel({ app }: { app: App }) {
  const [window, setWindow] = useState<HistoryWindow>('15m');
  const history = useHistory(app.namespace, app.name, window);
  const latencyThreshold = useStore((state) => state.settings?.latencyThresholdMs ?? 500);
  const errorThreshold = useStore((state) => state.settings?.errorRateThreshold ?? 0.01);
  const endpoint = app.endpoint;
  const slow = endpoint?.latencyMs != null && endpoint.latencyMs > latencyThreshold;
  const failing = endpoint?.errorRate != null && endpoint.errorRate > errorThreshold;
  // Refused by the cluster (services/proxy): nothing is measured, and the charts say why not.
  const unmeasured =
    endpoint?.state === 'cannot-check' && !history.samples.some((s) => s.latencyMs !== null)
      ? 'Not measured: the cluster does not let you reach the app.'
      : null;
  return (
    <section className="card" aria-labelledby="overview-endpoint-title">
      <div className="card__header">
        <h2 id="overview-endpoint-title">Endpoint</h2>
        {endpoint ? (
          <span className={`overview-tab__answering ${ENDPOINT_STATE[endpoint.state].className}`}>
            {ENDPOINT_STATE[endpoint.state].label}
          </span>
        ) : (
          <span className="muted">Not checked yet</span>
        )}
        {endpoint && (
          <span className="muted overview-tab__checked" title={formatFull(endpoint.checkedAt)}>
            checked {formatAgo(endpoint.checkedAt)}
          </span>
        )}
        <span className="overview-tab__spacer" />
        <WindowPicker value={window} onChange={setWindow} label="Endpoint chart window" />
      </div>
      <div className="card__body">
        {endpoint?.message && (
          <p className="muted overview-tab__endpoint-message">{endpoint.message}</p>
        )}
        <div className="overview-tab__health">
          <div>
            <div className="overview-tab__metric">
              <span className="section-title">Response time</span>
              <span
                className={`numeric overview-tab__metric-value${slow ? ' overview-tab__over' : ''}`}
              >
                {endpoint?.latencyMs != null ? `${Math.round(endpoint.latencyMs)} ms` : '—'}
              </span>
              <span className="muted">alert above {latencyThreshold} ms</span>
            </div>
            <HealthChart
              samples={history.samples}
              metric="latency"
              threshold={latencyThreshold}
              unavailable={unmeasured}
            />
          </div>
          <div>
            <div className="overview-tab__metric">
              <span className="section-title">Error rate</span>
              <span
                className={`numeric overview-tab__metric-value${failing ? ' overview-tab__over' : ''}`}
              >
                {endpoint?.errorRate != null ? `${(endpoint.errorRate * 100).toFixed(1)}%` : '—'}
              </span>
              <span className="muted">alert above {(errorThreshold * 100).toFixed(1)}%</span>
            </div>
            <HealthChart
              samples={history.samples}
              metric="errors"
              threshold={errorThreshold}
              unavailable={unmeasured}
            />
          </div>
        </div>
      </div>
    </section>
  );
}

/** Restart, behind a confirmation that names what restarts. */
function RestartButton({ app }: { app: App }) {
  const [confirming, setConfirming] = useState(false);
  const restart = useOperation('app.restart');
  const context = useStore((state) => state.connection?.context ?? null);
  const permission = app.permissions.patch;
  const send = () => {
    setConfirming(false);
    void restart.run({ namespace: app.namespace, app: app.name });
  };
  // What main restarts: the processes that run (the workspace is restarted only by name).
  const restarted = app.processes.filter((process) => process.replicas.desired > 0);
  const names = restarted.map(
    (process) => `${process.name} (${plural(process.replicas.desired, 'replica')})`,
  );
  return (
    <div className="action-with-status">
      <button
        type="button"
        className="button"
        onClick={() => setConfirming(true)}
        disabled={permission.state === 'denied' || restart.pending}
        aria-busy={restart.pending}
        aria-describedby={permission.state === 'allowed' ? undefined : `restart-reason-${app.id}`}
      >
        {restart.pending && <span className="spinner" aria-hidden="true" />}
        Restart
      </button>
      <PermissionNote id={`restart-reason-${app.id}`} permission={permission} />
      {restart.value && (
        <OperationStatus operationId={restart.value.operationId} sentLabel="Restarting…" />
      )}
      {restart.error && (
        <ErrorNotice error={restart.error} onDismiss={restart.clear} onRetry={send} />
      )}
      {confirming && (
        <ConfirmDialog
          title={`Restart ${app.name}?`}
          confirmLabel="Restart"
          tone="danger"
          onConfirm={send}
          onCancel={() => setConfirming(false)}
        >
          <p>
            This restarts {names.length > 0 ? joinNames(names) : 'the app'}: each replica is
            replaced by a new one, a few at a time, as <code>kubectl rollout restart</code> does.
          </p>
          {app.workspace && <p>The workspace keeps running.</p>}
          <KubectlCommand
            command={kubectlRolloutRestart(
              { context, namespace: app.namespace },
              restarted.map(workloadOf),
            )}
          />
        </ConfirmDialog>
      )}
    </div>
  );
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
