import type { V1Container, V1LimitRange, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { quantityToScalar } from '../kube/client-node';
import {
  DEFAULT_MEMORY_LIMIT_BYTES,
  type MemoryLimit,
  type MemoryLimitSource,
} from '../../shared/app-model';

/**
 * The memory limit of one replica and where it came from (DOMAIN.md): the container's own
 * `resources.limits.memory`; where unset, the namespace LimitRange default (what the admission
 * controller fills in when a pod is created); where there is none, the product's 8 GiB default.
 *
 * Two readings, and they differ: what a NEW replica would get (the pod template, with the
 * namespace default as it is now), and what the RUNNING replicas have (their own pod spec, filled
 * in at their admission). The second is what the kubelet enforces, so it is the figure shown; the
 * first is `next` where it differs (a rollout under way, or a namespace default changed since the
 * pods started).
 */

/** The namespace's LimitRange defaults for a container; null where no LimitRange sets one. */
export interface NamespaceMemoryDefault {
  limitBytes: number | null;
  requestBytes: number | null;
}

export const NO_NAMESPACE_DEFAULT: NamespaceMemoryDefault = {
  limitBytes: null,
  requestBytes: null,
};

/** The annotation the LimitRanger admission plugin leaves on a pod whose resources it filled in. */
const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** Bytes of a Kubernetes quantity (`512Mi`, `8G`, `1.5Gi`) through client-node's parser; null where malformed. */
export function quantityBytes(quantity: string | undefined | null): number | null {
  if (quantity === undefined || quantity === null || quantity === '') return null;
  try {
    const value = Number(quantityToScalar(String(quantity)));
    return Number.isFinite(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}

function positive(bytes: number | null): number | null {
  return bytes !== null && bytes > 0 ? bytes : null;
}

function lowest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * The default memory limit and request the namespace's LimitRanges give a container without
 * them. Where several set one, the lowest, as the tightest one is what the admin will hit. A
 * LimitRange without defaultRequest requests its default limit (the API server fills it in).
 */
export function limitRangeDefaults(limitRanges: Iterable<V1LimitRange>): NamespaceMemoryDefault {
  let limitBytes: number | null = null;
  let requestBytes: number | null = null;
  for (const range of limitRanges) {
    for (const item of range.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      const limit = positive(quantityBytes(item._default?.['memory']));
      const request = positive(quantityBytes(item.defaultRequest?.['memory'])) ?? limit;
      limitBytes = lowest(limitBytes, limit);
      requestBytes = lowest(requestBytes, request);
    }
  }
  return { limitBytes, requestBytes };
}

/** The default memory limit of the namespace's LimitRanges; null where none sets it. */
export function limitRangeDefaultMemory(limitRanges: Iterable<V1LimitRange>): number | null {
  return limitRangeDefaults(limitRanges).limitBytes;
}

/** The sum of the containers' own limits (or requests) of memory; null where none sets one. */
function containersMemory(
  containers: readonly V1Container[],
  field: 'limits' | 'requests',
): number | null {
  let total: number | null = null;
  for (const container of containers) {
    const bytes = positive(quantityBytes(container.resources?.[field]?.['memory']));
    if (bytes !== null) total = (total ?? 0) + bytes;
  }
  return total;
}

/** A running pod's own memory limit and request (its spec, as admission filled it in). */
export function podMemorySpec(pod: V1Pod): {
  limitBytes: number | null;
  requestBytes: number | null;
} {
  const containers = pod.spec?.containers ?? [];
  return {
    limitBytes: containersMemory(containers, 'limits'),
    requestBytes: containersMemory(containers, 'requests'),
  };
}

function containerLimit(
  container: V1Container,
  namespaceDefault: number | null,
): { bytes: number; source: MemoryLimitSource } | null {
  const own = positive(quantityBytes(container.resources?.limits?.['memory']));
  if (own !== null) return { bytes: own, source: 'container' };
  if (namespaceDefault !== null) return { bytes: namespaceDefault, source: 'limitrange' };
  return null;
}

/** What a container's request will be at admission: its own, else its own limit, else the default. */
function containerRequest(
  container: V1Container,
  namespace: NamespaceMemoryDefault,
): number | null {
  const own = positive(quantityBytes(container.resources?.requests?.['memory']));
  if (own !== null) return own;
  // The API server defaults a request to the container's own limit, before LimitRanger runs.
  const ownLimit = positive(quantityBytes(container.resources?.limits?.['memory']));
  if (ownLimit !== null) return ownLimit;
  return namespace.requestBytes ?? namespace.limitBytes;
}

/**
 * What a new replica from this pod template gets: the sum over its containers (a container
 * without its own limit takes the namespace default; one with neither adds nothing; none with
 * any: the 8 GiB default). The source is that of the process's container (`containerIndex`, the
 * one running the Procfile line; the first where not given).
 */
export function memoryLimitOf(
  spec: V1PodSpec | undefined,
  namespaceDefault: number | null,
  namespaceDefaultRequest: number | null = namespaceDefault,
  containerIndex = 0,
): MemoryLimit {
  const containers = spec?.containers ?? [];
  const namespace = { limitBytes: namespaceDefault, requestBytes: namespaceDefaultRequest };
  let bytes = 0;
  let source: MemoryLimitSource | null = null;
  let requestBytes: number | null = null;
  for (const [index, container] of containers.entries()) {
    const request = containerRequest(container, namespace);
    if (request !== null) requestBytes = (requestBytes ?? 0) + request;
    const limit = containerLimit(container, namespaceDefault);
    if (!limit) continue;
    bytes += limit.bytes;
    if (index === containerIndex || source === null) source = limit.source;
  }
  if (source === null || bytes <= 0) {
    return { bytes: DEFAULT_MEMORY_LIMIT_BYTES, source: 'default', requestBytes, next: null };
  }
  return { bytes, source, requestBytes, next: null };
}

/** Whether the LimitRanger admission plugin says it set this container's memory limit. */
function limitRangerSetLimit(pod: V1Pod, containerName: string): boolean {
  const said = pod.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION];
  if (!said) return false;
  // Upstream: "LimitRanger plugin set: memory request for container web; memory limit for
  // container web" (one clause per resource kind, or all of a container's in one).
  return said
    .replace(/^[^:]*:/, '')
    .split(';')
    .some((clause) => {
      const text = clause.trim();
      return text.includes('memory limit') && text.endsWith(`for container ${containerName}`);
    });
}

/**
 * Where a running pod's limit came from: none in its spec is the built-in default; the
 * LimitRanger's annotation on it says the namespace default; without that annotation (a cluster
 * that does not leave it), a template without a limit of its own, or a value that is the
 * namespace default now, says the same; else the container's own.
 */
function podLimitSource(
  pod: V1Pod,
  limitBytes: number | null,
  template: V1PodSpec | undefined,
  containerIndex: number,
  namespace: NamespaceMemoryDefault,
): MemoryLimitSource {
  if (limitBytes === null) return 'default';
  const container = pod.spec?.containers?.[containerIndex] ?? pod.spec?.containers?.[0];
  if (container && limitRangerSetLimit(pod, container.name)) return 'limitrange';
  if (pod.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION] !== undefined) return 'container';
  const templateOwn = positive(
    quantityBytes(template?.containers?.[containerIndex]?.resources?.limits?.['memory']),
  );
  if (templateOwn === null) return 'limitrange';
  return templateOwn !== limitBytes && limitBytes === namespace.limitBytes
    ? 'limitrange'
    : 'container';
}

function createdMs(pod: V1Pod): number {
  const at = pod.metadata?.creationTimestamp;
  const ms = at === undefined ? Number.NaN : new Date(at).getTime();
  return Number.isFinite(ms) ? ms : 0;
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** What the process needs to read its limit: its template, its pods, the namespace default. */
export interface ProcessLimitInput {
  template: V1PodSpec | undefined;
  /** The container running the Procfile line (process-container.ts). */
  containerIndex: number;
  pods: readonly V1Pod[];
  namespace: NamespaceMemoryDefault;
  /** The workload's rollout is not complete (a new template reaching its pods, or stalled). */
  rollingOut: boolean;
}

/**
 * A process's limit per replica as its pods run it. Where the pods disagree (a rollout), the
 * figure is the limit the MOST pods run, ties going to the limit of the newest ready pod: the
 * replicas serving now are what an OOM would hit, and the new limit is `next` until most run it.
 * Terminating pods count only where there are no others. Without pods: what a new one would get.
 * `next`: what a new replica would get where that differs.
 */
export function processMemoryLimit(input: ProcessLimitInput): MemoryLimit {
  const { template, containerIndex, namespace } = input;
  const upcoming = memoryLimitOf(
    template,
    namespace.limitBytes,
    namespace.requestBytes,
    containerIndex,
  );
  const live = input.pods.filter((pod) => !pod.metadata?.deletionTimestamp);
  const pods = live.length > 0 ? live : input.pods;
  if (pods.length === 0) return upcoming;

  const groups = new Map<number, V1Pod[]>();
  for (const pod of pods) {
    const bytes = podMemorySpec(pod).limitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
    groups.set(bytes, [...(groups.get(bytes) ?? []), pod]);
  }
  // Newest ready first, then newest: the first of a group is the one that speaks for it.
  const newestFirst = (a: V1Pod, b: V1Pod) =>
    Number(isReady(b)) - Number(isReady(a)) || createdMs(b) - createdMs(a);
  let chosen: { bytes: number; pods: V1Pod[] } | null = null;
  for (const [bytes, group] of groups) {
    group.sort(newestFirst);
    if (
      chosen === null ||
      group.length > chosen.pods.length ||
      (group.length === chosen.pods.length && newestFirst(group[0]!, chosen.pods[0]!) < 0)
    ) {
      chosen = { bytes, pods: group };
    }
  }
  const speaker = chosen!.pods[0]!;
  const own = podMemorySpec(speaker);
  const source = podLimitSource(speaker, own.limitBytes, template, containerIndex, namespace);
  const running: MemoryLimit = {
    bytes: chosen!.bytes,
    source,
    requestBytes: own.requestBytes,
    next: null,
  };
  if (upcoming.bytes === running.bytes) return running;
  // The template names no limit of its own and the pods got theirs from the namespace default
  // (or none): only the default moved since they started, unless new pods are already coming up
  // with it (a rollout whose pods disagree). Anything else is a new template rolling out. A
  // stalled rollout (an OOM loop) whose pods all agree is still waiting for the default.
  const rolling = input.rollingOut && groups.size > 1;
  const defaultMoved =
    !rolling && upcoming.source !== 'container' && running.source !== 'container';
  return {
    ...running,
    next: {
      bytes: upcoming.bytes,
      source: upcoming.source,
      reason: defaultMoved ? 'namespace-default' : 'rollout',
    },
  };
}
