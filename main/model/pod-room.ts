import type { V1Node, V1ResourceQuota } from '@kubernetes/client-node';
import type { PodRoom } from '../../shared/app-model';
import { quantityBytes } from './memory-limits';

/**
 * How many more pods fit: the namespace's ResourceQuota on `pods` (hard and used, as the quota
 * controller reports them) and the free pod slots of the schedulable nodes. The write side reads
 * these before a change so one that cannot fit is refused with the numbers, not sent.
 */

export interface QuotaPods {
  used: number;
  hard: number;
}

/** The tightest pod quota of a namespace; null where no quota limits pods. */
export function quotaPods(quotas: Iterable<V1ResourceQuota>): QuotaPods | null {
  let tightest: QuotaPods | null = null;
  for (const quota of quotas) {
    const hardText = quota.status?.hard?.['pods'] ?? quota.spec?.hard?.['pods'];
    const hard = quantityBytes(hardText);
    if (hard === null) continue;
    const used = quantityBytes(quota.status?.used?.['pods']) ?? 0;
    if (tightest === null || hard - used < tightest.hard - tightest.used) {
      tightest = { used: Math.round(used), hard: Math.round(hard) };
    }
  }
  return tightest;
}

/** The facts about one pod that pod room needs (kept small: cluster-wide pods may be many). */
export interface PodPlacement {
  node: string | null;
  /** Succeeded or Failed pods hold no slot. */
  terminal: boolean;
}

function schedulable(node: V1Node): boolean {
  if (node.spec?.unschedulable) return false;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return ready === undefined || ready.status === 'True';
}

/**
 * Free pod slots over the schedulable nodes: allocatable pods less the pods bound to each, less
 * pods still waiting for a node (they will take a slot first).
 */
export function nodesFree(nodes: Iterable<V1Node>, pods: Iterable<PodPlacement>): number {
  const perNode = new Map<string, number>();
  let unscheduled = 0;
  for (const pod of pods) {
    if (pod.terminal) continue;
    if (pod.node === null) unscheduled++;
    else perNode.set(pod.node, (perNode.get(pod.node) ?? 0) + 1);
  }
  let free = 0;
  for (const node of nodes) {
    if (!schedulable(node)) continue;
    const allocatable = quantityBytes(node.status?.allocatable?.['pods']) ?? 0;
    const name = node.metadata?.name ?? '';
    free += Math.max(0, Math.floor(allocatable) - (perNode.get(name) ?? 0));
  }
  return free - unscheduled;
}

export function podRoom(quota: QuotaPods | null, free: number | null): PodRoom {
  return {
    quotaUsed: quota?.used ?? null,
    quotaHard: quota?.hard ?? null,
    nodesFree: free,
  };
}
