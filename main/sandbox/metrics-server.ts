import type { Kubelet, PodSample } from './kubelet';
import type { KubeObject, Node } from './kube-types';
import type { ObjectStore } from './object-store';
import { formatKibibytes, formatNanocores } from './quantity';
import { TYPES } from './resource-types';
import { fieldMatcher, labelMatcher, combine } from './selectors';
import { notFound } from './api-errors';

/**
 * metrics-server: scrapes the kubelets every interval (15 s by default, as the real one) and
 * serves the last scrape as `metrics.k8s.io/v1beta1` PodMetrics and NodeMetrics, which is what
 * `kubectl top` and client-node's Metrics class read. A pod appears once it has run through a
 * scrape; a container waiting in CrashLoopBackOff has no metrics, as on a real cluster.
 */

const NODE_OVERHEAD_BYTES = 1.3 * 1024 ** 3;
const NODE_OVERHEAD_CORES = 0.18;

interface PodMetricsItem {
  kind: 'PodMetrics';
  apiVersion: 'metrics.k8s.io/v1beta1';
  metadata: {
    name: string;
    namespace: string;
    creationTimestamp: string;
    labels: Record<string, string>;
  };
  timestamp: string;
  window: string;
  containers: { name: string; usage: { cpu: string; memory: string } }[];
}

interface NodeMetricsItem {
  kind: 'NodeMetrics';
  apiVersion: 'metrics.k8s.io/v1beta1';
  metadata: { name: string; creationTimestamp: string; labels: Record<string, string> };
  timestamp: string;
  window: string;
  usage: { cpu: string; memory: string };
}

export class MetricsServer {
  private pods = new Map<string, PodMetricsItem>();
  private nodes: NodeMetricsItem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(samples: PodSample[]) => void>();

  constructor(
    private readonly store: ObjectStore,
    private readonly kubelet: Kubelet,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.scrape();
    this.timer = setInterval(() => this.scrape(), this.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Called after each scrape with the raw samples (the load model and tests listen). */
  onScrape(listener: (samples: PodSample[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  scrape(): void {
    const samples = this.kubelet.sample();
    const timestamp = new Date().toISOString();
    const window = `${Math.max(1, Math.round(this.intervalMs / 1000))}s`;
    const pods = new Map<string, PodMetricsItem>();
    const perNode = new Map<string, { memory: number; cpu: number }>();
    for (const s of samples) {
      pods.set(`${s.namespace}/${s.name}`, {
        kind: 'PodMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {
          name: s.name,
          namespace: s.namespace,
          creationTimestamp: timestamp,
          labels: s.labels,
        },
        timestamp,
        window,
        containers: s.containers.map((c) => ({
          name: c.name,
          usage: { cpu: formatNanocores(c.cpuCores), memory: formatKibibytes(c.memoryBytes) },
        })),
      });
      const n = perNode.get(s.node) ?? { memory: 0, cpu: 0 };
      for (const c of s.containers) {
        n.memory += c.memoryBytes;
        n.cpu += c.cpuCores;
      }
      perNode.set(s.node, n);
    }
    this.pods = pods;
    this.nodes = ([...this.store.each(TYPES.nodes)] as Node[]).map((node) => {
      const name = node.metadata.name ?? '';
      const used = perNode.get(name) ?? { memory: 0, cpu: 0 };
      return {
        kind: 'NodeMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: { name, creationTimestamp: timestamp, labels: node.metadata.labels ?? {} },
        timestamp,
        window,
        usage: {
          cpu: formatNanocores(used.cpu + NODE_OVERHEAD_CORES),
          memory: formatKibibytes(used.memory + NODE_OVERHEAD_BYTES),
        },
      };
    });
    for (const listener of this.listeners) listener(samples);
  }

  listPods(
    namespace: string | undefined,
    labelSelector?: string | null,
    fieldSelector?: string | null,
  ): object {
    const match = combine(labelMatcher(labelSelector), fieldMatcher(fieldSelector));
    const items = [...this.pods.values()]
      .filter((p) => namespace === undefined || p.metadata.namespace === namespace)
      .filter((p) => match(p as unknown as KubeObject))
      .sort(
        (a, b) =>
          a.metadata.namespace.localeCompare(b.metadata.namespace) ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
    return { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items };
  }

  getPod(namespace: string, name: string): object {
    const item = this.pods.get(`${namespace}/${name}`);
    if (!item) throw notFound('pods', 'metrics.k8s.io', name);
    return item;
  }

  listNodes(labelSelector?: string | null, fieldSelector?: string | null): object {
    const match = combine(labelMatcher(labelSelector), fieldMatcher(fieldSelector));
    return {
      kind: 'NodeMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: this.nodes.filter((n) => match(n as unknown as KubeObject)),
    };
  }

  getNode(name: string): object {
    const item = this.nodes.find((n) => n.metadata.name === name);
    if (!item) throw notFound('nodes', 'metrics.k8s.io', name);
    return item;
  }
}
