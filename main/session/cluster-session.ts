import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  Metrics,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1LimitRange,
  type V1ListMeta,
  type V1Node,
  type V1Pod,
  type V1ResourceQuota,
  type V1Service,
} from '@kubernetes/client-node';
import type { App, PodRoom } from '../../shared/app-model';
import type { Connection, HistoryWindow, Sample, Settings } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { AppCatalog } from '../model/app-catalog';
import { EndpointMonitor, probe, serviceProxyUrl, webServiceOf } from '../model/app-endpoint';
import type { SessionPort } from '../operations/session-port';
import { toClusterError, withTimeout } from '../kube/cluster-errors';
import type { EventBus } from '../transport/event-bus';
import { MemoryHistory } from '../model/memory-history';
import { limitRangeDefaultMemory } from '../model/memory-limits';
import { readPodMemory } from '../model/memory-usage';
import { PermissionCache, UNKNOWN_PERMISSIONS } from '../model/rbac-permissions';
import { nodesFree, podRoom, quotaPods, type PodPlacement } from '../model/pod-room';
import {
  DEFAULT_WATCH_TIMING,
  ResourceWatch,
  type WatchHealth,
  type WatchTiming,
} from '../kube/resource-watch';

/**
 * The live connection to one context: the app model kept current by watches (Deployments, Pods,
 * Services, LimitRanges, ResourceQuotas, Nodes), memory from the metrics API at the metrics
 * interval with its history, the apps' endpoint probes, permissions and pod room. Changes reach
 * the renderer as contract events on the bus: `apps` (coalesced: only the apps that changed),
 * `samples` and `connection`.
 *
 * Idle cost (nothing changing): one metrics request per interval (one namespace, or one
 * cluster-wide request for all namespaces), plus one probe per app being looked at (see
 * `endpointProbes`); the watches stay open and cost a request only when the server ends one
 * (every 30-60 minutes) or the stream is cut.
 */

export interface SessionTiming extends WatchTiming {
  /** Pod events closer together than this become one `apps` event. */
  coalesceMs: number;
  /** Overrides the metrics interval setting (tests). */
  metricsIntervalMs?: number;
  probeTimeoutMs: number;
  /**
   * How long an app stays probed at each interval after its history was asked for (the renderer
   * asks again at least every 40 live samples, 10 minutes at 15 s, while a chart is shown).
   */
  interestMs: number;
  /** How long `start()` waits for the first sync before answering with the state it has. */
  firstSyncWaitMs: number;
}

export const DEFAULT_SESSION_TIMING: Omit<SessionTiming, keyof WatchTiming> = {
  coalesceMs: 25,
  probeTimeoutMs: 5_000,
  interestMs: 15 * 60_000,
  firstSyncWaitMs: 15_000,
};

export interface ClusterSessionOptions {
  /** A kubeconfig of its own with the context current (see kubeConfigForContext). */
  kubeConfig: KubeConfig;
  contextName: string;
  /** null: all namespaces. */
  namespace: string | null;
  source: Connection['source'];
  kubeconfigPaths: string[];
  bus: EventBus;
  settings: () => Settings;
  /** Kept across sessions by the caller where wanted; a new one otherwise. */
  history?: MemoryHistory;
  /**
   * `interest` (default): at each interval, probe only the apps looked at (history asked for)
   * in the last `interestMs`; `all`: every app with a web Service or URL, which
   * costs one API request per such app per interval.
   */
  endpointProbes?: 'interest' | 'all';
  timing?: Partial<SessionTiming>;
}

/** Requests made, for tests and the bench: lists and watches per resource, metrics, probes. */
export interface SessionStats {
  lists: Record<string, number>;
  watches: Record<string, number>;
  gone: Record<string, number>;
  metricsRequests: number;
  probes: number;
  /** Watch streams open now. */
  streams: number;
}

type AnyWatch = ResourceWatch<KubernetesObject>;

function namespaceOfId(appId: string): string {
  return appId.slice(0, appId.indexOf('/'));
}

function sameRoom(a: PodRoom, b: PodRoom): boolean {
  return a.quotaUsed === b.quotaUsed && a.quotaHard === b.quotaHard && a.nodesFree === b.nodesFree;
}

/** Runs tasks with at most `limit` in flight. */
async function inPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class ClusterSession implements SessionPort {
  readonly kubeConfig: KubeConfig;
  readonly contextName: string;
  readonly namespace: string | null;
  readonly history: MemoryHistory;

  private readonly options: ClusterSessionOptions;
  private readonly timing: SessionTiming;
  private readonly server: string;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly metrics: Metrics;
  private readonly permissions: PermissionCache;
  private readonly endpoints = new EndpointMonitor();
  private readonly catalog: AppCatalog;

  private readonly deployments: ResourceWatch<V1Deployment>;
  private readonly pods: ResourceWatch<V1Pod>;
  private readonly services: ResourceWatch<V1Service>;
  private readonly limitRanges: ResourceWatch<V1LimitRange>;
  private readonly quotas: ResourceWatch<V1ResourceQuota>;
  private readonly nodes: ResourceWatch<V1Node>;
  /** Pods of every namespace, slimmed to their node: only where one namespace is watched. */
  private readonly placements: ResourceWatch<V1Pod> | null;
  private readonly watches: { name: string; watch: AnyWatch; required: boolean }[];

  private limitDefaults = new Map<string, number | null>();
  /** Pod quota per namespace, rebuilt after a quota event when next asked. */
  private quotaIndex: Map<string, V1ResourceQuota[]> | null = null;
  private roomFree: number | null = null;
  private roomStale = true;
  private memory = new Map<string, number>();
  private metricsError: ScaleDeskError | null = null;
  private readonly interest = new Map<string, number>();
  private readonly listeners = new Map<string, Set<(app: App | undefined) => void>>();
  private readonly stats = { metricsRequests: 0, probes: 0 };

  private started = false;
  private stopped = false;
  private synced = false;
  private lastLiveAt: string | null = null;
  private lastConnection: Connection | null = null;
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private flushIsTimeout = false;
  private lastFlushAt = 0;
  private metricsTimer: NodeJS.Timeout | null = null;
  private lastTickAt = 0;
  private scheduledIntervalMs = 0;
  private offSettings: (() => void) | null = null;
  private tickRunning: Promise<void> | null = null;
  private syncWaiters: (() => void)[] = [];

  constructor(options: ClusterSessionOptions) {
    this.options = options;
    this.timing = { ...DEFAULT_WATCH_TIMING, ...DEFAULT_SESSION_TIMING, ...options.timing };
    this.kubeConfig = options.kubeConfig;
    this.contextName = options.contextName;
    this.namespace = options.namespace;
    this.history = options.history ?? new MemoryHistory();
    this.server = options.kubeConfig.getCurrentCluster()?.server ?? '';
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.metrics = new Metrics(options.kubeConfig);
    this.permissions = new PermissionCache(
      options.kubeConfig.makeApiClient(AuthorizationV1Api),
      this.timing.requestTimeoutMs,
    );
    this.catalog = new AppCatalog({
      limitDefault: (ns) => this.limitDefaults.get(ns) ?? null,
      podRoom: (ns) => this.podRoomOf(ns),
      permissions: (ns) => this.permissions.get(ns) ?? UNKNOWN_PERMISSIONS,
      endpoint: (id) => this.endpoints.health(id, this.options.settings()),
      memory: (key) => this.memory.get(key),
    });

    const ns = options.namespace;
    const scope = ns === null ? '' : `/namespaces/${encodeURIComponent(ns)}`;
    const watchTiming = {
      requestTimeoutMs: this.timing.requestTimeoutMs,
      backoffBaseMs: this.timing.backoffBaseMs,
      backoffMaxMs: this.timing.backoffMaxMs,
      watchTimeoutSeconds: this.timing.watchTimeoutSeconds,
      healthyStreamMs: this.timing.healthyStreamMs,
    };
    const make = <T extends KubernetesObject>(
      resource: string,
      path: string,
      type: string,
      list: () => Promise<{ metadata?: V1ListMeta; items: T[] }>,
      onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T) => void,
      extra: { optional?: boolean; keep?: (object: T) => T; scope?: 'cluster' | 'all' } = {},
    ) =>
      new ResourceWatch<T>({
        kubeConfig: options.kubeConfig,
        path,
        type,
        list,
        request: {
          resource,
          ...(extra.scope === 'cluster' ? {} : { namespace: extra.scope === 'all' ? null : ns }),
          context: options.contextName,
          server: this.server,
        },
        onEvent: (eventType, object) => {
          onEvent(eventType, object);
          // A Deployment change is what an operation waits for: it goes out at once. Pod events
          // come in bursts and are gathered.
          this.scheduleFlush(resource === 'deployments');
        },
        onSynced: () => this.onWatchSynced(),
        onHealth: (health) => this.onWatchHealth(resource, health),
        timing: watchTiming,
        ...(extra.optional ? { optional: true } : {}),
        ...(extra.keep ? { keep: extra.keep } : {}),
      });

    this.deployments = make<V1Deployment>(
      'deployments',
      `/apis/apps/v1${scope}/deployments`,
      'V1Deployment',
      () =>
        ns === null
          ? this.apps.listDeploymentForAllNamespaces()
          : this.apps.listNamespacedDeployment({ namespace: ns }),
      (type, d) =>
        type === 'DELETED' ? this.catalog.deleteDeployment(d) : this.catalog.upsertDeployment(d),
    );
    this.pods = make<V1Pod>(
      'pods',
      `/api/v1${scope}/pods`,
      'V1Pod',
      () =>
        ns === null
          ? this.core.listPodForAllNamespaces()
          : this.core.listNamespacedPod({ namespace: ns }),
      (type, pod) => {
        if (type === 'DELETED') this.catalog.deletePod(pod);
        else this.catalog.upsertPod(pod);
        if (ns === null) this.roomStale = true;
      },
    );
    this.services = make<V1Service>(
      'services',
      `/api/v1${scope}/services`,
      'V1Service',
      () =>
        ns === null
          ? this.core.listServiceForAllNamespaces()
          : this.core.listNamespacedService({ namespace: ns }),
      () => {},
      { optional: true },
    );
    this.limitRanges = make<V1LimitRange>(
      'limitranges',
      `/api/v1${scope}/limitranges`,
      'V1LimitRange',
      () =>
        ns === null
          ? this.core.listLimitRangeForAllNamespaces()
          : this.core.listNamespacedLimitRange({ namespace: ns }),
      () => this.refreshLimitDefaults(),
      { optional: true },
    );
    this.quotas = make<V1ResourceQuota>(
      'resourcequotas',
      `/api/v1${scope}/resourcequotas`,
      'V1ResourceQuota',
      () =>
        ns === null
          ? this.core.listResourceQuotaForAllNamespaces()
          : this.core.listNamespacedResourceQuota({ namespace: ns }),
      () => {
        this.quotaIndex = null;
      },
      { optional: true },
    );
    this.nodes = make<V1Node>(
      'nodes',
      '/api/v1/nodes',
      'V1Node',
      () => this.core.listNode(),
      () => {
        this.roomStale = true;
      },
      { optional: true, scope: 'cluster' },
    );
    this.placements =
      ns === null
        ? null
        : make<V1Pod>(
            'pods',
            '/api/v1/pods',
            'V1Pod',
            () => this.core.listPodForAllNamespaces(),
            () => {
              this.roomStale = true;
            },
            {
              optional: true,
              scope: 'all',
              keep: (pod) =>
                ({
                  metadata: {
                    name: pod.metadata?.name,
                    namespace: pod.metadata?.namespace,
                    resourceVersion: pod.metadata?.resourceVersion,
                  },
                  spec: { nodeName: pod.spec?.nodeName },
                  status: { phase: pod.status?.phase },
                }) as V1Pod,
            },
          );
    this.watches = [
      { name: 'deployments', watch: this.deployments as AnyWatch, required: true },
      { name: 'pods', watch: this.pods as AnyWatch, required: true },
      { name: 'services', watch: this.services as AnyWatch, required: false },
      { name: 'limitranges', watch: this.limitRanges as AnyWatch, required: false },
      { name: 'resourcequotas', watch: this.quotas as AnyWatch, required: false },
      { name: 'nodes', watch: this.nodes as AnyWatch, required: false },
      ...(this.placements
        ? [{ name: 'cluster pods', watch: this.placements as AnyWatch, required: false }]
        : []),
    ];
  }

  // -------------------------------------------------------------------------------------------
  // Life cycle

  /**
   * Starts every watch and the metrics loop; resolves once the model first matches the cluster,
   * or with the state it has (stale, error) after the first failure or `firstSyncWaitMs`.
   */
  async start(): Promise<Connection> {
    if (!this.started) {
      this.started = true;
      this.options.bus.emit('apps', { reset: true, upserted: [], removed: [] });
      this.emitConnection();
      for (const { watch } of this.watches) watch.start();
      // A new metrics interval applies now, not after the old interval has run out.
      this.offSettings = this.options.bus.on('settings', () => this.rescheduleMetrics());
    }
    await new Promise<void>((resolve) => {
      if (this.synced || this.stopped) return resolve();
      const timer = setTimeout(done, this.timing.firstSyncWaitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.syncWaiters.push(done);
    });
    return this.connection();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.metricsTimer) clearTimeout(this.metricsTimer);
    this.offSettings?.();
    this.clearFlushTimer();
    this.wakeSyncWaiters();
    await Promise.all(this.watches.map(({ watch }) => watch.stop()));
    await this.tickRunning;
    this.listeners.clear();
  }

  private wakeSyncWaiters(): void {
    for (const waiter of this.syncWaiters.splice(0)) waiter();
  }

  // -------------------------------------------------------------------------------------------
  // Connection state

  connection(): Connection {
    const required = this.watches.filter((w) => w.required).map((w) => w.watch.currentHealth);
    const failing = required.find((h) => h.error !== null);
    let state: Connection['state'];
    let error: ScaleDeskError | null = failing?.error ?? null;
    if (this.stopped) state = 'disconnected';
    else if (error) state = error.code === 'UNREACHABLE' ? 'stale' : 'error';
    else if (!this.synced) state = 'connecting';
    else if (this.metricsError?.code === 'UNREACHABLE' && this.metricsError.details?.['code']) {
      // The metrics request could not reach the cluster: the open watches may be dead too.
      state = 'stale';
      error = this.metricsError;
    } else state = 'live';
    const now = new Date().toISOString();
    if (state === 'live') this.lastLiveAt = now;
    return {
      state,
      context: this.contextName,
      namespace: this.namespace,
      source: this.options.source,
      kubeconfigPaths: this.options.kubeconfigPaths,
      server: this.server || null,
      error: error ? { code: error.code, message: error.message } : null,
      syncedAt: state === 'live' ? now : this.lastLiveAt,
    };
  }

  private emitConnection(): void {
    if (this.stopped) return;
    const next = this.connection();
    const last = this.lastConnection;
    if (
      last &&
      last.state === next.state &&
      last.error?.code === next.error?.code &&
      last.error?.message === next.error?.message
    ) {
      return;
    }
    this.lastConnection = next;
    this.options.bus.emit('connection', next);
  }

  private onWatchHealth(_resource: string, health: WatchHealth): void {
    if (
      health.error &&
      !this.synced &&
      this.watches.some((w) => w.required && w.watch.currentHealth === health)
    ) {
      this.wakeSyncWaiters();
    }
    this.emitConnection();
  }

  private onWatchSynced(): void {
    if (this.synced) {
      this.emitConnection();
      return;
    }
    const pending = this.watches.some(({ watch }) => {
      const health = watch.currentHealth;
      return !health.synced && health.state !== 'stopped';
    });
    if (pending) return;
    this.synced = true;
    this.refreshLimitDefaults();
    this.catalog.flush();
    this.options.bus.emit('apps', { reset: true, upserted: this.catalog.list(), removed: [] });
    this.askPermissions(this.catalog.namespaces());
    this.emitConnection();
    this.wakeSyncWaiters();
    void this.metricsTick();
  }

  // -------------------------------------------------------------------------------------------
  // The model

  getApp(appId: string): App | undefined {
    const namespace = namespaceOfId(appId);
    let app = this.catalog.get(appId);
    if (app && !sameRoom(app.podRoom, this.podRoomOf(namespace))) {
      // Pod room moves with every pod anywhere; apps are rebuilt for it lazily, not on each event.
      this.catalog.markApp(appId);
      app = this.catalog.get(appId);
      this.scheduleFlush();
    }
    return app;
  }

  listApps(): App[] {
    return this.catalog.list();
  }

  getDeployment(namespace: string, name: string): V1Deployment | undefined {
    return this.catalog.deployment(namespace, name);
  }

  onAppChange(appId: string, listener: (app: App | undefined) => void): () => void {
    let set = this.listeners.get(appId);
    if (!set) {
      set = new Set();
      this.listeners.set(appId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(appId);
    };
  }

  /** The app's samples over the window, downsampled; marks the app as looked at (probed). */
  historyOf(appId: string, window: HistoryWindow, maxPoints: number): Sample[] {
    // Only an app that exists is marked as looked at: a name that does not would stay in the
    // interest map (and be probed through a saved URL) for nothing.
    if (!this.catalog.get(appId)) return this.history.window(appId, window, maxPoints);
    const now = Date.now();
    const wasLookedAt = (this.interest.get(appId) ?? 0) > now;
    this.interest.set(appId, now + this.timing.interestMs);
    // An app just opened is probed at once, not a metrics interval later: the admin asked now.
    if (!wasLookedAt) {
      this.probeEndpoint(appId).catch((error: unknown) => {
        console.warn(`scaledesk: probing ${appId} failed`, error);
      });
    }
    return this.history.window(appId, window, maxPoints);
  }

  /** Namespaces the user may list, else those known from the model and the context. */
  async namespaces(): Promise<string[]> {
    try {
      const list = await withTimeout(this.core.listNamespace(), this.timing.requestTimeoutMs);
      return list.items
        .map((n) => n.metadata?.name ?? '')
        .filter((n) => n.length > 0)
        .sort();
    } catch (error) {
      const mapped = toClusterError(error, {
        verb: 'list',
        resource: 'namespaces',
        context: this.contextName,
        server: this.server,
      });
      if (mapped.code !== 'FORBIDDEN') throw mapped;
      const known = this.catalog.namespaces();
      if (this.namespace) known.add(this.namespace);
      const own = this.kubeConfig.getContextObject(this.contextName)?.namespace;
      if (own) known.add(own);
      return [...known].sort();
    }
  }

  /** Requests made so far, for tests and the bench. */
  requestStats(): SessionStats {
    const stats: SessionStats = { lists: {}, watches: {}, gone: {}, streams: 0, ...this.stats };
    for (const { name, watch } of this.watches) {
      if (watch.streaming) stats.streams++;
      stats.lists[name] = watch.stats.lists;
      stats.watches[name] = watch.stats.watches;
      stats.gone[name] = watch.stats.gone;
    }
    return stats;
  }

  // -------------------------------------------------------------------------------------------
  // Coalesced updates

  private scheduleFlush(urgent = false): void {
    if (!this.synced || this.stopped) return;
    if (this.flushTimer && !(urgent && this.flushIsTimeout)) return;
    this.clearFlushTimer();
    const since = Date.now() - this.lastFlushAt;
    // An isolated change goes out at once (after the events already read in this turn of the
    // event loop); a burst within `coalesceMs` of the last update is gathered into the next one.
    if (urgent || since >= this.timing.coalesceMs) {
      this.flushIsTimeout = false;
      this.flushTimer = setImmediate(() => this.flush());
    } else {
      this.flushIsTimeout = true;
      this.flushTimer = setTimeout(() => this.flush(), this.timing.coalesceMs - since);
    }
  }

  private clearFlushTimer(): void {
    if (!this.flushTimer) return;
    clearTimeout(this.flushTimer as NodeJS.Timeout);
    clearImmediate(this.flushTimer as NodeJS.Immediate);
    this.flushTimer = null;
  }

  private flush(): void {
    this.flushTimer = null;
    if (this.stopped) return;
    this.lastFlushAt = Date.now();
    const { upserted, removed } = this.catalog.flush();
    if (upserted.length === 0 && removed.length === 0) return;
    this.options.bus.emit('apps', { reset: false, upserted, removed });
    const unasked = new Set<string>();
    for (const app of upserted) {
      if (!this.permissions.get(app.namespace)) unasked.add(app.namespace);
      this.notify(app.id, app);
    }
    for (const id of removed) {
      this.notify(id, undefined);
      this.interest.delete(id);
      this.history.forget(id);
      this.endpoints.forget(id);
    }
    if (unasked.size > 0) this.askPermissions(unasked);
  }

  private notify(appId: string, app: App | undefined): void {
    for (const listener of this.listeners.get(appId) ?? []) {
      try {
        listener(app);
      } catch (error) {
        console.error(`scaledesk: a listener of ${appId} failed`, error);
      }
    }
  }

  private askPermissions(namespaces: Iterable<string>): void {
    for (const namespace of namespaces) {
      if (this.permissions.get(namespace)) continue;
      void this.permissions.ensure(namespace).then(() => {
        if (this.stopped) return;
        this.catalog.markNamespace(namespace);
        this.scheduleFlush();
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Limits and room

  /** Recomputes every namespace's LimitRange default and marks the namespaces whose changed. */
  private refreshLimitDefaults(): void {
    if (!this.synced) return; // done once at the first sync, not per listed item
    const byNamespace = new Map<string, V1LimitRange[]>();
    for (const range of this.limitRanges.items.values()) {
      const namespace = range.metadata?.namespace ?? '';
      const list = byNamespace.get(namespace) ?? [];
      list.push(range);
      byNamespace.set(namespace, list);
    }
    const next = new Map<string, number | null>();
    for (const [namespace, ranges] of byNamespace)
      next.set(namespace, limitRangeDefaultMemory(ranges));
    for (const namespace of new Set([...next.keys(), ...this.limitDefaults.keys()])) {
      if ((next.get(namespace) ?? null) !== (this.limitDefaults.get(namespace) ?? null)) {
        this.catalog.markNamespace(namespace);
      }
    }
    this.limitDefaults = next;
  }

  private podRoomOf(namespace: string): PodRoom {
    if (!this.quotaIndex) {
      this.quotaIndex = new Map();
      for (const quota of this.quotas.items.values()) {
        const key = quota.metadata?.namespace ?? '';
        const list = this.quotaIndex.get(key) ?? [];
        list.push(quota);
        this.quotaIndex.set(key, list);
      }
    }
    return podRoom(quotaPods(this.quotaIndex.get(namespace) ?? []), this.freeSlots());
  }

  private freeSlots(): number | null {
    const nodesHealth = this.nodes.currentHealth;
    const podsSource = this.placements ?? this.pods;
    if (!nodesHealth.synced || !podsSource.currentHealth.synced) return null;
    if (this.roomStale) {
      const placements: PodPlacement[] = [];
      for (const pod of podsSource.items.values()) {
        const phase = pod.status?.phase;
        placements.push({
          node: pod.spec?.nodeName ?? null,
          terminal: phase === 'Succeeded' || phase === 'Failed',
        });
      }
      this.roomFree = nodesFree(this.nodes.items.values(), placements);
      this.roomStale = false;
    }
    return this.roomFree;
  }

  // -------------------------------------------------------------------------------------------
  // Metrics, samples and probes

  private intervalMs(): number {
    return this.timing.metricsIntervalMs ?? this.options.settings().metricsIntervalSeconds * 1000;
  }

  private metricsTick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // No timer while a tick runs: a new interval set meanwhile is taken up when it ends, rather
    // than a second timer started beside the one the tick's end schedules.
    if (this.metricsTimer) clearTimeout(this.metricsTimer);
    this.metricsTimer = null;
    this.lastTickAt = Date.now();
    const tick = (async () => {
      try {
        await this.sampleOnce();
      } catch (error) {
        console.error('scaledesk: sampling failed', error);
      }
    })();
    this.tickRunning = tick;
    return tick.finally(() => {
      if (!this.stopped) this.scheduleMetrics(this.intervalMs());
    });
  }

  private scheduleMetrics(delayMs: number): void {
    if (this.metricsTimer) clearTimeout(this.metricsTimer);
    this.scheduledIntervalMs = this.intervalMs();
    this.metricsTimer = setTimeout(() => void this.metricsTick(), Math.max(0, delayMs));
  }

  private rescheduleMetrics(): void {
    if (this.stopped || !this.metricsTimer || this.intervalMs() === this.scheduledIntervalMs)
      return;
    this.scheduleMetrics(this.lastTickAt + this.intervalMs() - Date.now());
  }

  private probeTargets(now: number): { appId: string; url: string; viaCluster: boolean }[] {
    const settings = this.options.settings();
    const targets: { appId: string; url: string; viaCluster: boolean }[] = [];
    const everyApp = this.options.endpointProbes === 'all';
    for (const appId of this.catalog.appIds()) {
      const until = this.interest.get(appId);
      if (!everyApp && (until === undefined || until < now)) {
        if (until !== undefined) this.interest.delete(appId);
        continue;
      }
      const target = this.targetOf(appId, settings);
      if (target) targets.push(target);
    }
    return targets;
  }

  private targetOf(
    appId: string,
    settings: Settings,
  ): { appId: string; url: string; viaCluster: boolean } | null {
    const own = settings.appUrls[appId];
    if (own) return { appId, url: own, viaCluster: false };
    const namespace = namespaceOfId(appId);
    const service = webServiceOf(
      this.services.items.values(),
      namespace,
      appId.slice(namespace.length + 1),
    );
    if (!service || !this.server) return null;
    return { appId, url: serviceProxyUrl(this.server, namespace, service), viaCluster: true };
  }

  private async probeOne(target: {
    appId: string;
    url: string;
    viaCluster: boolean;
  }): Promise<void> {
    this.stats.probes++;
    const result = await probe(
      target.url,
      target.viaCluster ? this.kubeConfig : null,
      this.timing.probeTimeoutMs,
    );
    if (this.stopped) return;
    this.endpoints.record(target.appId, result);
    this.catalog.markApp(target.appId);
  }

  /**
   * Probes now (after an operation). It does not make the app probed at every interval: that
   * follows whether someone is looking at it (its history was asked for), so a change made
   * and left does not add to the idle requests.
   */
  async probeEndpoint(appId: string): Promise<void> {
    const target = this.targetOf(appId, this.options.settings());
    if (!target) return;
    await this.probeOne(target);
    this.scheduleFlush();
  }

  private async sampleOnce(): Promise<void> {
    const startedAt = Date.now();
    const targets = this.probeTargets(startedAt);
    this.stats.metricsRequests++;
    const [memory] = await Promise.allSettled([
      readPodMemory(
        this.metrics,
        this.namespace,
        Math.min(this.timing.requestTimeoutMs, this.intervalMs()),
        { context: this.contextName, server: this.server },
      ),
      inPool(targets, 16, (target) => this.probeOne(target)),
    ]);
    if (this.stopped) return;
    if (memory.status === 'fulfilled') {
      this.metricsError = null;
      const changed: string[] = [];
      for (const [key, bytes] of memory.value)
        if (this.memory.get(key) !== bytes) changed.push(key);
      for (const key of this.memory.keys()) if (!memory.value.has(key)) changed.push(key);
      this.memory = memory.value;
      this.catalog.memoryChanged(changed);
    } else {
      this.metricsError = toClusterError(memory.reason, {
        verb: 'list',
        resource: 'pods.metrics.k8s.io',
        namespace: this.namespace,
        context: this.contextName,
        server: this.server,
      });
    }
    this.emitConnection();
    // Pod room moves with every pod; it reaches apps here, once per interval, not on each event.
    for (const app of this.catalog.list()) {
      if (!sameRoom(app.podRoom, this.podRoomOf(app.namespace))) this.catalog.markApp(app.id);
    }
    this.clearFlushTimer();
    this.flush();

    const probed = new Set(targets.map((t) => t.appId));
    const samples: Record<string, Sample> = {};
    for (const app of this.catalog.list()) {
      const memoryByProcess: Record<string, number> = {};
      for (const process of [...app.processes, ...(app.workspace ? [app.workspace] : [])]) {
        if (process.memoryUsedBytes !== null) {
          memoryByProcess[process.name] =
            (memoryByProcess[process.name] ?? 0) + process.memoryUsedBytes;
        }
      }
      const latest = probed.has(app.id) ? this.endpoints.latest(app.id) : undefined;
      const sample: Sample = {
        at: startedAt,
        memoryByProcess,
        latencyMs: latest?.ok ? latest.latencyMs : null,
        errorRate: latest ? this.endpoints.errorRate(app.id) : null,
      };
      this.history.record(app.id, sample);
      samples[app.id] = sample;
    }
    if (Object.keys(samples).length > 0) this.options.bus.emit('samples', samples);
  }
}
