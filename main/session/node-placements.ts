import type { CoreV1Api, V1ListMeta, V1Node, V1Pod } from '@kubernetes/client-node';
import { ScaleDeskError } from '../../shared/errors';
import { toClusterError, withTimeout, type ClusterRequest } from '../kube/cluster-errors';
import { LIST_PAGE_SIZE } from '../kube/paged-list';
import { placementOf } from '../model/namespace-room';

/**
 * Where the pods of the whole cluster sit, for a session that watches one namespace: the free
 * node slots (pod room) count every pod on the nodes, not only the namespace's. Watching every pod
 * of the cluster for that would make a one-namespace view as costly as the whole cluster, so the
 * placements are read only when someone needs them (the app on screen: {@link lookAt}), paged,
 * only the pods that may hold a slot (a field selector drops Succeeded and Failed ones, as the real
 * API server supports), and kept for `ttlMs` (30 s): node room is a guide, not a ledger.
 *
 * Where the user may not list pods in all namespaces (a namespaced role) the answer is that node
 * room is unknown (null), and it is not asked again.
 */

/** Pods that may hold a node slot: what the API server can filter for pods by phase. */
export const HOLDS_A_SLOT = 'status.phase!=Succeeded,status.phase!=Failed';

export const PLACEMENTS_TTL_MS = 30_000;

export interface NodePlacementsOptions {
  core: Pick<CoreV1Api, 'listPodForAllNamespaces'>;
  timeoutMs: number;
  ttlMs?: number;
  /** For error messages: the context and server. */
  request: Pick<ClusterRequest, 'context' | 'server'>;
  /** A read brought new placements. */
  changed: () => void;
  now?: () => number;
}

export class NodePlacements {
  private pods: V1Pod[] | null = null;
  private readAt = -Infinity;
  private reading: Promise<void> | null = null;
  private forbidden = false;
  private stopped = false;
  /** The last read's failure (other than not allowed), for tests and logs. */
  error: ScaleDeskError | null = null;
  /** Pages asked for, for tests and the bench. */
  requests = 0;

  constructor(private readonly options: NodePlacementsOptions) {}

  /** Every pod that may hold a node slot, slimmed, as last read; null before any read or where not allowed. */
  current(): Iterable<V1Pod> | null {
    return this.forbidden ? null : this.pods;
  }

  /** The node room is wanted now: read again where the last read is older than `ttlMs`. */
  lookAt(): void {
    void this.fresh();
  }

  /** Resolves once the placements are at most `ttlMs` old (or cannot be read). */
  async fresh(): Promise<void> {
    const now = this.options.now ?? Date.now;
    if (this.stopped || this.forbidden) return;
    if (now() - this.readAt < (this.options.ttlMs ?? PLACEMENTS_TTL_MS)) return;
    this.reading ??= this.read().finally(() => {
      this.reading = null;
    });
    await this.reading;
  }

  stop(): void {
    this.stopped = true;
  }

  private async read(): Promise<void> {
    const { core, timeoutMs, request } = this.options;
    const pods: V1Pod[] = [];
    try {
      let token: string | undefined;
      do {
        this.requests++;
        const page: { metadata?: V1ListMeta; items: V1Pod[] } = await withTimeout(
          core.listPodForAllNamespaces({
            fieldSelector: HOLDS_A_SLOT,
            limit: LIST_PAGE_SIZE,
            ...(token ? { _continue: token } : {}),
          }),
          timeoutMs,
        );
        for (const pod of page.items) pods.push(placementOf(pod));
        token = page.metadata?._continue || undefined;
      } while (token !== undefined && !this.stopped);
    } catch (error) {
      const mapped = toClusterError(error, {
        verb: 'list',
        resource: 'pods',
        namespace: null,
        ...request,
      });
      if (mapped.code === 'FORBIDDEN') this.forbidden = true;
      else this.error = mapped;
      // Failed: asked again at the next look, not at once (a throttling cluster is not helped).
      this.readAt = (this.options.now ?? Date.now)();
      return;
    }
    if (this.stopped) return;
    this.pods = pods;
    this.error = null;
    this.readAt = (this.options.now ?? Date.now)();
    this.options.changed();
  }
}

/** A watched store: its objects, and whether it has listed. */
interface WatchedStore<T> {
  readonly items: ReadonlyMap<string, T>;
  readonly currentHealth: { synced: boolean };
}

/**
 * The nodes and the pods that take their slots, for pod room: the session's own pods watch where
 * it watches every namespace, else the cluster's pods read by {@link NodePlacements}.
 */
export class Placements {
  constructor(
    private readonly nodes: WatchedStore<V1Node>,
    private readonly pods: WatchedStore<V1Pod>,
    private readonly others: NodePlacements | null,
  ) {}

  /** Both, once known; null before (or where the pods of all namespaces may not be read). */
  current(): { nodes: Iterable<V1Node>; pods: Iterable<V1Pod> } | null {
    if (!this.nodes.currentHealth.synced) return null;
    if (this.others === null) {
      if (!this.pods.currentHealth.synced) return null;
      return { nodes: this.nodes.items.values(), pods: this.pods.items.values() };
    }
    const pods = this.others.current();
    return pods === null ? null : { nodes: this.nodes.items.values(), pods };
  }

  /** Resolves once the placements are at most 30 s old (at once where every pod is watched). */
  wanted(): Promise<void> {
    return this.others?.fresh() ?? Promise.resolve();
  }

  /** Pages of the cluster's pods asked for; null where every pod is watched. */
  requests(): number | null {
    return this.others?.requests ?? null;
  }

  stop(): void {
    this.others?.stop();
  }
}
