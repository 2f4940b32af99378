import { ApiError, type StatusCause } from './api-errors';
import type { Container, LimitRange, Pod } from './kube-types';
import type { StoreReader } from './object-store';
import { effectiveRequests } from './pod-resources';
import { formatQuantity, isBinaryQuantity, parseQuantity } from './quantity';
import { TYPES } from './resource-types';

/**
 * LimitRanges: their defaulting and validation as the API server applies them on create and
 * update, and the LimitRanger admission step: a container without its own limit or request gets
 * the namespace's LimitRange defaults when its pod is created, as on a real cluster. This is how
 * a pod ends up with the 8Gi default memory limit the kubelet then enforces; a changed default
 * reaches only pods created after the change (pods are never re-admitted). A container outside
 * a Container item's `min`/`max` is refused (403), as the LimitRanger's validation refuses it.
 */

type LimitRangeItem = LimitRange['spec']['limits'][number] & {
  min?: Record<string, string>;
};

/**
 * SetDefaults_LimitRangeItem: for a Container item, a max with no default becomes the default,
 * a default with no defaultRequest becomes the defaultRequest, and a min with neither becomes
 * the defaultRequest; so `kubectl get limitrange -o yaml` reads back what pods will get.
 */
export function limitRangeItemDefaults(item: LimitRangeItem): LimitRangeItem {
  if (item.type !== 'Container') return item;
  const defaults = { ...(item.max ?? {}), ...(item.default ?? {}) };
  const defaultRequest = { ...(item.min ?? {}), ...defaults, ...(item.defaultRequest ?? {}) };
  return { ...item, default: defaults, defaultRequest };
}

export function limitRangeDefaults(range: LimitRange): LimitRange {
  const limits = range.spec?.limits;
  if (!Array.isArray(limits)) return range;
  return { ...range, spec: { ...range.spec, limits: limits.map(limitRangeItemDefaults) } };
}

/** ValidateLimitRange's check that the default request is not above the default limit. */
export function limitRangeCauses(limits: unknown): StatusCause[] {
  if (!Array.isArray(limits)) return [];
  const causes: StatusCause[] = [];
  limits.forEach((raw: LimitRangeItem, i) => {
    const item = limitRangeItemDefaults(raw);
    for (const [key, text] of Object.entries(item.defaultRequest ?? {})) {
      const limitText = item.default?.[key];
      const request = parseQuantity(text);
      const limit = parseQuantity(limitText);
      if (request === undefined || limit === undefined || request <= limit) continue;
      const shown = formatQuantity(request, isBinaryQuantity(text));
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${shown}": default request value ${shown} is greater than default limit value ${formatQuantity(limit, isBinaryQuantity(limitText))}`,
        field: `spec.limits[${i}].defaultRequest[${key}]`,
      });
    }
  });
  return causes;
}

export function containerDefaults(
  store: StoreReader,
  namespace: string,
): { limits: Record<string, string>; requests: Record<string, string> } {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  for (const object of store.each(TYPES.limitranges, namespace)) {
    const range = object as LimitRange;
    for (const raw of range.spec?.limits ?? []) {
      // Defaulted again here: a LimitRange written straight to the store has not been.
      const item = limitRangeItemDefaults(raw);
      if (item.type !== 'Container') continue;
      Object.assign(limits, item.default ?? {});
      Object.assign(requests, item.defaultRequest ?? {});
    }
  }
  return { limits, requests };
}

/** A quantity as upstream prints the LimitRange's own value (canonical, in its own format). */
function shown(text: string): string {
  return formatQuantity(parseQuantity(text) ?? 0, isBinaryQuantity(text));
}

/** minConstraint / maxConstraint of upstream's LimitRanger, for one container and resource. */
function constraintErrors(item: LimitRangeItem, c: Container): string[] {
  const errors: string[] = [];
  const requests = effectiveRequests(c);
  const limits = c.resources?.limits ?? {};
  for (const [key, text] of Object.entries(item.min ?? {})) {
    const min = parseQuantity(text) ?? 0;
    const request = requests[key];
    const limit = limits[key];
    if (request === undefined) {
      errors.push(`minimum ${key} usage per Container is ${shown(text)}.  No request is specified`);
    } else if ((parseQuantity(request) ?? 0) < min) {
      errors.push(
        `minimum ${key} usage per Container is ${shown(text)}, but request is ${shown(request)}`,
      );
    } else if (limit !== undefined && (parseQuantity(limit) ?? 0) < min) {
      errors.push(
        `minimum ${key} usage per Container is ${shown(text)}, but limit is ${shown(limit)}`,
      );
    }
  }
  for (const [key, text] of Object.entries(item.max ?? {})) {
    const max = parseQuantity(text) ?? Infinity;
    const request = requests[key];
    const limit = limits[key];
    if (limit === undefined) {
      errors.push(`maximum ${key} usage per Container is ${shown(text)}.  No limit is specified`);
    } else if ((parseQuantity(limit) ?? 0) > max) {
      errors.push(
        `maximum ${key} usage per Container is ${shown(text)}, but limit is ${shown(limit)}`,
      );
    } else if (request !== undefined && (parseQuantity(request) ?? 0) > max) {
      errors.push(
        `maximum ${key} usage per Container is ${shown(text)}, but request is ${shown(request)}`,
      );
    }
  }
  return errors;
}

/**
 * The LimitRanger's validation of a created pod, after its defaults: each container within the
 * Container items' `min` and `max`, else 403 Forbidden with upstream's wording (several
 * failures as its error aggregate prints them, `[first, second]`).
 */
export function admitLimitRanges(store: StoreReader, pod: Pod): void {
  const errors: string[] = [];
  const containers = [
    ...(pod.spec.containers ?? []),
    ...(Array.isArray(pod.spec['initContainers'])
      ? (pod.spec['initContainers'] as Container[])
      : []),
  ];
  for (const object of store.each(TYPES.limitranges, pod.metadata.namespace ?? '')) {
    for (const raw of (object as LimitRange).spec?.limits ?? []) {
      if (raw.type !== 'Container') continue;
      for (const c of containers) errors.push(...constraintErrors(raw, c));
    }
  }
  if (errors.length === 0) return;
  const name = pod.metadata.name ?? pod.metadata.generateName ?? '';
  const message = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  throw new ApiError(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, {
    name,
    kind: 'pods',
  });
}

/** "memory request for container web; memory limit for container web", as upstream words it. */
function setNote(keys: string[], what: 'request' | 'limit', container: string): string[] {
  return keys.length === 0 ? [] : [`${keys.sort().join(', ')} ${what} for container ${container}`];
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
    // The API server's pod defaulting has already made each limit a request where none was given.
    const requests = effectiveRequests(c);
    const setRequests: string[] = [];
    const setLimits: string[] = [];
    for (const [k, v] of Object.entries(defaults.limits)) {
      if (limits[k] === undefined) {
        limits[k] = v;
        setLimits.push(k);
      }
    }
    for (const [k, v] of Object.entries(defaults.requests)) {
      if (requests[k] === undefined) {
        requests[k] = v;
        setRequests.push(k);
      }
    }
    annotations.push(
      ...setNote(setRequests, 'request', c.name),
      ...setNote(setLimits, 'limit', c.name),
    );
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
