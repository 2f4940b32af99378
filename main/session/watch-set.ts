import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1LimitRange,
  type V1Node,
  type V1Pod,
  type V1ResourceQuota,
  type V1Service,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import type { WorkloadKind } from '../../shared/app-model';
import type { ScaleDeskError } from '../../shared/errors';
import { isTransient } from '../kube/cluster-errors';
import {
  slimDeployment,
  slimLimitRange,
  slimNode,
  slimPod,
  slimResourceQuota,
  slimService,
  slimStatefulSet,
} from '../kube/object-slimming';
import type { ListPage, PageAnswer } from '../kube/paged-list';
import { RawListApi } from '../kube/raw-list';
import { ResourceWatch, type WatchEventType, type WatchHealth } from '../kube/resource-watch';
import type { WatchTiming } from '../kube/watch-timing';
import type { RoomSources } from '../model/namespace-room';
import { autoscalerWatches } from './autoscaler-watches';
import { FirstSyncWait } from './first-sync-wait';
import { NodePlacements, Placements } from './node-placements';

/**
 * The watches of one session (Deployments, StatefulSets, Pods, Services, LimitRanges,
 * ResourceQuotas, Nodes, autoscalers), as one set: it says what changed to whoever listens, when
 * the set first matched the cluster, and how healthy it is. Each watch's own store is the only
 * copy of its objects; the set hands them out read-only. A one-namespace set watches that
 * namespace and the nodes only: other namespaces' pods are read when node room is wanted.
 * The core resources are read as the server's JSON, each slimmed to what is read of it
 * (raw-list.ts, object-slimming.ts): at the first sync of a big cluster, client-node's model
 * deserialization of every pod was most of the time and of the heap.
 */

/** What the set tells its owner; each call comes after the watch's store took the change. */
export interface WatchSetListener {
  /** A Deployment or StatefulSet changed. */
  workloadChanged(
    kind: WorkloadKind,
    type: WatchEventType,
    workload: V1Deployment | V1StatefulSet,
  ): void;
  podChanged(type: WatchEventType, pod: V1Pod): void;
  limitRangesChanged(): void;
  quotasChanged(): void;
  /** A node changed, or a pod that takes a slot on one. */
  placementsChanged(): void;
  /** An HPA or KEDA ScaledObject changed (session/autoscaler-watches.ts). */
  autoscalersChanged?(namespace: string): void;
  /**
   * After every event of any watch. `urgent` for a Deployment's or StatefulSet's: it is what an
   * operation waits for, while pod events come in bursts.
   */
  eventApplied(urgent: boolean): void;
  /** Every watch has listed once (or given up, for an optional one). Called once. */
  firstSync(): void;
  /** A watch's health changed, or a watch listed again after the first sync. */
  healthChanged(): void;
  /**
   * A watch failed because the cluster did not answer, failed on its side or throttles, and is
   * backing off: the cluster answering again is worth knowing at once (see `wake`).
   */
  troubled(): void;
}

export interface WatchSetOptions {
  kubeConfig: KubeConfig;
  contextName: string;
  /** null: all namespaces. */
  namespace: string | null;
  /** The API server's URL, for error messages. */
  server: string;
  timing: WatchTiming;
  listener: WatchSetListener;
}

/** Requests made by the watches, per watch name. */
export interface WatchRequestStats {
  lists: Record<string, number>;
  watches: Record<string, number>;
  gone: Record<string, number>;
  /** Watch streams open now. */
  streams: number;
}

type WatchHandle = Pick<
  ResourceWatch<KubernetesObject>,
  'currentHealth' | 'streaming' | 'stats' | 'start' | 'stop' | 'wakeable' | 'wake'
>;

interface Entry {
  name: string;
  watch: WatchHandle;
  /** The model cannot do without it: its failure is the connection's. */
  required: boolean;
}

export interface WatchSpec<T extends KubernetesObject> {
  resource: string;
  path: string;
  type: string;
  /**
   * One page of the list through client-node's typed API (`page` passed on as its parameters);
   * without it, `path` is read as the server's JSON (raw-list.ts) and `decode` reads each object.
   */
  list?: (page: ListPage) => Promise<PageAnswer<T>>;
  /** What is kept of each object of the server's JSON (object-slimming.ts). */
  decode?: (raw: unknown) => T;
  onEvent: (type: WatchEventType, object: T) => void;
  optional?: boolean;
  /** cluster: a cluster-scoped resource; all: every namespace whatever the session's. */
  scope?: 'cluster' | 'all';
}

export class WatchSet {
  readonly deployments: ReadonlyMap<string, V1Deployment>;
  readonly statefulSets: ReadonlyMap<string, V1StatefulSet>;
  readonly pods: ReadonlyMap<string, V1Pod>;
  readonly services: ReadonlyMap<string, V1Service>;
  readonly limitRanges: ReadonlyMap<string, V1LimitRange>;
  readonly quotas: ReadonlyMap<string, V1ResourceQuota>;
  /** HPAs (at `autoscalers.hpas.version`) and KEDA ScaledObjects, where served and allowed. */
  readonly autoscalers: ReturnType<typeof autoscalerWatches>;

  private readonly options: WatchSetOptions;
  private readonly statefulSetWatch: ResourceWatch<V1StatefulSet>;
  /** The nodes and the pods on them (session/node-placements.ts). */
  private readonly placements: Placements;
  private readonly entries: Entry[];
  private synced = false;
  private readonly syncWait = new FirstSyncWait();
  private readonly raw: RawListApi;

  constructor(options: WatchSetOptions) {
    this.options = options;
    const { kubeConfig, namespace: ns, listener } = options;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    this.raw = kubeConfig.makeApiClient(RawListApi);
    const scope = ns === null ? '' : `/namespaces/${encodeURIComponent(ns)}`;

    const deployments = this.watch<V1Deployment>({
      resource: 'deployments',
      path: `/apis/apps/v1${scope}/deployments`,
      type: 'V1Deployment',
      decode: slimDeployment,
      onEvent: (type, d) => listener.workloadChanged('Deployment', type, d),
    });
    // Optional: a role may not list StatefulSets, or a cluster not serve them; the apps of
    // Deployments are no less there (the namespace summary says StatefulSets could not be read).
    this.statefulSetWatch = this.watch<V1StatefulSet>({
      resource: 'statefulsets',
      path: `/apis/apps/v1${scope}/statefulsets`,
      type: 'V1StatefulSet',
      decode: slimStatefulSet,
      onEvent: (type, set) => listener.workloadChanged('StatefulSet', type, set),
      optional: true,
    });
    const pods = this.watch<V1Pod>({
      resource: 'pods',
      path: `/api/v1${scope}/pods`,
      type: 'V1Pod',
      decode: slimPod,
      onEvent: (type, pod) => {
        listener.podChanged(type, pod);
        if (ns === null) listener.placementsChanged();
      },
    });
    const services = this.watch<V1Service>({
      resource: 'services',
      path: `/api/v1${scope}/services`,
      type: 'V1Service',
      decode: slimService,
      onEvent: () => {},
      optional: true,
    });
    const limitRanges = this.watch<V1LimitRange>({
      resource: 'limitranges',
      path: `/api/v1${scope}/limitranges`,
      type: 'V1LimitRange',
      decode: slimLimitRange,
      onEvent: () => listener.limitRangesChanged(),
      optional: true,
    });
    const quotas = this.watch<V1ResourceQuota>({
      resource: 'resourcequotas',
      path: `/api/v1${scope}/resourcequotas`,
      type: 'V1ResourceQuota',
      decode: slimResourceQuota,
      onEvent: () => listener.quotasChanged(),
      optional: true,
    });
    const nodes = this.watch<V1Node>({
      resource: 'nodes',
      path: '/api/v1/nodes',
      type: 'V1Node',
      decode: slimNode,
      onEvent: () => listener.placementsChanged(),
      optional: true,
      scope: 'cluster',
    });
    this.placements = new Placements(
      nodes,
      pods,
      ns === null
        ? null
        : new NodePlacements({
            core,
            timeoutMs: options.timing.requestTimeoutMs,
            request: { context: options.contextName, server: options.server },
            changed: () => listener.placementsChanged(),
          }),
    );
    this.autoscalers = autoscalerWatches({
      kubeConfig,
      namespace: ns,
      requestTimeoutMs: options.timing.requestTimeoutMs,
      watch: (spec) => this.watch(spec),
      changed: (namespace) => listener.autoscalersChanged?.(namespace),
      gaveUp: (health) => {
        this.onWatchHealth(health);
        this.onWatchSynced();
      },
    });

    this.deployments = deployments.items;
    this.statefulSets = this.statefulSetWatch.items;
    this.pods = pods.items;
    this.services = services.items;
    this.limitRanges = limitRanges.items;
    this.quotas = quotas.items;
    this.entries = [
      { name: 'deployments', watch: deployments, required: true },
      { name: 'statefulsets', watch: this.statefulSetWatch, required: false },
      { name: 'pods', watch: pods, required: true },
      { name: 'services', watch: services, required: false },
      { name: 'limitranges', watch: limitRanges, required: false },
      { name: 'resourcequotas', watch: quotas, required: false },
      { name: 'nodes', watch: nodes, required: false },
      { name: 'horizontalpodautoscalers', watch: this.autoscalers.hpas, required: false },
      { name: 'scaledobjects', watch: this.autoscalers.scaledObjects, required: false },
    ];
  }

  /** Every watch has listed once (optional ones that gave up aside). */
  get isSynced(): boolean {
    return this.synced;
  }

  /** What pod room is counted from: the watched quotas and the placements. */
  readonly roomSources: RoomSources = {
    quotas: () => this.quotas.values(),
    placements: () => this.placements.current(),
  };

  /** The node room is on screen or about to be judged: see Placements.wanted. */
  placementsWanted(): Promise<void> {
    return this.placements.wanted();
  }

  /** StatefulSets could not be listed (not allowed, or not served): that watch gave up. */
  statefulSetsUnreadable(): boolean {
    const health = this.statefulSetWatch.currentHealth;
    return health.state === 'stopped' && health.error !== null;
  }

  /** The error of a watch the model cannot do without, where one is failing. */
  requiredError(): ScaleDeskError | null {
    for (const { watch, required } of this.entries) {
      if (required && watch.currentHealth.error !== null) return watch.currentHealth.error;
    }
    return null;
  }

  start(): void {
    for (const { watch } of this.entries) watch.start();
  }

  /** Some watch is waiting out a backoff that the cluster answering again would end. */
  backingOff(): boolean {
    return this.entries.some(({ watch }) => watch.wakeable);
  }

  /**
   * The cluster answers again: every watch backing off tries again now, each after its own
   * random pause of up to `maxJitterMs`. Returns how many were woken.
   */
  wake(maxJitterMs: number): number {
    let woken = 0;
    for (const { watch } of this.entries) if (watch.wake(maxJitterMs)) woken++;
    return woken;
  }

  /** Resolves at the first sync, or earlier: see FirstSyncWait. */
  firstSync(timeoutMs: number): Promise<void> {
    return this.syncWait.wait(timeoutMs);
  }

  async stop(): Promise<void> {
    this.syncWait.release(true);
    this.placements.stop();
    await Promise.all(this.entries.map(({ watch }) => watch.stop()));
  }

  stats(): WatchRequestStats {
    const stats: WatchRequestStats = { lists: {}, watches: {}, gone: {}, streams: 0 };
    const placementRequests = this.placements.requests();
    if (placementRequests !== null) stats.lists['pod placements'] = placementRequests;
    for (const { name, watch } of this.entries) {
      // A resource the cluster does not serve (KEDA's, mostly) was never a watch.
      const { state, synced, error } = watch.currentHealth;
      if (state === 'stopped' && !synced && error === null) continue;
      if (watch.streaming) stats.streams++;
      stats.lists[name] = watch.stats.lists;
      stats.watches[name] = watch.stats.watches;
      stats.gone[name] = watch.stats.gone;
    }
    return stats;
  }

  private watch<T extends KubernetesObject>(spec: WatchSpec<T>): ResourceWatch<T> {
    const { kubeConfig, contextName, namespace, server, timing, listener } = this.options;
    return new ResourceWatch<T>({
      kubeConfig,
      path: spec.path,
      type: spec.type,
      ...(spec.list
        ? { list: spec.list }
        : { list: (page: ListPage) => this.raw.page(spec.path, page), decode: spec.decode }),
      request: {
        resource: spec.resource,
        ...(spec.scope === 'cluster' ? {} : { namespace: spec.scope === 'all' ? null : namespace }),
        context: contextName,
        server,
      },
      onEvent: (type, object) => {
        spec.onEvent(type, object);
        listener.eventApplied(spec.resource === 'deployments' || spec.resource === 'statefulsets');
      },
      onSynced: () => this.onWatchSynced(),
      onHealth: (health) => this.onWatchHealth(health),
      timing: {
        requestTimeoutMs: timing.requestTimeoutMs,
        backoffBaseMs: timing.backoffBaseMs,
        backoffMaxMs: timing.backoffMaxMs,
        watchTimeoutSeconds: timing.watchTimeoutSeconds,
        healthyStreamMs: timing.healthyStreamMs,
      },
      ...(spec.optional ? { optional: true } : {}),
    });
  }

  private onWatchHealth(health: WatchHealth): void {
    // A required watch failing before the first sync: waiting on would only delay the error.
    if (
      health.error &&
      !this.synced &&
      this.entries.some((e) => e.required && e.watch.currentHealth === health)
    ) {
      this.syncWait.release(false);
    }
    this.options.listener.healthChanged();
    if (health.state === 'retrying' && health.error && isTransient(health.error)) {
      this.options.listener.troubled();
    }
  }

  private onWatchSynced(): void {
    if (this.synced) {
      this.options.listener.healthChanged();
      return;
    }
    const pending = this.entries.some(({ watch }) => {
      const health = watch.currentHealth;
      return !health.synced && health.state !== 'stopped';
    });
    if (pending) return;
    this.synced = true;
    this.options.listener.firstSync();
    this.syncWait.release(true);
  }
}
