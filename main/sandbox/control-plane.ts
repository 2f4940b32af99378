import { AppProfiles } from './app-profiles';
import { DeploymentController } from './deployment-controller';
import { EndpointsController } from './endpoints-controller';
import { EventRecorder } from './events';
import { GarbageCollector } from './garbage-collector';
import { HorizontalPodAutoscalerController } from './hpa-controller';
import { Kubelet, type KubeletTiming } from './kubelet';
import type { Namespace, Pod } from './kube-types';
import { LoadModel } from './load-model';
import { MetricsServer } from './metrics-server';
import { ObjectStore } from './object-store';
import { Registry } from './registry';
import { ReplicaSetController } from './replicaset-controller';
import { refreshQuotaStatus } from './resource-quota';
import { RESOURCE_TYPES, TYPES } from './resource-types';
import { Scheduler } from './scheduler';
import { StatefulSetController } from './statefulset-controller';
import { readyEndpoints } from './service-proxy';
import type { Service } from './kube-types';

/**
 * The simulated cluster behind the API server: the store and registry, the controllers
 * (deployment, replica set, scheduler, quota, namespace, garbage collector), the kubelets, metrics-server and the
 * app load model, wired to the store's change feed and to a few periodic loops.
 */

export interface ControlPlaneOptions {
  metricsIntervalMs: number;
  readyDelayMs: number;
  /** The HPA controller's sync period (default 15000, as kube-controller-manager's). */
  hpaSyncIntervalMs?: number;
}

export class ControlPlane {
  readonly store = new ObjectStore();
  readonly registry = new Registry(this.store);
  readonly events = new EventRecorder(this.store);
  readonly profiles = new AppProfiles();
  readonly load = new LoadModel(this.profiles);
  readonly deployments: DeploymentController;
  readonly replicaSets: ReplicaSetController;
  readonly statefulSets: StatefulSetController;
  readonly scheduler: Scheduler;
  readonly endpoints: EndpointsController;
  readonly kubelet: Kubelet;
  readonly metrics: MetricsServer;
  readonly autoscalers: HorizontalPodAutoscalerController;
  readonly garbageCollector = new GarbageCollector(this.store);
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly quotaDirty = new Set<string>();
  private quotaScheduled = false;
  private unsubscribe: () => void = () => undefined;

  constructor(options: ControlPlaneOptions) {
    const timing: KubeletTiming = {
      createMs: Math.max(5, Math.round(options.readyDelayMs * 0.3)),
      readyMs: options.readyDelayMs,
      terminateMs: Math.max(50, options.readyDelayMs),
      backoffMs: Math.min(10_000, 2 * Math.max(options.metricsIntervalMs, options.readyDelayMs)),
    };
    this.deployments = new DeploymentController(this.store, this.registry, this.events);
    this.replicaSets = new ReplicaSetController(this.store, this.registry, this.events);
    this.statefulSets = new StatefulSetController(this.store, this.registry, this.events);
    this.scheduler = new Scheduler(this.store, this.events);
    this.endpoints = new EndpointsController(this.store);
    this.kubelet = new Kubelet(this.store, this.events, this.profiles, timing, (pod, container) =>
      this.cpuOf(pod.namespace, pod.app, container.component, container.shape.workers),
    );
    this.metrics = new MetricsServer(this.store, this.kubelet, options.metricsIntervalMs);
    this.autoscalers = new HorizontalPodAutoscalerController(
      this.store,
      // Its scale and status writes are recorded as a real cluster records them.
      this.registry.managedBy('kube-controller-manager'),
      this.events,
      this.metrics,
      options.hpaSyncIntervalMs ?? 15_000,
    );
    this.unsubscribe = this.store.subscribe((event) => {
      this.deployments.onStoreEvent(event);
      this.replicaSets.onStoreEvent(event);
      this.statefulSets.onStoreEvent(event);
      this.scheduler.onStoreEvent(event);
      this.endpoints.onStoreEvent(event);
      this.kubelet.onStoreEvent(event);
      this.garbageCollector.onStoreEvent(event);
      if (
        event.key === '/pods' &&
        (event.type !== 'MODIFIED' ||
          (event.object as Pod).status?.phase !==
            (event.previous as Pod | undefined)?.status?.phase)
      ) {
        this.markQuota(event.namespace);
      }
      // A new quota, or a changed `hard`, needs its `status` (the quota's own status writes do not).
      if (
        event.key === '/resourcequotas' &&
        (event.type === 'ADDED' ||
          (event.type === 'MODIFIED' &&
            JSON.stringify(event.object['spec']) !== JSON.stringify(event.previous?.['spec'])))
      )
        this.markQuota(event.namespace);
      if (
        event.key === '/namespaces' &&
        event.type === 'MODIFIED' &&
        event.object.metadata.deletionTimestamp
      ) {
        this.finalizeNamespace(event.object as Namespace);
      }
    });
  }

  /** Starts the periodic loops: metrics scrapes, controller resyncs, event expiry. */
  start(): void {
    this.metrics.start();
    // After the first scrape, so HPAs that exist already are measured at once.
    this.autoscalers.start();
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref?.();
      this.timers.push(t);
    };
    every(5_000, () => {
      this.deployments.resyncProgressing();
      this.replicaSets.resyncBlocked();
      this.statefulSets.resyncBlocked();
      this.scheduler.retryUnschedulable();
    });
    every(60_000, () => this.events.expire());
  }

  /** Runs every controller until nothing is left to do (seeding uses it to settle). */
  settle(): void {
    for (let i = 0; i < 20; i++) {
      this.deployments.drain();
      this.replicaSets.drain();
      this.statefulSets.drain();
      this.scheduler.drain();
      this.endpoints.drain();
      this.flushQuota();
    }
  }

  stop(): void {
    this.unsubscribe();
    for (const t of this.timers) clearInterval(t);
    this.metrics.stop();
    this.autoscalers.stop();
    this.kubelet.stop();
    this.deployments.stop();
    this.replicaSets.stop();
    this.statefulSets.stop();
    this.scheduler.stop();
    this.endpoints.stop();
  }

  private markQuota(namespace: string): void {
    this.quotaDirty.add(namespace);
    if (this.quotaScheduled) return;
    this.quotaScheduled = true;
    setImmediate(() => this.flushQuota());
  }

  private flushQuota(): void {
    this.quotaScheduled = false;
    const namespaces = [...this.quotaDirty];
    this.quotaDirty.clear();
    for (const ns of namespaces) refreshQuotaStatus(this.store, ns);
  }

  /** CPU of a container: web follows its app's load; others idle along. */
  private cpuOf(namespace: string, app: string, component: string, workers: number): number {
    if (component !== 'web')
      return component === 'worker' ? 0.02 + 0.1 * Math.random() : 0.005 + 0.01 * Math.random();
    const service = this.store.get(TYPES.services, namespace, app) as Service | undefined;
    const pods = service ? readyEndpoints(this.store, service) : [];
    const state = this.load.state(namespace, app, pods);
    return this.load.webCpuCores(state.utilization, workers);
  }

  /** The namespace controller: a Terminating namespace loses its contents, then goes. */
  private finalizeNamespace(ns: Namespace): void {
    const name = ns.metadata.name ?? '';
    setImmediate(() => {
      for (const type of RESOURCE_TYPES) {
        if (!type.stored || !type.namespaced) continue;
        for (const object of [...this.store.each(type, name)]) {
          this.store.remove(type, name, object.metadata.name ?? '');
        }
      }
      if (this.store.get(TYPES.namespaces, '', name)) this.store.remove(TYPES.namespaces, '', name);
    });
  }
}
