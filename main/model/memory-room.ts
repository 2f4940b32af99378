import type { V1Node, V1Pod, V1ResourceQuota } from '@kubernetes/client-node';
import { quantityBytes } from './memory-limits';

/**
 * Room for memory, as the scheduler and the quota admission judge a new replica: each
 * schedulable node's allocatable memory less the memory requested by the pods bound to it, and
 * the namespace ResourceQuotas on `limits.memory` and `requests.memory`. A memory limit change is
 * planned against these (operations/memory-limit-plan.ts) before anything is sent.
 */

export interface NodeMemory {
  name: string;
  allocatableBytes: number;
  /** Memory requested by the pods bound to the node (Succeeded and Failed ones hold none). */
  requestedBytes: number;
  /** Requested by each pod there, by `namespace/name`, so a change can leave out the pods it replaces. */
  requestedByPod: ReadonlyMap<string, number>;
}

export type QuotaMemoryResource = 'limits.memory' | 'requests.memory';

export interface QuotaMemory {
  quota: string;
  resource: QuotaMemoryResource;
  usedBytes: number;
  hardBytes: number;
}

function schedulable(node: V1Node): boolean {
  if (node.spec?.unschedulable) return false;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return ready === undefined || ready.status === 'True';
}

/** What one pod requests of its node's memory: the sum over its containers. */
export function podMemoryRequest(pod: V1Pod): number {
  let bytes = 0;
  for (const container of pod.spec?.containers ?? []) {
    bytes += quantityBytes(container.resources?.requests?.['memory']) ?? 0;
  }
  return bytes;
}

/** The schedulable nodes' memory, allocatable and requested. */
export function nodeMemory(nodes: Iterable<V1Node>, pods: Iterable<V1Pod>): NodeMemory[] {
  const byNode = new Map<string, Map<string, number>>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    const phase = pod.status?.phase;
    if (!node || phase === 'Succeeded' || phase === 'Failed') continue;
    const requested = podMemoryRequest(pod);
    if (requested <= 0) continue;
    const list = byNode.get(node) ?? new Map<string, number>();
    list.set(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`, requested);
    byNode.set(node, list);
  }
  const result: NodeMemory[] = [];
  for (const node of nodes) {
    if (!schedulable(node)) continue;
    const name = node.metadata?.name ?? '';
    const allocatableBytes = quantityBytes(node.status?.allocatable?.['memory']);
    if (allocatableBytes === null) continue;
    const requestedByPod = byNode.get(name) ?? new Map<string, number>();
    let requestedBytes = 0;
    for (const bytes of requestedByPod.values()) requestedBytes += bytes;
    result.push({ name, allocatableBytes, requestedBytes, requestedByPod });
  }
  return result;
}

/**
 * The memory a namespace's ResourceQuotas bound, as the quota controller reports them (`memory`
 * is the older spelling of `requests.memory`).
 */
export function quotaMemory(quotas: Iterable<V1ResourceQuota>, namespace: string): QuotaMemory[] {
  const result: QuotaMemory[] = [];
  for (const quota of quotas) {
    if ((quota.metadata?.namespace ?? '') !== namespace) continue;
    const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
    const used = quota.status?.used ?? {};
    const spellings: [QuotaMemoryResource, string][] = [
      ['limits.memory', 'limits.memory'],
      ['requests.memory', 'requests.memory'],
      ['requests.memory', 'memory'],
    ];
    for (const [resource, key] of spellings) {
      const hardBytes = quantityBytes(hard[key]);
      if (hardBytes === null) continue;
      result.push({
        quota: quota.metadata?.name ?? '',
        resource,
        usedBytes: quantityBytes(used[key]) ?? 0,
        hardBytes,
      });
    }
  }
  return result;
}

/** What a memory limit change in one namespace is judged by. */
export interface MemoryRoomFacts {
  /** Null until the nodes and the pods on them are known (or where they cannot be read). */
  nodes: NodeMemory[] | null;
  quotas: QuotaMemory[];
  /** The namespace LimitRange's default memory limit; null: none. */
  limitRangeDefault: number | null;
}
