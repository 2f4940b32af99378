import { Metrics, type KubeConfig } from '@kubernetes/client-node';
import type { ScaleDeskError } from '../../shared/errors';
import { toClusterError } from '../kube/cluster-errors';
import { readPodMemory } from '../model/memory-usage';

/**
 * The memory in use per pod as of the last metrics read: one request per interval (for the
 * session's namespace, or one for all), the figures kept until the next read replaces them, and
 * the error of the last read where it failed (the connection shows it).
 */

export interface PodMetricsOptions {
  kubeConfig: KubeConfig;
  /** null: all namespaces. */
  namespace: string | null;
  contextName: string;
  server: string;
}

export class PodMetrics {
  private readonly client: Metrics;
  private memory = new Map<string, number>();
  private lastError: ScaleDeskError | null = null;
  private requestCount = 0;

  constructor(private readonly options: PodMetricsOptions) {
    this.client = new Metrics(options.kubeConfig);
  }

  /** Metrics requests made so far. */
  get requests(): number {
    return this.requestCount;
  }

  /** Why the last read failed; null after a good one. */
  get error(): ScaleDeskError | null {
    return this.lastError;
  }

  /** Bytes in use by the pod (`namespace/name`), where the last read had it. */
  memoryOf(podKey: string): number | undefined {
    return this.memory.get(podKey);
  }

  /**
   * Reads the metrics once; returns the pods whose figure changed (appeared, moved or went), or
   * null where the read failed and the figures there were are kept.
   */
  async refresh(timeoutMs: number): Promise<string[] | null> {
    const { namespace, contextName, server } = this.options;
    this.requestCount++;
    let next: Map<string, number>;
    try {
      next = await readPodMemory(this.client, namespace, timeoutMs, {
        context: contextName,
        server,
      });
    } catch (error) {
      this.lastError = toClusterError(error, {
        verb: 'list',
        resource: 'pods.metrics.k8s.io',
        namespace,
        context: contextName,
        server,
      });
      return null;
    }
    this.lastError = null;
    const changed: string[] = [];
    for (const [key, bytes] of next) if (this.memory.get(key) !== bytes) changed.push(key);
    for (const key of this.memory.keys()) if (!next.has(key)) changed.push(key);
    this.memory = next;
    return changed;
  }
}
