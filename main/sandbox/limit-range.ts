import type { Container, LimitRange, Pod } from './kube-types';
import type { StoreReader } from './object-store';
import { TYPES } from './resource-types';

/**
 * The LimitRanger admission step: a container without its own limit or request gets the
 * namespace's LimitRange defaults when its pod is created, as on a real cluster. This is how a
 * pod ends up with the 8Gi default memory limit the kubelet then enforces.
 */

export function containerDefaults(
  store: StoreReader,
  namespace: string,
): { limits: Record<string, string>; requests: Record<string, string> } {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  for (const object of store.each(TYPES.limitranges, namespace)) {
    const range = object as LimitRange;
    for (const item of range.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      Object.assign(limits, item.default ?? {});
      // A LimitRange without defaultRequest defaults requests to the default limit.
      Object.assign(requests, item.default ?? {}, item.defaultRequest ?? {});
    }
  }
  return { limits, requests };
}

export function applyLimitRangeDefaults(store: StoreReader, pod: Pod): Pod {
  const namespace = pod.metadata.namespace ?? '';
  const defaults = containerDefaults(store, namespace);
  if (Object.keys(defaults.limits).length === 0 && Object.keys(defaults.requests).length === 0) {
    return pod;
  }
  const annotations: string[] = [];
  const containers = pod.spec.containers.map((c: Container) => {
    const limits = { ...(c.resources?.limits ?? {}) };
    const requests = { ...(c.resources?.requests ?? {}) };
    const set: string[] = [];
    for (const [k, v] of Object.entries(defaults.limits)) {
      if (limits[k] === undefined) {
        limits[k] = v;
        set.push(`${k} limit`);
      }
    }
    for (const [k, v] of Object.entries(defaults.requests)) {
      if (requests[k] === undefined) {
        // A request never defaults above the container's own limit.
        requests[k] =
          limits[k] !== undefined && c.resources?.limits?.[k] !== undefined ? limits[k] : v;
        set.push(`${k} request`);
      }
    }
    if (set.length > 0) annotations.push(`${set.join(', ')} for container ${c.name}`);
    return { ...c, resources: { ...c.resources, limits, requests } };
  });
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      annotations: {
        ...(pod.metadata.annotations ?? {}),
        ...(annotations.length > 0
          ? { 'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${annotations.join('; ')}` }
          : {}),
      },
    },
    spec: { ...pod.spec, containers },
  };
}
