import type { V1Node, V1Pod, V1ResourceQuota } from '@kubernetes/client-node';
import type { PodRoom } from '../../shared/app-model';
import { nodeMemory, quotaMemory, type MemoryRoomFacts } from './memory-room';
import { nodesFree, podRoom, quotaPods, type PodPlacement } from './pod-room';

/**
 * The pod room of each namespace (its pod quota and the cluster's free node slots) over the
 * watched quotas, nodes and pods. Both halves are derived lazily: the quotas regrouped by
 * namespace after a quota event, the free slots counted again after a node or pod event, each
 * only when next asked, since pods move far more often than anyone reads the room.
 */

/** What the room is counted from; the stores are the watches' own (read, never copied). */
export interface RoomSources {
  quotas(): Iterable<V1ResourceQuota>;
  /** The nodes and every pod that may take a slot on them; null until both are listed. */
  placements(): { nodes: Iterable<V1Node>; pods: Iterable<V1Pod> } | null;
}

export function samePodRoom(a: PodRoom, b: PodRoom): boolean {
  return a.quotaUsed === b.quotaUsed && a.quotaHard === b.quotaHard && a.nodesFree === b.nodesFree;
}

export class NamespaceRoom {
  /** Quotas per namespace; null: regroup when next asked. */
  private quotasByNamespace: Map<string, V1ResourceQuota[]> | null = null;
  private free: number | null = null;
  private freeStale = true;

  constructor(private readonly sources: RoomSources) {}

  quotasChanged(): void {
    this.quotasByNamespace = null;
  }

  /** A node, or a pod that may sit on one, changed. */
  placementsChanged(): void {
    this.freeStale = true;
  }

  of(namespace: string): PodRoom {
    if (!this.quotasByNamespace) {
      this.quotasByNamespace = new Map();
      for (const quota of this.sources.quotas()) {
        const key = quota.metadata?.namespace ?? '';
        const list = this.quotasByNamespace.get(key) ?? [];
        list.push(quota);
        this.quotasByNamespace.set(key, list);
      }
    }
    return podRoom(quotaPods(this.quotasByNamespace.get(namespace) ?? []), this.freeSlots());
  }

  /** Memory room in the namespace: nodes' memory (null until known), its quotas, its default. */
  memory(namespace: string, limitRangeDefault: number | null): MemoryRoomFacts {
    const placements = this.sources.placements();
    return {
      nodes: placements === null ? null : nodeMemory(placements.nodes, placements.pods),
      quotas: quotaMemory(this.sources.quotas(), namespace),
      limitRangeDefault,
    };
  }

  private freeSlots(): number | null {
    const placements = this.sources.placements();
    if (!placements) return null;
    if (this.freeStale) {
      const pods: PodPlacement[] = [];
      for (const pod of placements.pods) {
        const phase = pod.status?.phase;
        pods.push({
          node: pod.spec?.nodeName ?? null,
          terminal: phase === 'Succeeded' || phase === 'Failed',
        });
      }
      this.free = nodesFree(placements.nodes, pods);
      this.freeStale = false;
    }
    return this.free;
  }
}

/** Only what pod and memory room read of a pod: cluster-wide pods may be many. */
export function placementOf(pod: V1Pod): V1Pod {
  const slim: V1Pod = {
    metadata: {
      name: pod.metadata?.name,
      namespace: pod.metadata?.namespace,
      resourceVersion: pod.metadata?.resourceVersion,
    },
    // Memory requests kept: a memory limit change is judged by what the nodes have left.
    spec: {
      containers: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        resources: { requests: { memory: c.resources?.requests?.['memory'] ?? '0' } },
      })),
      nodeName: pod.spec?.nodeName,
    },
    status: { phase: pod.status?.phase },
  };
  return slim;
}
