import { createHash } from 'node:crypto';
import type { AppProfiles } from './app-profiles';
import { setCondition } from './conditions';
import type { EventRecorder } from './events';
import type { Condition, Container, ContainerState, ContainerStatus, Pod } from './kube-types';
import { containerMemoryBytes, steadyMemoryBytes, type ContainerMemoryState } from './memory-model';
import type { ObjectStore, StoreEvent } from './object-store';
import { processShape, type ProcessShape } from './process-command';
import { parseQuantity } from './quantity';
import { TYPES } from './resource-types';
import { timestamp } from './timestamps';

/**
 * The kubelets of all nodes: run the containers of pods bound to a node (ContainerCreating,
 * then running, then ready after the configured delay), measure their memory from the memory
 * model, kill a container that passes its memory limit (OOMKilled, exit code 137), restart it
 * after a growing back-off (CrashLoopBackOff), and finish terminating pods. Pod status is
 * written from this runtime state, as the kubelet's status manager does.
 */

export interface KubeletTiming {
  /** Time from bind to a running container. */
  createMs: number;
  /** Time from bind (or restart) to ready. */
  readyMs: number;
  /** Time a deleted pod takes to terminate. */
  terminateMs: number;
  /** First CrashLoopBackOff delay; doubles per restart up to 30 times this (5 min at 10 s). */
  backoffMs: number;
}

export interface ContainerSample {
  name: string;
  memoryBytes: number;
  cpuCores: number;
}

export interface PodSample {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  labels: Record<string, string>;
  containers: ContainerSample[];
}

type Phase = 'creating' | 'running' | 'backoff';

interface ContainerRuntime {
  name: string;
  image: string;
  containerId: string;
  shape: ProcessShape;
  component: string;
  limitBytes: number;
  phase: Phase;
  ready: boolean;
  restartCount: number;
  startedAtMs: number;
  memory: ContainerMemoryState;
  lastTermination?: ContainerState['terminated'];
  backoffMessage?: string;
}

interface PodRuntime {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  app: string;
  containers: ContainerRuntime[];
  timers: Set<NodeJS.Timeout>;
  terminating: boolean;
  podIp: string;
  hostIp: string;
}

export type CpuModel = (
  pod: PodRuntimeView,
  container: { name: string; shape: ProcessShape; component: string },
) => number;

export interface PodRuntimeView {
  namespace: string;
  app: string;
}

function containerId(seed: string): string {
  return `containerd://${createHash('sha256').update(seed).digest('hex')}`;
}

function imageId(image: string): string {
  return `${image.split(':')[0]}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

export class Kubelet {
  private readonly pods = new Map<string, PodRuntime>();
  private readonly nodeIps = new Map<string, string>();
  private nextPodIp = 2;
  /** While true (seeding), pods start settled: running and ready with no events. */
  instant = false;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly profiles: AppProfiles,
    private readonly timing: KubeletTiming,
    private readonly cpuModel: CpuModel,
    private readonly now: () => number = () => Date.now(),
  ) {}

  onStoreEvent(event: StoreEvent): void {
    if (event.key !== '/pods' || this.stopped) return;
    const pod = event.object as Pod;
    const uid = pod.metadata.uid ?? '';
    if (event.type === 'DELETED') {
      this.forget(uid);
      return;
    }
    if (!pod.spec.nodeName) return;
    const runtime = this.pods.get(uid);
    if (!runtime) {
      if (!pod.metadata.deletionTimestamp) this.start(pod);
      else this.scheduleRemoval(this.track(pod), pod);
    } else if (pod.metadata.deletionTimestamp && !runtime.terminating) {
      this.terminate(runtime, pod);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const runtime of this.pods.values()) for (const t of runtime.timers) clearTimeout(t);
  }

  /** The current samples of all running containers; kills those past their limit. */
  sample(): PodSample[] {
    const nowMs = this.now();
    const out: PodSample[] = [];
    for (const runtime of this.pods.values()) {
      if (runtime.terminating) continue;
      let killed = false;
      const containers: ContainerSample[] = [];
      for (const c of runtime.containers) {
        if (c.phase !== 'running') continue;
        const memoryBytes = this.memoryOf(runtime, c, nowMs);
        if (memoryBytes > c.limitBytes) {
          this.oomKill(runtime, c, nowMs);
          killed = true;
          continue;
        }
        containers.push({
          name: c.name,
          memoryBytes,
          cpuCores: this.cpuModel(runtime, {
            name: c.name,
            shape: c.shape,
            component: c.component,
          }),
        });
      }
      if (killed) this.writeStatus(runtime);
      if (containers.length === 0) continue;
      const pod = this.store.get(TYPES.pods, runtime.namespace, runtime.name);
      out.push({
        namespace: runtime.namespace,
        name: runtime.name,
        uid: runtime.uid,
        node: runtime.node,
        labels: pod?.metadata.labels ?? {},
        containers,
      });
    }
    return out;
  }

  /**
   * Gives the running web pods of an app a memory surge past their limit and checks them at
   * once: they are OOMKilled now and keep being killed on every restart, until new pods replace
   * them (a rollout restart).
   */
  surgePastLimit(namespace: string, app: string, component = 'web'): number {
    let affected = 0;
    for (const runtime of this.pods.values()) {
      if (runtime.namespace !== namespace || runtime.app !== app || runtime.terminating) continue;
      let touched = false;
      for (const c of runtime.containers) {
        if (c.component !== component || !Number.isFinite(c.limitBytes)) continue;
        const profile = this.profiles.memory(namespace, app, component);
        c.memory.surgeBytes = Math.max(
          0,
          c.limitBytes * 1.15 - steadyMemoryBytes(profile, c.shape),
        );
        if (c.phase === 'running') this.oomKill(runtime, c, this.now());
        touched = true;
      }
      if (touched) {
        affected++;
        this.writeStatus(runtime);
      }
    }
    return affected;
  }

  /**
   * Starts a seeded pod as if it had been crash-looping for a while: `restarts` OOM kills
   * behind it, waiting in CrashLoopBackOff now, and surging past its limit on every restart.
   */
  presetCrashLoop(namespace: string, name: string, restarts: number): void {
    const pod = this.store.get(TYPES.pods, namespace, name) as Pod | undefined;
    const runtime = pod ? this.pods.get(pod.metadata.uid ?? '') : undefined;
    if (!runtime) return;
    const nowMs = this.now();
    for (const c of runtime.containers) {
      if (!Number.isFinite(c.limitBytes)) continue;
      const profile = this.profiles.memory(namespace, runtime.app, c.component);
      c.memory.surgeBytes = Math.max(0, c.limitBytes * 1.15 - steadyMemoryBytes(profile, c.shape));
      c.restartCount = Math.max(0, restarts - 1);
      c.startedAtMs = nowMs - 25_000;
      this.oomKill(runtime, c, nowMs);
    }
    this.writeStatus(runtime);
  }

  private memoryOf(runtime: PodRuntime, c: ContainerRuntime, nowMs: number): number {
    const profile = this.profiles.memory(runtime.namespace, runtime.app, c.component);
    return containerMemoryBytes(profile, c.shape, c.memory, nowMs, this.timing.readyMs * 2);
  }

  private nodeIp(node: string): string {
    let ip = this.nodeIps.get(node);
    if (!ip) {
      const n = this.store.get(TYPES.nodes, '', node) as
        { status?: { addresses?: { type: string; address: string }[] } } | undefined;
      ip = n?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '172.18.0.2';
      this.nodeIps.set(node, ip);
    }
    return ip;
  }

  private track(pod: Pod): PodRuntime {
    const uid = pod.metadata.uid ?? '';
    const labels = pod.metadata.labels ?? {};
    const component = labels['app.kubernetes.io/component'] ?? 'web';
    const namespace = pod.metadata.namespace ?? '';
    const nowMs = this.now();
    const n = this.nextPodIp++;
    const runtime: PodRuntime = {
      namespace,
      name: pod.metadata.name ?? '',
      uid,
      node: pod.spec.nodeName ?? '',
      app: labels['app.kubernetes.io/part-of'] ?? pod.metadata.name ?? '',
      containers: pod.spec.containers.map((c: Container, i) => ({
        name: c.name,
        image: c.image ?? '',
        containerId: containerId(`${uid}/${c.name}/0`),
        shape: processShape(c),
        component: i === 0 ? component : 'sidecar',
        limitBytes: parseQuantity(c.resources?.limits?.['memory']) ?? Infinity,
        phase: 'creating',
        ready: false,
        restartCount: 0,
        startedAtMs: nowMs,
        memory: { startedAtMs: nowMs, phase: Math.random(), surgeBytes: 0 },
      })),
      timers: new Set(),
      terminating: false,
      podIp: `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`,
      hostIp: this.nodeIp(pod.spec.nodeName ?? ''),
    };
    this.pods.set(uid, runtime);
    return runtime;
  }

  private start(pod: Pod): void {
    const runtime = this.track(pod);
    if (this.instant) {
      const started = Date.parse(pod.metadata.creationTimestamp ?? '') || this.now();
      for (const c of runtime.containers) {
        c.phase = 'running';
        c.ready = true;
        c.startedAtMs = started + 3000;
        c.memory.startedAtMs = started - 3_600_000;
      }
      this.writeStatus(runtime);
      return;
    }
    this.writeStatus(runtime);
    const source = { component: 'kubelet', host: runtime.node };
    this.after(runtime, this.timing.createMs, () => {
      const nowMs = this.now();
      const current = this.store.get(TYPES.pods, runtime.namespace, runtime.name);
      for (const c of runtime.containers) {
        c.phase = 'running';
        c.startedAtMs = nowMs;
        c.memory.startedAtMs = nowMs;
        if (current) {
          const fieldPath = `spec.containers{${c.name}}`;
          this.events.record(
            current,
            'Normal',
            'Pulled',
            `Container image "${c.image}" already present on machine`,
            source,
            fieldPath,
          );
          this.events.record(
            current,
            'Normal',
            'Created',
            `Created container: ${c.name}`,
            source,
            fieldPath,
          );
          this.events.record(
            current,
            'Normal',
            'Started',
            `Started container ${c.name}`,
            source,
            fieldPath,
          );
        }
      }
      this.writeStatus(runtime);
    });
    this.after(runtime, Math.max(this.timing.readyMs, this.timing.createMs), () => {
      for (const c of runtime.containers) if (c.phase === 'running') c.ready = true;
      this.writeStatus(runtime);
    });
  }

  private after(runtime: PodRuntime, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      runtime.timers.delete(timer);
      if (this.stopped || runtime.terminating || !this.pods.has(runtime.uid)) return;
      fn();
    }, ms);
    timer.unref?.();
    runtime.timers.add(timer);
  }

  private oomKill(runtime: PodRuntime, c: ContainerRuntime, nowMs: number): void {
    c.lastTermination = {
      exitCode: 137,
      reason: 'OOMKilled',
      startedAt: timestamp(c.startedAtMs),
      finishedAt: timestamp(nowMs),
    };
    c.restartCount++;
    c.phase = 'backoff';
    c.ready = false;
    const backoff = Math.min(
      this.timing.backoffMs * 2 ** Math.min(c.restartCount - 1, 5),
      this.timing.backoffMs * 30,
    );
    c.backoffMessage = `back-off ${formatDuration(backoff)} restarting failed container=${c.name} pod=${runtime.name}_${runtime.namespace}(${runtime.uid})`;
    const pod = this.store.get(TYPES.pods, runtime.namespace, runtime.name);
    if (pod && !this.instant) {
      this.events.record(
        pod,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${c.name} in pod ${runtime.name}_${runtime.namespace}(${runtime.uid})`,
        { component: 'kubelet', host: runtime.node },
        `spec.containers{${c.name}}`,
      );
    }
    this.after(runtime, Math.max(1, nowMs + backoff - this.now()), () => {
      const restartedAt = this.now();
      c.phase = 'running';
      c.startedAtMs = restartedAt;
      c.memory.startedAtMs = restartedAt;
      c.containerId = containerId(`${runtime.uid}/${c.name}/${c.restartCount}`);
      this.writeStatus(runtime);
      this.after(runtime, this.timing.readyMs, () => {
        if (c.phase !== 'running') return;
        c.ready = true;
        this.writeStatus(runtime);
      });
    });
  }

  private terminate(runtime: PodRuntime, pod: Pod): void {
    runtime.terminating = true;
    for (const t of runtime.timers) clearTimeout(t);
    runtime.timers.clear();
    for (const c of runtime.containers) {
      this.events.record(
        pod,
        'Normal',
        'Killing',
        `Stopping container ${c.name}`,
        { component: 'kubelet', host: runtime.node },
        `spec.containers{${c.name}}`,
      );
    }
    this.scheduleRemoval(runtime, pod);
  }

  private scheduleRemoval(runtime: PodRuntime, pod: Pod): void {
    runtime.terminating = true;
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    const timer = setTimeout(
      () => {
        runtime.timers.delete(timer);
        if (this.stopped) return;
        const current = this.store.get(TYPES.pods, runtime.namespace, runtime.name);
        if (current && current.metadata.uid === runtime.uid) {
          this.store.remove(TYPES.pods, runtime.namespace, runtime.name);
        }
        this.pods.delete(runtime.uid);
      },
      Math.min(grace, this.timing.terminateMs),
    );
    timer.unref?.();
    runtime.timers.add(timer);
  }

  private forget(uid: string): void {
    const runtime = this.pods.get(uid);
    if (!runtime) return;
    for (const t of runtime.timers) clearTimeout(t);
    this.pods.delete(uid);
  }

  private writeStatus(runtime: PodRuntime): void {
    const pod = this.store.get(TYPES.pods, runtime.namespace, runtime.name) as Pod | undefined;
    if (!pod || pod.metadata.uid !== runtime.uid) return;
    const now = timestamp(this.now());
    const creating = runtime.containers.every((c) => c.phase === 'creating');
    const allReady = runtime.containers.every((c) => c.ready);
    let conditions: Condition[] = pod.status?.conditions ?? [];
    conditions = setCondition(
      conditions,
      { type: 'PodReadyToStartContainers', status: creating ? 'False' : 'True' },
      now,
      false,
    );
    conditions = setCondition(conditions, { type: 'Initialized', status: 'True' }, now, false);
    const notReady = runtime.containers.filter((c) => !c.ready).map((c) => c.name);
    const readyCondition = allReady
      ? { status: 'True' as const }
      : {
          status: 'False' as const,
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${notReady.join(' ')}]`,
        };
    conditions = setCondition(conditions, { type: 'Ready', ...readyCondition }, now, false);
    conditions = setCondition(
      conditions,
      { type: 'ContainersReady', ...readyCondition },
      now,
      false,
    );
    conditions = setCondition(conditions, { type: 'PodScheduled', status: 'True' }, now, false);
    const order = [
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ];
    conditions = order
      .map((t) => conditions.find((c) => c.type === t))
      .filter((c): c is Condition => c !== undefined);
    const startTime =
      pod.status?.startTime ?? (this.instant ? pod.metadata.creationTimestamp : now);
    const statuses: ContainerStatus[] = runtime.containers.map((c) =>
      this.containerStatus(runtime, c),
    );
    const status = {
      ...(pod.status ?? {}),
      phase: creating ? 'Pending' : 'Running',
      conditions,
      hostIP: runtime.hostIp,
      hostIPs: [{ ip: runtime.hostIp }],
      podIP: runtime.podIp,
      podIPs: [{ ip: runtime.podIp }],
      startTime,
      containerStatuses: statuses,
      qosClass: pod.status?.qosClass ?? 'Burstable',
    };
    if (JSON.stringify(status) === JSON.stringify(pod.status)) return;
    this.store.update(TYPES.pods, { ...pod, status });
  }

  private containerStatus(runtime: PodRuntime, c: ContainerRuntime): ContainerStatus {
    let state: ContainerState;
    if (c.phase === 'creating') state = { waiting: { reason: 'ContainerCreating' } };
    else if (c.phase === 'backoff')
      state = { waiting: { reason: 'CrashLoopBackOff', message: c.backoffMessage } };
    else state = { running: { startedAt: timestamp(c.startedAtMs) } };
    return {
      name: c.name,
      state,
      lastState: c.lastTermination
        ? {
            terminated: { ...c.lastTermination, containerID: c.containerId },
          }
        : {},
      ready: c.ready,
      restartCount: c.restartCount,
      image: c.image,
      imageID: imageId(c.image),
      ...(c.phase === 'creating' ? {} : { containerID: c.containerId }),
      started: c.phase === 'running',
    };
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${Math.max(s, 0)}s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m}m0s` : `${m}m${s % 60}s`;
}
