import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { App, WorkloadKind } from '../../shared/app-model';
import type { Connection, HistoryWindow, Sample } from '../../shared/contract';
import type { NamespaceSummary } from '../../shared/namespace-summary';
import { AppCatalog, type CatalogChanges } from '../model/app-catalog';
import { AutoscalerIndex, HPA_V2 } from '../model/autoscalers';
import { MemoryHistory } from '../model/memory-history';
import { NamespaceLimits } from '../model/namespace-limits';
import { NamespaceRoom, samePodRoom } from '../model/namespace-room';
import { summarizeNamespace } from '../model/namespace-summary';
import type { WorkloadObject } from '../model/workload';
import type { SessionPort } from '../operations/session-port';
import { withoutUserinfo } from '../transport/redaction';
import { appSamples } from './app-sample';
import { AppUpdates } from './app-updates';
import { clusterFailedMetrics, ConnectionState } from './connection-state';
import { EndpointProbes } from './endpoint-probes';
import { MetricsLoop } from './metrics-loop';
import { namespaceChoices } from './namespace-choices';
import { NamespacePermissions } from './namespace-permissions';
import { PodMetrics } from './pod-metrics';
import { askVersion, RECOVERY_PROBE_MS, RecoveryProbe } from './recovery-probe';
import { sessionTiming, type ClusterSessionOptions, type SessionTiming } from './session-options';
import { Throttling } from './throttling';
import { WatchSet, type WatchRequestStats } from './watch-set';

/**
 * The live connection to one context, composed of parts that each own their state: the watches
 * (WatchSet: Deployments, StatefulSets, Pods, Services, LimitRanges, ResourceQuotas, Nodes,
 * autoscalers), the catalog of apps over the watches' stores (regrouped when the grouping label
 * setting changes), the namespaces' limits and room, memory (PodMetrics) and endpoint probes
 * (EndpointProbes) read at each tick of the MetricsLoop, the coalesced AppUpdates, the
 * ConnectionState and the RecoveryProbe. Changes go out as contract events on the bus only:
 * `apps` (only the apps that changed), `samples`, `connection`; reads send nothing.
 *
 * Idle cost: one metrics request per interval (every 5 minutes where the metrics API is absent),
 * one probe per app being looked at; open watches cost a request only when the server ends one
 * (every 30-60 minutes) or the stream is cut. After a failure, while something waits for the
 * cluster, the RecoveryProbe asks every 750 ms whether it answers again.
 */

/** The most a watch woken by the cluster's recovery waits first, so they do not all ask at once. */
const WAKE_JITTER_MS = 250;

/** Requests made, for tests and the bench: lists and watches per resource, metrics, probes. */
export interface SessionStats extends WatchRequestStats {
  metricsRequests: number;
  probes: number;
  /** `GET /version` asked while waiting for the cluster to answer again. */
  recoveryProbes: number;
}

export class ClusterSession implements SessionPort {
  readonly kubeConfig: KubeConfig;
  readonly contextName: string;
  readonly namespace: string | null;
  readonly history: MemoryHistory;
  readonly podRoom = { fresh: () => this.watches.placementsWanted() };
  readonly nodes = () => this.watches.roomSources.placements()?.nodes ?? [];
  readonly memoryRoom = { of: (ns: string) => this.room.memory(ns, this.limits.defaultOf(ns)) };

  private readonly options: ClusterSessionOptions;
  private readonly timing: SessionTiming;
  private readonly server: string;
  private readonly core: CoreV1Api;
  readonly permissions: NamespacePermissions;
  private readonly limits = new NamespaceLimits();
  private readonly watches: WatchSet;
  private readonly room: NamespaceRoom;
  private readonly metrics: PodMetrics;
  private readonly probes: EndpointProbes;
  private readonly catalog: AppCatalog;
  /** Who sets each workload's count besides the admin (HPAs, KEDA), from the watches' stores. */
  private readonly autoscalers: AutoscalerIndex;
  private readonly updates: AppUpdates;
  private readonly state: ConnectionState;
  private readonly loop: MetricsLoop;
  private readonly recovery: RecoveryProbe;
  /** The metrics were read again early, at the cluster's recovery, since they last succeeded:
   * once only, so a metrics read failing on its own is not retried at every probe. */
  private metricsRetriedEarly = false;
  /** Stops following the settings (the grouping label); set while started. */
  private offSettings: (() => void) | null = null;
  private started = false;
  private stopped = false;

  constructor(options: ClusterSessionOptions) {
    this.options = options;
    const timing = sessionTiming(options.timing);
    this.timing = timing;
    const { kubeConfig, contextName, namespace, bus } = options;
    this.kubeConfig = kubeConfig;
    this.contextName = contextName;
    this.namespace = namespace;
    this.history = options.history ?? new MemoryHistory();
    const server = kubeConfig.getCurrentCluster()?.server ?? '';
    this.server = server;
    // Shown to the user: a user and password in the URL are credentials, not the address. The
    // requests (the endpoint probes' proxy URLs) keep the URL as the kubeconfig has it.
    const shownServer = withoutUserinfo(server);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.permissions = new NamespacePermissions(kubeConfig, timing.requestTimeoutMs, (ns) => {
      this.catalog.markNamespace(ns);
      this.updates.schedule();
    });
    // The parts call back only once the watches have started, when all of them exist.
    this.watches = new WatchSet({
      kubeConfig,
      contextName,
      namespace,
      server,
      timing,
      listener: {
        workloadChanged: (kind, type, workload) =>
          type === 'DELETED'
            ? this.catalog.deleteWorkload(kind, workload)
            : this.catalog.upsertWorkload(kind, workload),
        podChanged: (type, pod) =>
          type === 'DELETED' ? this.catalog.deletePod(pod) : this.catalog.upsertPod(pod),
        limitRangesChanged: () => this.updateLimits(),
        quotasChanged: () => this.room.quotasChanged(),
        placementsChanged: () => this.room.placementsChanged(),
        autoscalersChanged: (ns) => {
          this.autoscalers.changed();
          this.catalog.markNamespace(ns);
        },
        eventApplied: (urgent) => this.updates.schedule(urgent),
        firstSync: () => this.onFirstSync(),
        healthChanged: () => this.state.emitIfChanged(),
        troubled: () => this.recovery.troubled(),
      },
    });
    const { hpas, scaledObjects } = this.watches.autoscalers;
    this.autoscalers = new AutoscalerIndex({
      hpas: () => hpas.items,
      hpaVersion: () => hpas.version ?? HPA_V2,
      scaledObjects: () => scaledObjects.items,
    });
    this.room = new NamespaceRoom(this.watches.roomSources);
    this.metrics = new PodMetrics({ kubeConfig, namespace, contextName, server });
    this.probes = new EndpointProbes({
      kubeConfig,
      server,
      settings: options.settings,
      mode: options.endpointProbes ?? 'interest',
      probeTimeoutMs: timing.probeTimeoutMs,
      interestMs: timing.interestMs,
      appIds: () => this.catalog.appIds(),
      services: this.watches.services,
      probed: (appId) => this.catalog.markApp(appId),
    });
    this.catalog = new AppCatalog(
      {
        deployments: this.watches.deployments,
        statefulSets: this.watches.statefulSets,
        pods: this.watches.pods,
      },
      {
        ...this.limits.context,
        podRoom: (ns) => this.room.of(ns),
        permissions: (ns, kinds) => this.permissions.of(ns, kinds),
        endpoint: (appId) => this.probes.health(appId),
        memory: (podKey) => this.metrics.memoryOf(podKey),
        autoscaler: (kind, ns, name) => this.autoscalers.of(kind, ns, name),
      },
      options.settings().groupingLabel,
    );
    this.updates = new AppUpdates({
      bus,
      coalesceMs: timing.coalesceMs,
      collect: () => this.catalog.flush(),
      sent: (changes) => this.afterUpdate(changes),
    });
    this.state = new ConnectionState(
      {
        context: contextName,
        namespace,
        source: options.source,
        kubeconfigPaths: options.kubeconfigPaths,
        server: shownServer,
      },
      {
        watchError: () => this.watches.requiredError(),
        synced: () => this.watches.isSynced,
        metricsError: () => this.metrics.error,
        metrics: () => this.metrics.availability,
        throttling: new Throttling(kubeConfig),
      },
      bus,
    );
    this.loop = new MetricsLoop({
      intervalMs: () => this.intervalMs(),
      sample: () => this.sampleOnce(),
      bus,
    });
    this.recovery = new RecoveryProbe({
      intervalMs: RECOVERY_PROBE_MS,
      ask: askVersion(kubeConfig, Math.min(timing.requestTimeoutMs, timing.probeTimeoutMs), {
        context: contextName,
        server,
      }),
      waiting: () => this.watches.backingOff() || this.metricsWaitForCluster(),
      recovered: () => this.onRecovered(),
    });
  }

  /**
   * Starts every watch and the metrics loop; resolves once the model first matches the cluster,
   * or with the state it has (stale, error) after the first failure or `firstSyncWaitMs`.
   */
  async start(): Promise<Connection> {
    if (!this.started) {
      this.started = true;
      this.updates.clear();
      this.state.emitIfChanged();
      // Another grouping label regroups every workload: the apps that change go out at once.
      this.offSettings = this.options.bus.on('settings', (settings) => {
        if (this.catalog.regroup(settings.groupingLabel)) this.updates.schedule(true);
      });
      this.watches.start();
      this.loop.start();
    }
    await this.watches.firstSync(this.timing.firstSyncWaitMs);
    return this.connection();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.offSettings?.();
    this.offSettings = null;
    this.state.stop();
    this.recovery.stop();
    this.updates.stop();
    this.probes.stop();
    this.permissions.stop();
    await Promise.all([this.watches.stop(), this.loop.stop()]);
  }

  connection(): Connection {
    return this.state.current();
  }

  /**
   * The app as the model has it now. Its pod room is the room now: room moves with every pod
   * anywhere and reaches the apps' `apps` events once per interval (see sampleOnce), so a read
   * in between gets a copy with the fresh room. A read sends nothing and marks nothing.
   */
  getApp(appId: string): App | undefined {
    const app = this.catalog.get(appId);
    if (!app) return undefined;
    const room = this.room.of(app.namespace);
    return samePodRoom(app.podRoom, room) ? app : { ...app, podRoom: room };
  }

  listApps(): App[] {
    return this.catalog.list();
  }

  getWorkload(kind: WorkloadKind, namespace: string, name: string): WorkloadObject | undefined {
    return this.catalog.workload(kind, namespace, name);
  }

  /**
   * What the session's namespace (or all it watches) holds in no app, and why: for the empty app
   * list. Counted now from the watched pods; sends nothing.
   */
  namespaceSummary(): NamespaceSummary {
    return summarizeNamespace({
      namespace: this.namespace,
      pods: this.watches.pods.values(),
      workloads: this.catalog.workloadCount(this.namespace),
      listed: (pod) => this.catalog.isListed(pod),
      statefulSetsUnreadable: this.watches.statefulSetsUnreadable(),
    });
  }

  /** The app's `apps` events, filtered from the bus (see AppUpdates.onAppChange). */
  onAppChange(appId: string, listener: (app: App | undefined) => void): () => void {
    return this.updates.onAppChange(appId, listener);
  }

  /** The app's samples over the window, downsampled; marks the app as looked at (probed). */
  historyOf(appId: string, window: HistoryWindow, maxPoints: number): Sample[] {
    // Only an app that exists is looked at (probed, its permissions asked): another name would stay
    // in the interest map for nothing. One just opened is probed at once: the admin asked now.
    const app = this.catalog.get(appId);
    if (app) this.permissions.lookAt(app);
    if (app) void this.watches.placementsWanted();
    if (app && this.probes.lookAt(appId)) {
      this.probeEndpoint(appId).catch((error: unknown) => {
        console.warn(`scaledesk: probing ${appId} failed`, error);
      });
    }
    return this.history.window(appId, window, maxPoints);
  }

  /**
   * Probes now (after an operation). It does not make the app probed at every interval: that
   * follows whether someone is looking at it (its history was asked for), so a change made
   * and left does not add to the idle requests.
   */
  async probeEndpoint(appId: string): Promise<void> {
    if (await this.probes.probeNow(appId)) this.updates.schedule();
  }

  /** Namespaces the user may list, else those known from the model and the context. */
  namespaces(): Promise<string[]> {
    const own = this.kubeConfig.getContextObject(this.contextName)?.namespace;
    return namespaceChoices({
      core: this.core,
      timeoutMs: this.timing.requestTimeoutMs,
      context: this.contextName,
      server: this.server,
      known: () => [...this.catalog.namespaces(), this.namespace ?? '', own ?? ''].filter(Boolean),
    });
  }

  /** Requests made so far, for tests and the bench. */
  requestStats(): SessionStats {
    return {
      ...this.watches.stats(),
      metricsRequests: this.metrics.requests,
      probes: this.probes.probes,
      recoveryProbes: this.recovery.probes,
    };
  }

  /** The last metrics read failed as the cluster did not answer, and was not read again early. */
  private metricsWaitForCluster(): boolean {
    return clusterFailedMetrics(this.metrics.error) && !this.metricsRetriedEarly;
  }

  /**
   * The cluster answers again: the watches backing off try again now, and the metrics (whose
   * failure keeps the connection stale) are read now rather than at the next interval.
   */
  private onRecovered(): void {
    if (this.stopped) return;
    this.watches.wake(WAKE_JITTER_MS);
    if (this.metricsWaitForCluster()) {
      this.metricsRetriedEarly = true;
      void this.loop.tick();
    }
  }

  private intervalMs(): number {
    return this.timing.metricsIntervalMs ?? this.options.settings().metricsIntervalSeconds * 1000;
  }

  private onFirstSync(): void {
    this.updateLimits();
    this.catalog.flush();
    this.updates.begin(this.catalog.list());
    this.state.emitIfChanged();
    void this.loop.tick();
  }

  /** LimitRange defaults, worked out once all are listed (the first sync), not per listed item. */
  private updateLimits(): void {
    if (!this.watches.isSynced) return;
    const changed = this.limits.update(this.watches.limitRanges.values());
    for (const namespace of changed) this.catalog.markNamespace(namespace);
  }

  /** Follow-up of the changes sent: forget removed apps. */
  private afterUpdate({ removed }: CatalogChanges): void {
    for (const id of removed) {
      this.probes.forget(id);
      this.history.forget(id);
    }
  }

  /** One interval: memory and probes read together, then one `apps` and one `samples` event. */
  private async sampleOnce(): Promise<void> {
    const startedAt = Date.now();
    const targets = this.probes.targets(startedAt);
    const [memory] = await Promise.allSettled([
      this.metrics.refresh(Math.min(this.timing.requestTimeoutMs, this.intervalMs())),
      this.probes.probeAll(targets),
    ]);
    if (this.stopped) return;
    if (memory.status === 'fulfilled' && memory.value) this.catalog.memoryChanged(memory.value);
    if (this.metrics.error === null) this.metricsRetriedEarly = false;
    else if (clusterFailedMetrics(this.metrics.error)) this.recovery.troubled();
    this.state.emitIfChanged();
    // Pod room moves with every pod; it reaches apps here, once per interval, not on each event.
    for (const app of this.catalog.list()) {
      if (!samePodRoom(app.podRoom, this.room.of(app.namespace))) this.catalog.markApp(app.id);
    }
    this.updates.flushNow();

    const probed = new Set(targets.map((t) => t.appId));
    const samples = appSamples(this.catalog.list(), startedAt, this.metrics.current, (appId) =>
      probed.has(appId) ? this.probes.reading(appId) : null,
    );
    for (const [appId, sample] of Object.entries(samples)) this.history.record(appId, sample);
    if (Object.keys(samples).length > 0) this.options.bus.emit('samples', samples);
  }
}
