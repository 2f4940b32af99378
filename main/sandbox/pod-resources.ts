import type { Container, Pod } from './kube-types';
import { parseQuantity } from './quantity';

/**
 * What a pod asks of a node and of its namespace's quota, as upstream's resource helpers add it
 * up (`resourcehelper.PodRequests` / `PodLimits`): the sum over its containers, or the largest
 * init container where that is more (init containers run one at a time, before the others).
 * A container's request defaults to its limit where it has none (the API server's pod
 * defaulting does that at creation; read here too for pods written straight to the store).
 */

export interface PodResources {
  /** Per resource name (`memory` in bytes, `cpu` in cores), only resources some container names. */
  requests: Record<string, number>;
  limits: Record<string, number>;
}

function containerList(value: unknown): Container[] {
  return Array.isArray(value) ? (value as Container[]) : [];
}

function add(into: Record<string, number>, values: Record<string, string> | undefined): void {
  for (const [key, text] of Object.entries(values ?? {})) {
    const value = parseQuantity(text);
    if (value !== undefined) into[key] = (into[key] ?? 0) + value;
  }
}

function maxInto(into: Record<string, number>, values: Record<string, number>): void {
  for (const [key, value] of Object.entries(values)) into[key] = Math.max(into[key] ?? 0, value);
}

/** A container's requests, each defaulting to the limit of the same resource. */
export function effectiveRequests(c: Container): Record<string, string> {
  return { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
}

export function podResources(pod: Pod): PodResources {
  const requests: Record<string, number> = {};
  const limits: Record<string, number> = {};
  for (const c of pod.spec.containers ?? []) {
    add(requests, effectiveRequests(c));
    add(limits, c.resources?.limits);
  }
  for (const c of containerList(pod.spec['initContainers'])) {
    const initRequests: Record<string, number> = {};
    const initLimits: Record<string, number> = {};
    add(initRequests, effectiveRequests(c));
    add(initLimits, c.resources?.limits);
    maxInto(requests, initRequests);
    maxInto(limits, initLimits);
  }
  return { requests, limits };
}
