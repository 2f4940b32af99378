import { ApiError } from './api-errors';
import type { KubeObject, Pod, ResourceQuota } from './kube-types';
import type { ObjectStore, StoreReader } from './object-store';
import { parseQuantity } from './quantity';
import { TYPES } from './resource-types';

/**
 * The ResourceQuota admission step and the quota's `status.used`: a pod whose creation would
 * take the namespace past its quota on `pods` is refused with 403 Forbidden, worded as the
 * API server words it, and the quota reports how many pods count against it.
 */

/** Pods count against a quota until they are terminal (Succeeded or Failed) or gone. */
function counts(pod: KubeObject): boolean {
  const phase = (pod as Pod).status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

export function podsUsed(store: StoreReader, namespace: string): number {
  let used = 0;
  for (const pod of store.each(TYPES.pods, namespace)) if (counts(pod)) used++;
  return used;
}

export function podQuotas(store: StoreReader, namespace: string): ResourceQuota[] {
  return [...store.each(TYPES.resourcequotas, namespace)] as ResourceQuota[];
}

/** Throws the quota 403 where one more pod would exceed a quota on `pods`. */
export function admitPod(store: StoreReader, pod: Pod): void {
  const namespace = pod.metadata.namespace ?? '';
  const quotas = podQuotas(store, namespace).filter((q) => q.spec?.hard?.['pods'] !== undefined);
  if (quotas.length === 0) return;
  const used = podsUsed(store, namespace);
  for (const quota of quotas) {
    const hard = parseQuantity(quota.spec.hard['pods']) ?? Infinity;
    if (used + 1 > hard) {
      const name = pod.metadata.name ?? pod.metadata.generateName ?? '';
      throw new ApiError(
        403,
        'Forbidden',
        `pods "${name}" is forbidden: exceeded quota: ${quota.metadata.name}, requested: pods=1, used: pods=${used}, limited: pods=${quota.spec.hard['pods']}`,
        { name, kind: 'pods' },
      );
    }
  }
}

/** Brings every quota's status up to date in a namespace; writes only what changed. */
export function refreshQuotaStatus(store: ObjectStore, namespace: string): void {
  const quotas = podQuotas(store, namespace);
  if (quotas.length === 0) return;
  const usedPods = String(podsUsed(store, namespace));
  for (const quota of quotas) {
    const used: Record<string, string> = {};
    for (const key of Object.keys(quota.spec?.hard ?? {})) {
      used[key] = key === 'pods' ? usedPods : (quota.status?.used?.[key] ?? '0');
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
