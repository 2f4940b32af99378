import {
  ApisApi,
  AutoscalingV1Api,
  AutoscalingV2Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type V1APIGroupList,
  type V1ListMeta,
} from '@kubernetes/client-node';
import { withTimeout } from '../kube/cluster-errors';
import type { ResourceWatch, WatchHealth, WatchStats } from '../kube/resource-watch';
import {
  HPA_V1,
  HPA_V2,
  KEDA_API_VERSION,
  type ScaledObject,
  type WatchedAutoscaler,
} from '../model/autoscalers';
import type { WatchSpec } from './watch-set';

/**
 * The watches of who else sets replica counts: HorizontalPodAutoscalers and KEDA ScaledObjects.
 * Which version to watch, and whether to watch at all, is the cluster's to say (one discovery
 * request, `GET /apis`, shared by both): HPAs at autoscaling/v2, or v1 where only that is served
 * (clusters before 1.23 serve v2beta2, which ScaleDesk does not read); ScaledObjects only where
 * KEDA's `keda.sh/v1alpha1` is served. Both are optional: a user who may not list them, or a
 * cluster that serves neither, leaves processes without an autoscaler shown, not an error.
 */

const EMPTY = new Map<string, never>();
const NO_STATS: WatchStats = { lists: 0, watches: 0, gone: 0 };

/** A watch of a version learned first from discovery; null from `discover`: not served. */
export class DiscoveredWatch<T extends KubernetesObject> {
  private inner: ResourceWatch<T> | null = null;
  private health: WatchHealth = { state: 'listing', synced: false, error: null };
  private running: Promise<void> | null = null;
  private stopped = false;
  /** The API version watched; null until discovery answered (or where none is served). */
  version: string | null = null;

  constructor(
    private readonly options: {
      discover: () => Promise<string | null>;
      make: (version: string) => ResourceWatch<T>;
      /** The watch ended before it began (not served): the set checks its first sync again. */
      gaveUp: (health: WatchHealth) => void;
    },
  ) {}

  get items(): ReadonlyMap<string, T> {
    return this.inner?.items ?? EMPTY;
  }
  get currentHealth(): WatchHealth {
    return this.inner?.currentHealth ?? this.health;
  }
  get streaming(): boolean {
    return this.inner?.streaming ?? false;
  }
  get stats(): WatchStats {
    return this.inner?.stats ?? NO_STATS;
  }
  get wakeable(): boolean {
    return this.inner?.wakeable ?? false;
  }
  wake(maxJitterMs: number): boolean {
    return this.inner?.wake(maxJitterMs) ?? false;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await this.inner?.stop();
  }

  private async run(): Promise<void> {
    const version = await this.options.discover();
    if (this.stopped) return;
    if (version === null) {
      this.health = { state: 'stopped', synced: false, error: null };
      this.options.gaveUp(this.health);
      return;
    }
    this.version = version;
    this.inner = this.options.make(version);
    this.inner.start();
  }
}

/** The groups and versions the cluster serves, asked once; null where discovery failed. */
function servedGroups(
  kubeConfig: KubeConfig,
  timeoutMs: number,
): () => Promise<V1APIGroupList | null> {
  let asked: Promise<V1APIGroupList | null> | null = null;
  return () =>
    (asked ??= withTimeout(kubeConfig.makeApiClient(ApisApi).getAPIVersions(), timeoutMs).catch(
      () => null,
    ));
}

function serves(groups: V1APIGroupList, groupVersion: string): boolean {
  return groups.groups.some((g) => g.versions.some((v) => v.groupVersion === groupVersion));
}

export interface AutoscalerWatchesOptions {
  kubeConfig: KubeConfig;
  namespace: string | null;
  requestTimeoutMs: number;
  /** The set's own watch factory (its timing, error context and event fan-out). */
  watch: <T extends KubernetesObject>(spec: WatchSpec<T>) => ResourceWatch<T>;
  /** An HPA or ScaledObject of the namespace changed. */
  changed: (namespace: string) => void;
  gaveUp: (health: WatchHealth) => void;
}

export function autoscalerWatches(options: AutoscalerWatchesOptions): {
  hpas: DiscoveredWatch<WatchedAutoscaler>;
  scaledObjects: DiscoveredWatch<ScaledObject>;
} {
  const { kubeConfig, namespace: ns, watch, changed, gaveUp } = options;
  const groups = servedGroups(kubeConfig, options.requestTimeoutMs);
  const scope = ns === null ? '' : `/namespaces/${encodeURIComponent(ns)}`;

  const hpas = new DiscoveredWatch<WatchedAutoscaler>({
    // Where discovery does not answer, v2 (served by every supported Kubernetes) is tried.
    discover: async () => {
      const served = await groups();
      return served === null || serves(served, HPA_V2)
        ? HPA_V2
        : serves(served, HPA_V1)
          ? HPA_V1
          : null;
    },
    make: (version) => {
      const v2 = version === HPA_V2;
      const v2Api = kubeConfig.makeApiClient(AutoscalingV2Api);
      const v1Api = kubeConfig.makeApiClient(AutoscalingV1Api);
      return watch<WatchedAutoscaler>({
        resource: 'horizontalpodautoscalers',
        path: `/apis/${version}${scope}/horizontalpodautoscalers`,
        type: v2 ? 'V2HorizontalPodAutoscaler' : 'V1HorizontalPodAutoscaler',
        list: (page): Promise<{ metadata?: V1ListMeta; items: WatchedAutoscaler[] }> =>
          v2
            ? ns === null
              ? v2Api.listHorizontalPodAutoscalerForAllNamespaces(page)
              : v2Api.listNamespacedHorizontalPodAutoscaler({ namespace: ns, ...page })
            : ns === null
              ? v1Api.listHorizontalPodAutoscalerForAllNamespaces(page)
              : v1Api.listNamespacedHorizontalPodAutoscaler({ namespace: ns, ...page }),
        onEvent: (_type, object) => changed(object.metadata?.namespace ?? ''),
        optional: true,
      });
    },
    gaveUp,
  });

  const [group, version] = KEDA_API_VERSION.split('/') as [string, string];
  const scaledObjects = new DiscoveredWatch<ScaledObject>({
    discover: async () => {
      const served = await groups();
      // Not known: asked anyway; an optional watch gives up quietly on a 404.
      return served === null || serves(served, KEDA_API_VERSION) ? KEDA_API_VERSION : null;
    },
    make: () => {
      const custom = kubeConfig.makeApiClient(CustomObjectsApi);
      return watch<ScaledObject>({
        resource: 'scaledobjects',
        path: `/apis/${KEDA_API_VERSION}${scope}/scaledobjects`,
        // Not a client-node model: the serializer hands the JSON back as it came.
        type: 'object',
        list: async (page) => {
          const plural = 'scaledobjects';
          const list: unknown =
            ns === null
              ? await custom.listClusterCustomObject({ group, version, plural, ...page })
              : await custom.listNamespacedCustomObject({
                  group,
                  version,
                  namespace: ns,
                  plural,
                  ...page,
                });
          return scaledObjectList(list);
        },
        onEvent: (_type, object) => changed(object.metadata?.namespace ?? ''),
        optional: true,
      });
    },
    gaveUp,
  });
  return { hpas, scaledObjects };
}

/** A custom object list (untyped JSON) as the watch's list. */
function scaledObjectList(list: unknown): { metadata?: V1ListMeta; items: ScaledObject[] } {
  const read = (list ?? {}) as { metadata?: V1ListMeta; items?: unknown };
  const items = Array.isArray(read.items) ? (read.items as ScaledObject[]) : [];
  return { ...(read.metadata ? { metadata: read.metadata } : {}), items };
}
