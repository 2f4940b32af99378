import { Metrics, type KubeConfig } from '@kubernetes/client-node';
import type { MetricsAvailability } from '../../shared/contract';
import type { ScaleDeskError } from '../../shared/errors';
import { toClusterError } from '../kube/cluster-errors';
import { readPodMemory } from '../model/memory-usage';
import { NO_METRICS_YET } from './connection-state';

/**
 * The memory in use per pod as of the last metrics read, and whether the metrics API serves
 * figures at all (the contract's MetricsAvailability):
 *
 * - `ok`: the last read succeeded; the figures are current.
 * - `absent` (404: no metrics-server) and `forbidden` (403): asking again at every interval would
 *   cost a request each time for an answer that changes only when an admin installs
 *   metrics-server or grants a role, so the API is asked again only every `recheckMs` (and at
 *   once by a new session, which is what reconnecting makes). The figures are dropped: there
 *   are none to show.
 * - `failing` (5xx, a timeout, the cluster not answering): asked again at every interval, so it
 *   recovers by itself at the next good read. The last figures are kept, but they are no longer
 *   current: `lastSampleAt` says when they were read, the UI marks them stale with that time,
 *   and the history records no memory meanwhile (`current` is false).
 */

/** How often an absent or forbidden metrics API is asked again. */
export const METRICS_RECHECK_MS = 5 * 60_000;

/** Said where the metrics API is not served. */
export const NO_METRICS_SERVER =
  'This cluster has no metrics-server: the metrics API (metrics.k8s.io) is not served, so memory in use cannot be shown.';

export interface PodMetricsOptions {
  kubeConfig: KubeConfig;
  /** null: all namespaces. */
  namespace: string | null;
  contextName: string;
  server: string;
  /** How long an absent or forbidden metrics API is left alone; METRICS_RECHECK_MS by default. */
  recheckMs?: number;
  /** One read of the metrics API; client-node's Metrics by default (tests pass their own). */
  read?: (timeoutMs: number) => Promise<Map<string, number>>;
}

export class PodMetrics {
  private readonly read: (timeoutMs: number) => Promise<Map<string, number>>;
  private readonly recheckMs: number;
  private memory = new Map<string, number>();
  private lastError: ScaleDeskError | null = null;
  private requestCount = 0;
  private state: MetricsAvailability = NO_METRICS_YET;
  /** No read before this time (epoch ms): set while the API is absent or forbidden. */
  private quietUntil = 0;

  constructor(private readonly options: PodMetricsOptions) {
    this.recheckMs = options.recheckMs ?? METRICS_RECHECK_MS;
    if (options.read) this.read = options.read;
    else {
      const client = new Metrics(options.kubeConfig);
      const where = { context: options.contextName, server: options.server };
      this.read = (timeoutMs) => readPodMemory(client, options.namespace, timeoutMs, where);
    }
  }

  /** Metrics requests made so far. */
  get requests(): number {
    return this.requestCount;
  }

  /** Why the last read failed; null after a good one. */
  get error(): ScaleDeskError | null {
    return this.lastError;
  }

  /** Whether the metrics API serves figures, and when the last good ones were read. */
  get availability(): MetricsAvailability {
    return this.state;
  }

  /** The figures are those of a read that just succeeded: they may go into the history. */
  get current(): boolean {
    return this.state.state === 'ok';
  }

  /** Bytes in use by the pod (`namespace/name`), where the last read had it. */
  memoryOf(podKey: string): number | undefined {
    return this.memory.get(podKey);
  }

  /**
   * Reads the metrics once, unless the API is absent or forbidden and not due to be asked
   * again; returns the pods whose figure changed (appeared, moved or went), or null where
   * nothing changed without a read or the read failed and the figures there were are kept.
   */
  async refresh(timeoutMs: number): Promise<string[] | null> {
    if (Date.now() < this.quietUntil) return null;
    const { namespace, contextName, server } = this.options;
    this.requestCount++;
    let next: Map<string, number>;
    try {
      next = await this.read(timeoutMs);
    } catch (error) {
      const failure = toClusterError(error, {
        verb: 'list',
        resource: 'pods.metrics.k8s.io',
        namespace,
        context: contextName,
        server,
      });
      this.lastError = failure;
      return this.failed(failure);
    }
    this.lastError = null;
    this.quietUntil = 0;
    this.state = { state: 'ok', lastSampleAt: new Date().toISOString(), message: null };
    return this.replace(next);
  }

  private failed(error: ScaleDeskError): string[] | null {
    const { lastSampleAt } = this.state;
    if (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') {
      this.quietUntil = Date.now() + this.recheckMs;
      this.state =
        error.code === 'NOT_FOUND'
          ? { state: 'absent', lastSampleAt, message: NO_METRICS_SERVER }
          : { state: 'forbidden', lastSampleAt, message: this.forbiddenMessage() };
      return this.replace(new Map());
    }
    this.state = {
      state: 'failing',
      lastSampleAt,
      message: `The metrics API is not answering. ${error.message}`,
    };
    return null;
  }

  private forbiddenMessage(): string {
    const { namespace } = this.options;
    const where = namespace === null ? 'in all namespaces' : `in namespace "${namespace}"`;
    return `You may not read pods.metrics.k8s.io ${where}, so memory in use cannot be shown. An admin can grant "get" and "list" on pods.metrics.k8s.io.`;
  }

  /** Takes the figures of a read; returns the pods whose figure changed. */
  private replace(next: Map<string, number>): string[] {
    const changed: string[] = [];
    for (const [key, bytes] of next) if (this.memory.get(key) !== bytes) changed.push(key);
    for (const key of this.memory.keys()) if (!next.has(key)) changed.push(key);
    this.memory = next;
    return changed;
  }
}
