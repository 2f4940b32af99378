import { ApiError } from './api-errors';
import type { Container, KubeObject, Pod, ResourceQuota } from './kube-types';
import type { ObjectStore, StoreReader } from './object-store';
import { effectiveRequests, podResources } from './pod-resources';
import { formatQuantity, isBinaryQuantity, parseQuantity } from './quantity';
import { TYPES } from './resource-types';

/**
 * The ResourceQuota admission step and the quota's `status.used`, for what pods count against
 * a quota (upstream's pod evaluator, pkg/quota/v1/evaluator/core/pods.go): `pods` and
 * `count/pods`, `requests.memory` (also spelled `memory`), `limits.memory`, and the same for
 * `cpu`. A pod whose creation would take the namespace past a quota is refused with 403
 * Forbidden worded as the API server words it ("exceeded quota: NAME, requested: ..., used:
 * ..., limited: ..."), and a quota on a compute resource refuses a pod with a container that
 * does not name it ("failed quota: NAME: must specify limits.memory for: web"), a constraint
 * upstream keeps for backward compatibility. Other quota keys (services, secrets, ...) are
 * neither counted nor enforced.
 */

/** The resource names a pod counts for, as upstream's pod evaluator names them. */
const POD_RESOURCES = new Set([
  'pods',
  'count/pods',
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

/** The compute resources every container must name once a quota limits them. */
const CONSTRAINED = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

/** Pods count against a quota until they are terminal (Succeeded or Failed) or gone. */
function counts(pod: KubeObject): boolean {
  const phase = (pod as Pod).status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** The quota resource names a set of requests and limits stands for. */
function computeUsage(
  requests: Record<string, number>,
  limits: Record<string, number>,
): Record<string, number> {
  const usage: Record<string, number> = {};
  for (const resource of ['cpu', 'memory']) {
    const request = requests[resource];
    if (request !== undefined) {
      usage[resource] = request;
      usage[`requests.${resource}`] = request;
    }
    const limit = limits[resource];
    if (limit !== undefined) usage[`limits.${resource}`] = limit;
  }
  return usage;
}

/** What one pod counts for against a quota. */
export function podUsage(pod: Pod): Record<string, number> {
  const { requests, limits } = podResources(pod);
  return { pods: 1, 'count/pods': 1, ...computeUsage(requests, limits) };
}

/**
 * What the namespace's live pods count for, by resource name. Where only pod counts are asked
 * for, no pod's resources are read: admission runs this for every pod created.
 */
export function namespaceUsage(
  store: StoreReader,
  namespace: string,
  keys: Iterable<string> = POD_RESOURCES,
): Record<string, number> {
  const computeNeeded = [...keys].some((k) => CONSTRAINED.has(k));
  const used: Record<string, number> = {};
  for (const pod of store.each(TYPES.pods, namespace)) {
    if (!counts(pod)) continue;
    const usage = computeNeeded ? podUsage(pod as Pod) : { pods: 1, 'count/pods': 1 };
    for (const [key, value] of Object.entries(usage)) used[key] = (used[key] ?? 0) + value;
  }
  return used;
}

export function podQuotas(store: StoreReader, namespace: string): ResourceQuota[] {
  return [...store.each(TYPES.resourcequotas, namespace)] as ResourceQuota[];
}

/** A quota value as the API server prints it: memory binary (`132Gi`), the rest decimal. */
function printed(key: string, value: number): string {
  return formatQuantity(value, key.endsWith('memory'));
}

function list(values: [string, string][]): string {
  return values.map(([k, v]) => `${k}=${v}`).join(',');
}

/** The pod resources this quota limits. */
function restricted(quota: ResourceQuota): string[] {
  return Object.keys(quota.spec?.hard ?? {}).filter((k) => POD_RESOURCES.has(k));
}

/** "limits.memory for: web; requests.cpu for: web,sidecar" where containers leave one out. */
function missingConstraints(pod: Pod, required: string[]): string | undefined {
  const needed = required.filter((k) => CONSTRAINED.has(k));
  if (needed.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  const containers: Container[] = [
    ...(pod.spec.containers ?? []),
    ...(Array.isArray(pod.spec['initContainers'])
      ? (pod.spec['initContainers'] as Container[])
      : []),
  ];
  for (const c of containers) {
    const has = computeUsage(
      Object.fromEntries(Object.keys(effectiveRequests(c)).map((k) => [k, 0])),
      Object.fromEntries(Object.keys(c.resources?.limits ?? {}).map((k) => [k, 0])),
    );
    for (const key of needed) {
      if (has[key] !== undefined) continue;
      missing.set(key, (missing.get(key) ?? new Set()).add(c.name));
    }
  }
  if (missing.size === 0) return undefined;
  return [...missing.keys()]
    .sort()
    .map((key) => `${key} for: ${[...(missing.get(key) ?? [])].sort().join(',')}`)
    .join('; ');
}

function forbidden(pod: Pod, message: string): ApiError {
  const name = pod.metadata.name ?? pod.metadata.generateName ?? '';
  return new ApiError(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, {
    name,
    kind: 'pods',
  });
}

/** Throws the quota 403 where the pod would take the namespace past one of its quotas. */
export function admitPod(store: StoreReader, pod: Pod): void {
  const namespace = pod.metadata.namespace ?? '';
  const quotas = podQuotas(store, namespace).filter((q) => restricted(q).length > 0);
  if (quotas.length === 0) return;
  for (const quota of quotas) {
    const missing = missingConstraints(pod, restricted(quota));
    if (missing) {
      throw forbidden(pod, `failed quota: ${quota.metadata.name}: must specify ${missing}`);
    }
  }
  const requested = podUsage(pod);
  const used = namespaceUsage(store, namespace, quotas.flatMap(restricted));
  for (const quota of quotas) {
    const hard = quota.spec.hard;
    const exceeded = restricted(quota)
      .filter((key) => (requested[key] ?? 0) > 0)
      .filter(
        (key) => (used[key] ?? 0) + (requested[key] ?? 0) > (parseQuantity(hard[key]) ?? Infinity),
      )
      .sort();
    if (exceeded.length === 0) continue;
    const limited = exceeded.map((key): [string, string] => [
      key,
      formatQuantity(parseQuantity(hard[key]) ?? 0, isBinaryQuantity(hard[key])),
    ]);
    throw forbidden(
      pod,
      `exceeded quota: ${quota.metadata.name}, requested: ${list(
        exceeded.map((key) => [key, printed(key, requested[key] ?? 0)]),
      )}, used: ${list(exceeded.map((key) => [key, printed(key, used[key] ?? 0)]))}, limited: ${list(limited)}`,
    );
  }
}

/** Brings every quota's status up to date in a namespace; writes only what changed. */
export function refreshQuotaStatus(store: ObjectStore, namespace: string): void {
  const quotas = podQuotas(store, namespace);
  if (quotas.length === 0) return;
  const usage = namespaceUsage(
    store,
    namespace,
    quotas.flatMap((q) => Object.keys(q.spec?.hard ?? {})),
  );
  for (const quota of quotas) {
    const used: Record<string, string> = {};
    for (const key of Object.keys(quota.spec?.hard ?? {})) {
      used[key] = POD_RESOURCES.has(key)
        ? printed(key, usage[key] ?? 0)
        : (quota.status?.used?.[key] ?? '0');
    }
    const hard = quota.spec?.hard ?? {};
    if (
      JSON.stringify(quota.status?.used ?? {}) === JSON.stringify(used) &&
      JSON.stringify(quota.status?.hard ?? {}) === JSON.stringify(hard)
    ) {
      continue;
    }
    store.update(TYPES.resourcequotas, { ...quota, status: { hard, used } });
  }
}
