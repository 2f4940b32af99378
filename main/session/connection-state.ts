import type { Connection, MetricsAvailability } from '../../shared/contract';
import type { ScaleDeskError } from '../../shared/errors';
import { isTransient } from '../kube/cluster-errors';
import type { EventBus } from '../transport/event-bus';

/**
 * The contract's `Connection` of one session, worked out from the watches' health, the first
 * sync, the last metrics read and whether the cluster throttles, and sent as a `connection` event
 * only when what the user sees of it (state, error, metrics, throttling) changed, not at every
 * interval.
 */

/** Which session this is: fixed for its life. */
export interface ConnectionIdentity {
  context: string;
  namespace: string | null;
  source: Connection['source'];
  kubeconfigPaths: string[];
  /** The API server's URL; empty where the kubeconfig has none. */
  server: string;
}

/** What the state is read from, asked each time it is worked out. */
export interface ConnectionInputs {
  /** The error of a watch the model cannot do without, where one is failing. */
  watchError(): ScaleDeskError | null;
  /** Every watch has listed once. */
  synced(): boolean;
  /** The last metrics read's error; null after a good one. */
  metricsError(): ScaleDeskError | null;
  /** Whether the metrics API serves figures, and when the last good one was read. */
  metrics(): MetricsAvailability;
  /** Whether the cluster throttles the session's requests (session/throttling.ts). */
  throttling: ThrottlingSource;
}

/** What the state reads of throttling: since when, and a word when that changes. */
export interface ThrottlingSource {
  /** Since when the cluster has throttled requests (ISO time); null while it does not. */
  since(): string | null;
  onChange(listener: () => void): () => void;
  stop(): void;
}

/** Before the first metrics read. */
export const NO_METRICS_YET: MetricsAvailability = {
  state: 'unknown',
  lastSampleAt: null,
  message: null,
};

/**
 * A metrics read that failed because the cluster did not answer (a network error: the open
 * watches may be dead too) or throttles, rather than because metrics-server is missing or
 * failing (a 404 or 503 of its own, which leaves the model as current as ever).
 */
export function clusterFailedMetrics(error: ScaleDeskError | null): boolean {
  if (!error) return false;
  if (error.code === 'THROTTLED') return true;
  return error.code === 'UNREACHABLE' && Boolean(error.details?.['code']);
}

export class ConnectionState {
  private lastLiveAt: string | null = null;
  private lastSent: Connection | null = null;
  private stopped = false;

  constructor(
    private readonly identity: ConnectionIdentity,
    private readonly inputs: ConnectionInputs,
    private readonly bus: EventBus,
  ) {
    // Throttling starts and ends between the watches' health changes: it is sent when it does.
    inputs.throttling.onChange(() => this.emitIfChanged());
  }

  current(): Connection {
    const metricsError = this.inputs.metricsError();
    let error = this.inputs.watchError();
    let state: Connection['state'];
    if (this.stopped) state = 'disconnected';
    // Not answering and throttling both pass: what is shown is kept, marked stale meanwhile.
    else if (error) state = isTransient(error) ? 'stale' : 'error';
    else if (!this.inputs.synced()) state = 'connecting';
    else if (clusterFailedMetrics(metricsError)) {
      state = 'stale';
      error = metricsError;
    } else state = 'live';
    const now = new Date().toISOString();
    if (state === 'live') this.lastLiveAt = now;
    return {
      state,
      context: this.identity.context,
      namespace: this.identity.namespace,
      source: this.identity.source,
      kubeconfigPaths: this.identity.kubeconfigPaths,
      server: this.identity.server || null,
      error: error ? { code: error.code, message: error.message } : null,
      syncedAt: state === 'live' ? now : this.lastLiveAt,
      metrics: this.inputs.metrics(),
      throttledSince: this.inputs.throttling.since(),
    };
  }

  /** Sends the state where its state or error differs from the last sent. */
  emitIfChanged(): void {
    if (this.stopped) return;
    const next = this.current();
    const last = this.lastSent;
    if (
      last &&
      last.state === next.state &&
      last.error?.code === next.error?.code &&
      last.error?.message === next.error?.message &&
      last.metrics.state === next.metrics.state &&
      last.metrics.message === next.metrics.message &&
      last.throttledSince === next.throttledSince
    ) {
      return;
    }
    this.lastSent = next;
    this.bus.emit('connection', next);
  }

  /** From now on the connection is `disconnected` and nothing more is sent. */
  stop(): void {
    this.stopped = true;
    this.inputs.throttling.stop();
  }
}
