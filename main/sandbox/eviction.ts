import { ApiError, badRequest, type StatusBody } from './api-errors';
import type { KubeObject, LabelSelector, Pod } from './kube-types';
import type { StoreReader } from './object-store';
import type { DeleteOptions } from './registry';
import { TYPES } from './resource-types';
import { selectorMatches } from './selectors';

/**
 * The pods/eviction subresource (policy/v1 Eviction), which `kubectl drain` posts to: a delete
 * of the pod with the Eviction's DeleteOptions, refused with 429 where a PodDisruptionBudget
 * selecting a healthy pod has no disruption to spare (kubectl retries those every 5 s).
 * A budget's allowance is counted here from the pods it selects, at the moment of the eviction;
 * its status (what `kubectl get pdb` shows) is not maintained, since no disruption controller runs.
 */

interface Eviction {
  kind?: string;
  metadata?: { name?: string };
  deleteOptions?: DeleteOptions;
}

interface DisruptionBudget extends KubeObject {
  spec?: {
    selector?: LabelSelector;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
  };
}

function isHealthy(pod: KubeObject): boolean {
  const p = pod as Pod;
  return (
    !p.metadata.deletionTimestamp &&
    (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/** A count or a percentage of `total`, rounded up as the disruption controller rounds it. */
function countOf(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const pct = Number(value.replace('%', ''));
  return Number.isFinite(pct) ? Math.ceil((pct * total) / 100) : 0;
}

/** The budget that forbids evicting `pod` now, with the message the real server gives. */
function blockingBudget(store: StoreReader, pod: Pod): string | undefined {
  if (!isHealthy(pod)) return undefined;
  const namespace = pod.metadata.namespace ?? '';
  const labels = pod.metadata.labels ?? {};
  for (const object of store.each(TYPES.poddisruptionbudgets, namespace)) {
    const budget = object as DisruptionBudget;
    const selector = budget.spec?.selector;
    if (!selector || !selectorMatches(selector, labels)) continue;
    const selected = [...store.each(TYPES.pods, namespace)].filter((p) =>
      selectorMatches(selector, p.metadata.labels ?? {}),
    );
    const healthy = selected.filter(isHealthy).length;
    const spec = budget.spec ?? {};
    const desiredHealthy =
      spec.minAvailable !== undefined
        ? countOf(spec.minAvailable, selected.length)
        : selected.length - countOf(spec.maxUnavailable ?? 0, selected.length);
    if (healthy - desiredHealthy <= 0) {
      return `The disruption budget ${budget.metadata.name} needs ${desiredHealthy} healthy pods and has ${healthy} currently`;
    }
  }
  return undefined;
}

/** Checks an eviction and the options of the delete it asks for. */
export function evictionOptions(name: string, body: unknown): DeleteOptions {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('the body of the request must be a policy/v1 Eviction');
  }
  const eviction = body as Eviction;
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction') {
    throw badRequest(`the body of the request must be an Eviction, not ${eviction.kind}`);
  }
  if (eviction.metadata?.name !== name) {
    throw badRequest('name in URL does not match name in Eviction object');
  }
  return eviction.deleteOptions ?? {};
}

/** Refuses the eviction (429) where a disruption budget has nothing to spare. */
export function checkDisruptionBudgets(store: StoreReader, pod: Pod): void {
  const reason = blockingBudget(store, pod);
  if (!reason) return;
  throw new ApiError(
    429,
    'TooManyRequests',
    "Cannot evict pod as it would violate the pod's disruption budget.",
    // No Retry-After: kubectl drain waits 5 s itself, client-go would otherwise retry at once.
    { retryAfterSeconds: 0, causes: [{ reason: 'DisruptionBudget', message: reason, field: '' }] },
  );
}

/** What the API server answers to an eviction it carried out. */
export function evictionAccepted(): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
