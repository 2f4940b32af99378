import type {
  V1Deployment,
  V1LabelSelector,
  V1Pod,
  V1ContainerStatus,
} from '@kubernetes/client-node';
import {
  COMPONENT_LABEL,
  GIB,
  PART_OF_LABEL,
  PROCFILE_INDEX_ANNOTATION,
  REPLICAS_BEFORE_STOP_ANNOTATION,
  RESTARTED_AT_ANNOTATION,
  WORKSPACE_COMPONENT,
  appId as makeAppId,
  type App,
  type AppStatus,
  type EndpointHealth,
  type Permissions,
  type Pod,
  type PodRoom,
  type Process,
  type Rollout,
} from '../../shared/app-model';
import {
  containerCommand,
  parseWorkers,
  processContainerIndex,
  procfileLine,
} from '../../shared/procfile';
import { memoryLimitOf } from './memory-limits';

/**
 * The app catalog: Deployments and Pods as the watches deliver them, grouped into apps
 * (DOMAIN.md's mapping: the Deployments of a namespace sharing `app.kubernetes.io/part-of`,
 * the process type from `app.kubernetes.io/component`), and the App objects of the contract
 * built from them. It keeps indexes so one pod event touches one app, and remembers which apps
 * changed since the last flush so the live cluster can send only those.
 */

/** What the catalog needs from the rest of the model, per namespace or app. */
export interface CatalogContext {
  /** The LimitRange default memory of the namespace; null where none. */
  limitDefault(namespace: string): number | null;
  podRoom(namespace: string): PodRoom;
  permissions(namespace: string): Permissions;
  endpoint(appId: string): EndpointHealth | null;
  /** Memory in use by the pod (`namespace/name`), where metrics have it. */
  memory(podKey: string): number | undefined;
}

function key(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

function objectKey(object: { metadata?: { namespace?: string; name?: string } }): string {
  return key(object.metadata?.namespace, object.metadata?.name);
}

/** The app a Deployment belongs to, or null where it carries no part-of label. */
export function appIdOf(deployment: V1Deployment): string | null {
  const partOf = deployment.metadata?.labels?.[PART_OF_LABEL];
  if (!partOf) return null;
  return makeAppId(deployment.metadata?.namespace ?? '', partOf);
}

/** Whether a label selector selects these labels (matchLabels and matchExpressions). */
export function selectorMatches(
  selector: V1LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) return false; // selects nothing we would own
  for (const [name, value] of matchLabels) if (labels[name] !== value) return false;
  for (const expression of expressions) {
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function isoOf(value: Date | string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return String(value);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
}

function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(bytes % GIB === 0 ? 0 : 1)} GiB`;
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

// ---------------------------------------------------------------------------------------------
// Pods

function terminationOf(status: V1ContainerStatus): Pod['lastTermination'] {
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  if (!terminated) return null;
  return {
    reason: terminated.reason ?? (terminated.exitCode === 0 ? 'Completed' : 'Error'),
    exitCode: terminated.exitCode ?? null,
    finishedAt: isoOf(terminated.finishedAt),
  };
}

export function podOf(pod: V1Pod, memoryBytes: number | null): Pod {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  let waitingReason: string | null = null;
  let lastTermination: Pod['lastTermination'] = null;
  let restarts = 0;
  for (const status of statuses) {
    restarts += status.restartCount ?? 0;
    waitingReason ??= status.state?.waiting?.reason ?? null;
    lastTermination ??= terminationOf(status);
  }
  return {
    name: pod.metadata?.name ?? '',
    node: pod.spec?.nodeName ?? null,
    phase: pod.status?.phase ?? 'Unknown',
    ready,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    restarts,
    waitingReason,
    lastTermination,
    memoryBytes,
    createdAt: isoOf(pod.metadata?.creationTimestamp),
  };
}

/** A pod whose container was killed at its memory limit and is not serving. */
export function isOomLooping(pod: Pod): boolean {
  return pod.lastTermination?.reason === 'OOMKilled' && !pod.ready && !pod.terminating;
}

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * The rollout as `kubectl rollout status` judges it, with a reason where it is stuck: the
 * progress deadline passed, or the ReplicaSet could not create pods (quota, for one).
 */
export function rolloutOf(deployment: V1Deployment): Rollout {
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  const conditions = status.conditions ?? [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const progress =
    desired === 0 ? (total === 0 ? 1 : 0) : clamp01(Math.min(updated, available) / desired);
  const inProgress = (message: string): Rollout => ({
    state: failure ? 'failed' : 'progressing',
    progress: Math.min(progress, 0.99),
    message: failure ? (failure.message ?? failure.reason ?? message) : message,
  });

  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return inProgress('Waiting for the deployment controller to see the change.');
  }
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    const why = failure?.message ?? progressing.message ?? 'no progress';
    return {
      state: 'failed',
      progress: Math.min(progress, 0.99),
      message: `The rollout passed its progress deadline: ${why}`,
    };
  }
  if (updated < desired) return inProgress(`${updated} of ${desired} new replicas updated.`);
  if (total > updated) return inProgress(`${total - updated} old replicas pending termination.`);
  if (available < updated)
    return inProgress(`${available} of ${updated} updated replicas available.`);
  return { state: 'complete', progress: 1, message: null };
}

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return null;
  const value = Number(text);
  return value > 0 ? value : null;
}

export function processOf(
  deployment: V1Deployment,
  pods: readonly V1Pod[],
  context: Pick<CatalogContext, 'limitDefault' | 'memory'>,
): Process {
  const namespace = deployment.metadata?.namespace ?? '';
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  const container = containers[processContainerIndex(containers)];
  const { command, args, env } = containerCommand(container ?? {});
  const argv = [...command, ...args];
  const workers = argv.length > 0 ? parseWorkers(argv, env) : null;
  const modelPods = pods
    .map((pod) => podOf(pod, context.memory(objectKey(pod)) ?? null))
    .sort((a, b) => a.name.localeCompare(b.name));
  let used = 0;
  let measured = 0;
  for (const pod of modelPods) {
    if (pod.memoryBytes === null) continue;
    used += pod.memoryBytes;
    measured++;
  }
  const memoryUsedBytes = measured > 0 ? used : null;
  const memoryPerWorkerBytes =
    workers && memoryUsedBytes !== null ? memoryUsedBytes / measured / (workers.count ?? 1) : null;
  const status = deployment.status ?? {};
  return {
    name: deployment.metadata?.labels?.[COMPONENT_LABEL] ?? deployment.metadata?.name ?? '',
    deployment: deployment.metadata?.name ?? '',
    command: procfileLine(argv),
    resourceVersion: deployment.metadata?.resourceVersion ?? '',
    replicas: {
      desired: deployment.spec?.replicas ?? 1,
      ready: status.readyReplicas ?? 0,
      updated: status.updatedReplicas ?? 0,
      available: status.availableReplicas ?? 0,
    },
    replicasBeforeStop: positiveInt(
      deployment.metadata?.annotations?.[REPLICAS_BEFORE_STOP_ANNOTATION],
    ),
    pods: modelPods,
    workers,
    memoryLimit: memoryLimitOf(deployment.spec?.template?.spec, context.limitDefault(namespace)),
    memoryUsedBytes,
    memoryPerWorkerBytes,
    rollout: rolloutOf(deployment),
    lastRestartAt:
      deployment.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION] ?? null,
  };
}

/** Procfile order: the procfile-index annotation where set, else web first, then by name. */
export function procfileOrder(a: V1Deployment, b: V1Deployment): number {
  const index = (d: V1Deployment) => {
    const text = d.metadata?.annotations?.[PROCFILE_INDEX_ANNOTATION];
    const value = text === undefined ? Number.NaN : Number(text);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  const name = (d: V1Deployment) => d.metadata?.labels?.[COMPONENT_LABEL] ?? d.metadata?.name ?? '';
  const byIndex = index(a) - index(b);
  if (byIndex !== 0 && !Number.isNaN(byIndex)) return byIndex;
  const webA = name(a) === 'web' ? 0 : 1;
  const webB = name(b) === 'web' ? 0 : 1;
  if (webA !== webB) return webA - webB;
  return name(a).localeCompare(name(b));
}

// ---------------------------------------------------------------------------------------------
// The app

/** The app's maximum memory: every replica's limit, the workspace's included (DOMAIN.md). */
export function memoryMaxBytes(processes: readonly Process[], workspace: Process | null): number {
  let total = 0;
  for (const process of [...processes, ...(workspace ? [workspace] : [])]) {
    total += process.memoryLimit.bytes * process.replicas.desired;
  }
  return total;
}

/** Memory in use: the sum over processes and workspace; null where nothing was measured. */
export function memoryUsedBytes(
  processes: readonly Process[],
  workspace: Process | null,
): number | null {
  let total = 0;
  let known = false;
  for (const process of [...processes, ...(workspace ? [workspace] : [])]) {
    if (process.memoryUsedBytes === null) continue;
    total += process.memoryUsedBytes;
    known = true;
  }
  return known ? total : null;
}

/**
 * The app's status, worst first: stopped by its memory limit (a scaled process has no ready
 * replica and its pods were OOMKilled and are restarting), scaled to zero, degraded (a failed
 * rollout, pods OOM-killed or crash-looping), deploying (with progress), degraded (fewer ready
 * than desired for no visible reason), else running.
 */
export function appStatus(processes: readonly Process[], workspace: Process | null): AppStatus {
  const scaled = processes.filter((p) => p.replicas.desired > 0);
  const oomStopped = scaled.filter((p) => p.replicas.ready === 0 && p.pods.some(isOomLooping));
  if (oomStopped.length > 0) {
    const names = oomStopped
      .map((p) => `${p.name} (limit ${formatBytes(p.memoryLimit.bytes)} per replica)`)
      .join(', ');
    return {
      kind: 'oom-stopped',
      progress: null,
      message: `Stopped by its memory limit: ${names} was OOMKilled and keeps restarting. Lower the workers, load data lazily, or ask for a higher limit; then Start.`,
    };
  }
  if (processes.length > 0 && scaled.length === 0) {
    return {
      kind: 'scaled-to-zero',
      progress: null,
      message: 'Scaled to zero: no replica is running.',
    };
  }
  const all = [...processes, ...(workspace ? [workspace] : [])];
  const failed = all.filter((p) => p.rollout.state === 'failed');
  if (failed.length > 0) {
    return {
      kind: 'degraded',
      progress: null,
      message: failed
        .map((p) => `${p.name}: ${p.rollout.message ?? 'the rollout failed'}`)
        .join(' '),
    };
  }
  // Pods that keep failing make the app degraded even mid-rollout: the rollout will not finish.
  const failing: string[] = [];
  for (const p of all) {
    const oom = p.pods.filter(isOomLooping).length;
    const crashing = p.pods.filter((pod) => pod.waitingReason === 'CrashLoopBackOff').length;
    if (oom > 0)
      failing.push(`${p.name}: ${oom} replica(s) stopped by the memory limit (OOMKilled).`);
    else if (crashing > 0) failing.push(`${p.name}: ${crashing} replica(s) crash-looping.`);
  }
  if (failing.length > 0) return { kind: 'degraded', progress: null, message: failing.join(' ') };
  const rolling = all.filter((p) => p.rollout.state === 'progressing');
  if (rolling.length > 0) {
    const progress = rolling.reduce((sum, p) => sum + p.rollout.progress, 0) / rolling.length;
    return {
      kind: 'deploying',
      progress: clamp01(progress),
      message: rolling.map((p) => `${p.name}: ${p.rollout.message ?? 'rolling out'}`).join(' '),
    };
  }
  const short = all
    .filter((p) => p.replicas.ready < p.replicas.desired)
    .map((p) => `${p.name}: ${p.replicas.ready} of ${p.replicas.desired} replicas ready.`);
  if (short.length > 0) return { kind: 'degraded', progress: null, message: short.join(' ') };
  const ready = scaled.reduce((sum, p) => sum + p.replicas.ready, 0);
  return { kind: 'running', progress: null, message: `Running: ${ready} replica(s) ready.` };
}

function timeOf(value: Date | string | undefined | null): number | null {
  if (value === undefined || value === null) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isNaN(ms) ? null : ms;
}

/**
 * When the pod template running now was rolled out, from the pods: the pods of the newest
 * ReplicaSet (pod-template-hash) came up with it, so the oldest of them is when that rollout
 * began. Later restarts of containers do not move it; pods replaced since (a drained node) can,
 * which the Progressing condition bounds (see lastChangeOf).
 */
function templateRolloutAt(pods: readonly V1Pod[]): number | null {
  const byHash = new Map<string, { newest: number; oldest: number }>();
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const created = timeOf(pod.metadata?.creationTimestamp);
    if (created === null) continue;
    const hash = pod.metadata?.labels?.['pod-template-hash'] ?? '';
    const seen = byHash.get(hash);
    if (!seen) byHash.set(hash, { newest: created, oldest: created });
    else {
      seen.newest = Math.max(seen.newest, created);
      seen.oldest = Math.min(seen.oldest, created);
    }
  }
  let current: { newest: number; oldest: number } | null = null;
  for (const group of byHash.values()) {
    if (current === null || group.newest > current.newest) current = group;
  }
  return current?.oldest ?? null;
}

/**
 * When the app last changed, from the cluster's own record rather than from when ScaleDesk first
 * saw it: per Deployment, the rollout of the pod template running now (the earlier of its pods'
 * start and the Progressing condition's lastUpdateTime, which the controller sets as a rollout
 * progresses and completes), or the restartedAt annotation, or the Deployment's creation; the
 * newest over the app's Deployments.
 *
 * Why the earlier of the two: on a real cluster the condition's time is when the last rollout
 * finished, a little after its pods started (and the right answer where those pods were replaced
 * since); a cluster whose controller came up after its workloads (the sandbox's seed, a restored
 * etcd) stamps the condition with its own start although the pods are days old. A change of
 * replicas alone leaves no time on the Deployment (its managedFields are not kept): the activity
 * log has those made here.
 */
function lastChangeOf(
  deployments: readonly V1Deployment[],
  podsOf: (deployment: V1Deployment) => readonly V1Pod[],
): string | null {
  let latest: number | null = null;
  for (const deployment of deployments) {
    const progressing = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
    const conditionAt = timeOf(progressing?.lastUpdateTime);
    const podsAt = templateRolloutAt(podsOf(deployment));
    const rolloutAt =
      conditionAt !== null && podsAt !== null
        ? Math.min(conditionAt, podsAt)
        : (conditionAt ?? podsAt);
    const candidates = [
      rolloutAt,
      timeOf(deployment.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION]),
      timeOf(deployment.metadata?.creationTimestamp),
    ];
    for (const at of candidates) {
      if (at !== null && (latest === null || at > latest)) latest = at;
    }
  }
  return latest === null ? null : new Date(latest).toISOString();
}

/** One App of the contract from its Deployments and their pods. */
export function buildApp(
  namespace: string,
  name: string,
  deployments: readonly V1Deployment[],
  podsOf: (deployment: V1Deployment) => readonly V1Pod[],
  context: CatalogContext,
): App {
  const id = makeAppId(namespace, name);
  const ordered = [...deployments].sort(procfileOrder);
  const workspaceDeployment = ordered.find(
    (d) => d.metadata?.labels?.[COMPONENT_LABEL] === WORKSPACE_COMPONENT,
  );
  const processes = ordered
    .filter((d) => d !== workspaceDeployment)
    .map((d) => processOf(d, podsOf(d), context));
  const workspace = workspaceDeployment
    ? processOf(workspaceDeployment, podsOf(workspaceDeployment), context)
    : null;
  let lastRestartAt: string | null = null;
  for (const process of [...processes, ...(workspace ? [workspace] : [])]) {
    if (
      process.lastRestartAt &&
      (lastRestartAt === null || process.lastRestartAt > lastRestartAt)
    ) {
      lastRestartAt = process.lastRestartAt;
    }
  }
  return {
    id,
    namespace,
    name,
    processes,
    workspace,
    memory: {
      usedBytes: memoryUsedBytes(processes, workspace),
      maxBytes: memoryMaxBytes(processes, workspace),
    },
    status: appStatus(processes, workspace),
    permissions: context.permissions(namespace),
    podRoom: context.podRoom(namespace),
    endpoint: context.endpoint(id),
    lastRestartAt,
    lastChangeAt: lastChangeOf(deployments, podsOf),
  };
}

// ---------------------------------------------------------------------------------------------
// The catalog with its indexes

export interface CatalogChanges {
  upserted: App[];
  removed: string[];
}

function addTo<K, V>(map: Map<K, Set<V>>, k: K, v: V): void {
  let set = map.get(k);
  if (!set) {
    set = new Set();
    map.set(k, set);
  }
  set.add(v);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, k: K, v: V): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) map.delete(k);
}

export class AppCatalog {
  private readonly deployments = new Map<string, V1Deployment>();
  private readonly pods = new Map<string, V1Pod>();
  private readonly podOwner = new Map<string, string>();
  private readonly podsOfDeployment = new Map<string, Set<string>>();
  /** Pods whose Deployment is not known yet (watches of different kinds are not ordered). */
  private readonly orphans = new Map<string, Set<string>>();
  private readonly deploymentsOfNamespace = new Map<string, Set<string>>();
  private readonly appOfDeployment = new Map<string, string>();
  private readonly deploymentsOfApp = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly built = new Map<string, App>();

  constructor(private readonly context: CatalogContext) {}

  deployment(namespace: string, name: string): V1Deployment | undefined {
    return this.deployments.get(key(namespace, name));
  }

  upsertDeployment(deployment: V1Deployment): void {
    const k = objectKey(deployment);
    const namespace = deployment.metadata?.namespace ?? '';
    const previous = this.deployments.get(k);
    this.deployments.set(k, deployment);
    addTo(this.deploymentsOfNamespace, namespace, k);
    const oldApp = this.appOfDeployment.get(k);
    const newApp = appIdOf(deployment);
    if (oldApp !== undefined && oldApp !== newApp) {
      removeFrom(this.deploymentsOfApp, oldApp, k);
      this.appOfDeployment.delete(k);
      this.dirty.add(oldApp);
    }
    if (newApp !== null) {
      this.appOfDeployment.set(k, newApp);
      addTo(this.deploymentsOfApp, newApp, k);
      this.dirty.add(newApp);
    }
    if (!previous) this.adoptOrphans(namespace);
  }

  deleteDeployment(deployment: V1Deployment): void {
    const k = objectKey(deployment);
    if (!this.deployments.delete(k)) return;
    removeFrom(this.deploymentsOfNamespace, deployment.metadata?.namespace ?? '', k);
    const app = this.appOfDeployment.get(k);
    if (app !== undefined) {
      removeFrom(this.deploymentsOfApp, app, k);
      this.appOfDeployment.delete(k);
      this.dirty.add(app);
    }
    for (const podKey of this.podsOfDeployment.get(k) ?? []) {
      this.podOwner.delete(podKey);
      addTo(this.orphans, deployment.metadata?.namespace ?? '', podKey);
    }
    this.podsOfDeployment.delete(k);
  }

  upsertPod(pod: V1Pod): void {
    const k = objectKey(pod);
    this.pods.set(k, pod);
    let owner = this.podOwner.get(k);
    if (owner === undefined) {
      owner = this.resolveOwner(pod) ?? undefined;
      if (owner === undefined) {
        addTo(this.orphans, pod.metadata?.namespace ?? '', k);
        return;
      }
      this.podOwner.set(k, owner);
      addTo(this.podsOfDeployment, owner, k);
      removeFrom(this.orphans, pod.metadata?.namespace ?? '', k);
    }
    this.markDeployment(owner);
  }

  deletePod(pod: V1Pod): void {
    const k = objectKey(pod);
    if (!this.pods.delete(k)) return;
    removeFrom(this.orphans, pod.metadata?.namespace ?? '', k);
    const owner = this.podOwner.get(k);
    if (owner === undefined) return;
    this.podOwner.delete(k);
    removeFrom(this.podsOfDeployment, owner, k);
    this.markDeployment(owner);
  }

  /** Marks the apps whose pods' memory figures changed. */
  memoryChanged(podKeys: Iterable<string>): void {
    for (const podKey of podKeys) {
      const owner = this.podOwner.get(podKey);
      if (owner !== undefined) this.markDeployment(owner);
    }
  }

  markApp(appId: string): void {
    if (this.deploymentsOfApp.has(appId) || this.built.has(appId)) this.dirty.add(appId);
  }

  markNamespace(namespace: string): void {
    for (const id of this.deploymentsOfApp.keys()) {
      if (id.startsWith(`${namespace}/`)) this.dirty.add(id);
    }
  }

  /** Rebuilds the apps that changed; returns them and the ids of apps that are gone. */
  flush(): CatalogChanges {
    const upserted: App[] = [];
    const removed: string[] = [];
    for (const id of this.dirty) {
      const app = this.build(id);
      if (app) {
        this.built.set(id, app);
        upserted.push(app);
      } else if (this.built.delete(id)) {
        removed.push(id);
      }
    }
    this.dirty.clear();
    return { upserted, removed };
  }

  /** The app as it is now (rebuilt first if it changed since the last flush). */
  get(appId: string): App | undefined {
    if (this.dirty.has(appId)) {
      const app = this.build(appId);
      if (app) this.built.set(appId, app);
      else this.built.delete(appId);
      // Still dirty: the next flush must tell listeners.
    }
    return this.built.get(appId);
  }

  list(): App[] {
    if (this.dirty.size > 0) {
      for (const id of this.dirty) this.get(id);
    }
    return [...this.built.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  appIds(): Set<string> {
    return new Set(this.deploymentsOfApp.keys());
  }

  /** Namespaces that hold at least one app. */
  namespaces(): Set<string> {
    const namespaces = new Set<string>();
    for (const id of this.deploymentsOfApp.keys()) namespaces.add(id.slice(0, id.indexOf('/')));
    return namespaces;
  }

  private markDeployment(deploymentKey: string): void {
    const app = this.appOfDeployment.get(deploymentKey);
    if (app !== undefined) this.dirty.add(app);
  }

  private build(appId: string): App | undefined {
    const keys = this.deploymentsOfApp.get(appId);
    if (!keys || keys.size === 0) return undefined;
    const deployments = [...keys].map((k) => this.deployments.get(k)!).filter(Boolean);
    const slash = appId.indexOf('/');
    const podsOf = (deployment: V1Deployment): V1Pod[] =>
      [...(this.podsOfDeployment.get(objectKey(deployment)) ?? [])]
        .map((k) => this.pods.get(k))
        .filter((p): p is V1Pod => p !== undefined);
    return buildApp(
      appId.slice(0, slash),
      appId.slice(slash + 1),
      deployments,
      podsOf,
      this.context,
    );
  }

  /**
   * The Deployment that owns a pod: its ReplicaSet owner's name less the pod-template-hash
   * (how the deployment controller names ReplicaSets), else the Deployment of the same app, or
   * failing that of the namespace, whose selector matches the pod's labels.
   */
  private resolveOwner(pod: V1Pod): string | null {
    const namespace = pod.metadata?.namespace ?? '';
    const labels = pod.metadata?.labels ?? {};
    const hash = labels['pod-template-hash'];
    const replicaSet = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
    if (replicaSet && hash && replicaSet.name.endsWith(`-${hash}`)) {
      const candidate = key(namespace, replicaSet.name.slice(0, -hash.length - 1));
      if (this.deployments.has(candidate)) return candidate;
    }
    const partOf = labels[PART_OF_LABEL];
    const candidates = partOf
      ? this.deploymentsOfApp.get(makeAppId(namespace, partOf))
      : this.deploymentsOfNamespace.get(namespace);
    for (const candidate of candidates ?? []) {
      const deployment = this.deployments.get(candidate);
      if (deployment && selectorMatches(deployment.spec?.selector, labels)) return candidate;
    }
    return null;
  }

  private adoptOrphans(namespace: string): void {
    const orphans = this.orphans.get(namespace);
    if (!orphans) return;
    for (const podKey of [...orphans]) {
      const pod = this.pods.get(podKey);
      if (!pod) {
        orphans.delete(podKey);
        continue;
      }
      const owner = this.resolveOwner(pod);
      if (owner === null) continue;
      orphans.delete(podKey);
      this.podOwner.set(podKey, owner);
      addTo(this.podsOfDeployment, owner, podKey);
      this.markDeployment(owner);
    }
    if (orphans.size === 0) this.orphans.delete(namespace);
  }
}
