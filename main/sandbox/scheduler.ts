import { setCondition } from './conditions';
import type { EventRecorder } from './events';
import type { Node, Pod } from './kube-types';
import type { ObjectStore, StoreEvent } from './object-store';
import { controllerOf } from './owner-references';
import { podResources } from './pod-resources';
import { parseQuantity } from './quantity';
import { TYPES } from './resource-types';
import { WorkQueue, nsKey, splitKey } from './work-queue';
import { timestamp } from './timestamps';

/**
 * The scheduler: binds each pending pod to a Ready node with room, as the default scheduler's
 * NodeResourcesFit filter judges it: `allocatable.pods` bounds how many pods a node runs, and
 * the pod's memory and CPU requests (a container's request defaults to its limit) must fit in
 * the node's allocatable less what the pods already bound there request (pods that finished
 * count for nothing). Among the nodes that fit it prefers the one with the fewest replicas of
 * the same process, then the emptiest, so an app's replicas spread over nodes when they can. A
 * pod that fits nowhere stays Pending with PodScheduled=False (Unschedulable) and a
 * FailedScheduling event worded as upstream's ("0/3 nodes are available: 3 Insufficient
 * memory. preemption: ..."), and is retried when pods go away or finish, nodes change, and
 * every few seconds.
 */

const SOURCE = { component: 'default-scheduler' };

function nodeReady(node: Node): boolean {
  return (
    !(node.spec as { unschedulable?: boolean } | undefined)?.unschedulable &&
    node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/** Pods of the same process: the ReplicaSet's pods, or same app and component labels. */
function spreadKey(pod: Pod): string {
  const owner = controllerOf(pod);
  if (owner) return `${pod.metadata.namespace}/${owner.kind}/${owner.name}`;
  const labels = pod.metadata.labels ?? {};
  return `${pod.metadata.namespace}/${labels['app.kubernetes.io/part-of'] ?? ''}/${labels['app.kubernetes.io/component'] ?? pod.metadata.name}`;
}

/** What the pods bound to one node take of it. */
interface NodeUse {
  pods: number;
  memory: number;
  cpu: number;
}

interface Tally {
  perNode: Map<string, NodeUse>;
  perSpread: Map<string, number>;
}

function terminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function requestsOf(pod: Pod): { memory: number; cpu: number } {
  const { requests } = podResources(pod);
  return { memory: requests['memory'] ?? 0, cpu: requests['cpu'] ?? 0 };
}

/**
 * Why a node cannot take the pod (NodeUnschedulable, then NodeResourcesFit's reasons); none
 * where it can. Readiness stands in for the not-ready taint.
 */
function unfit(node: Node, use: NodeUse, pod: { memory: number; cpu: number }): string[] {
  if (!nodeReady(node)) return [UNSCHEDULABLE];
  const allocatable = node.status.allocatable ?? {};
  const reasons: string[] = [];
  if (use.pods + 1 > (parseQuantity(allocatable['pods']) ?? 110)) reasons.push('Too many pods');
  const cpu = parseQuantity(allocatable['cpu']);
  if (pod.cpu > 0 && cpu !== undefined && pod.cpu > cpu - use.cpu + 1e-9) {
    reasons.push('Insufficient cpu');
  }
  const memory = parseQuantity(allocatable['memory']);
  if (pod.memory > 0 && memory !== undefined && pod.memory > memory - use.memory) {
    reasons.push('Insufficient memory');
  }
  return reasons;
}

const UNSCHEDULABLE = 'node(s) were unschedulable';

/** "3 Insufficient memory, 1 Too many pods": a count per reason, sorted as strings, as upstream. */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts.entries()]
    .map(([reason, n]) => `${n} ${reason}`)
    .sort()
    .join(', ');
}

/**
 * FitError's message: the filter reasons, then preemption's verdict: nothing to preempt on a
 * node that only lacks room (every pod here has the same priority), no help where it is
 * unschedulable whatever is evicted.
 */
export function failedSchedulingMessage(nodes: number, reasonsPerNode: string[][]): string {
  const filter = histogram(reasonsPerNode.flat());
  const preemption = histogram(
    reasonsPerNode.map((reasons) =>
      reasons.includes(UNSCHEDULABLE)
        ? 'Preemption is not helpful for scheduling'
        : 'No preemption victims found for incoming pod',
    ),
  );
  return `0/${nodes} nodes are available: ${filter}. preemption: 0/${nodes} nodes are available: ${preemption}.`;
}

export class Scheduler {
  private readonly queue = new WorkQueue((key) => this.schedule(key));
  private readonly unschedulable = new Set<string>();
  /** Per pass: what each node runs, and pods per (node, spread key), built once per batch. */
  private counts: Tally | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  onStoreEvent(event: StoreEvent): void {
    if (event.key === '/pods') {
      const pod = event.object as Pod;
      if (event.type !== 'DELETED' && !pod.spec.nodeName && !pod.metadata.deletionTimestamp) {
        this.queue.add(nsKey(event.namespace, pod.metadata.name));
      }
      // A pod that finished frees its node's room, as one that is gone does.
      const finished =
        event.type === 'MODIFIED' && terminal(pod) && !terminal(event.previous as Pod);
      // Bindings made here are counted as they are made; other changes invalidate the tally.
      if (event.type === 'DELETED' || finished || (event.type === 'ADDED' && pod.spec.nodeName)) {
        this.counts = undefined;
      }
      if (event.type === 'DELETED' || finished) this.retryUnschedulable();
    } else if (event.key === '/nodes') {
      this.counts = undefined;
      this.retryUnschedulable();
    }
  }

  retryUnschedulable(): void {
    for (const key of this.unschedulable) this.queue.add(key);
  }

  drain(): void {
    this.queue.drain();
  }

  stop(): void {
    this.queue.stop();
  }

  private tally(): Tally {
    if (this.counts) return this.counts;
    const perNode = new Map<string, NodeUse>();
    const perSpread = new Map<string, number>();
    for (const object of this.store.each(TYPES.pods)) {
      const pod = object as Pod;
      const node = pod.spec.nodeName;
      if (!node || terminal(pod)) continue;
      this.count(perNode, node, pod);
      const key = `${node}\u0000${spreadKey(pod)}`;
      perSpread.set(key, (perSpread.get(key) ?? 0) + 1);
    }
    this.counts = { perNode, perSpread };
    // The tally is valid for this batch of work only.
    setImmediate(() => (this.counts = undefined));
    return this.counts;
  }

  private count(perNode: Map<string, NodeUse>, node: string, pod: Pod): void {
    const use = perNode.get(node) ?? { pods: 0, memory: 0, cpu: 0 };
    const requests = requestsOf(pod);
    perNode.set(node, {
      pods: use.pods + 1,
      memory: use.memory + requests.memory,
      cpu: use.cpu + requests.cpu,
    });
  }

  private schedule(key: string): void {
    const [namespace, name] = splitKey(key);
    const pod = this.store.get(TYPES.pods, namespace, name) as Pod | undefined;
    if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp) {
      this.unschedulable.delete(key);
      return;
    }
    const nodes = [...this.store.each(TYPES.nodes)] as Node[];
    const { perNode, perSpread } = this.tally();
    const spread = spreadKey(pod);
    const requests = requestsOf(pod);
    let best: { node: Node; same: number; load: number } | undefined;
    const reasonsPerNode: string[][] = [];
    for (const node of nodes) {
      const nodeName = node.metadata.name ?? '';
      const use = perNode.get(nodeName) ?? { pods: 0, memory: 0, cpu: 0 };
      const reasons = unfit(node, use, requests);
      if (reasons.length > 0) {
        reasonsPerNode.push(reasons);
        continue;
      }
      const capacity = parseQuantity(node.status.allocatable?.['pods']) ?? 110;
      const same = perSpread.get(`${nodeName}\u0000${spread}`) ?? 0;
      const load = use.pods / capacity;
      if (!best || same < best.same || (same === best.same && load < best.load)) {
        best = { node, same, load };
      }
    }
    const now = timestamp(this.now());
    if (!best) {
      const message = failedSchedulingMessage(nodes.length, reasonsPerNode);
      const wasKnown = this.unschedulable.has(key);
      this.unschedulable.add(key);
      const conditions = setCondition(
        pod.status?.conditions,
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message },
        now,
        false,
      );
      if (JSON.stringify(conditions) !== JSON.stringify(pod.status?.conditions ?? [])) {
        this.store.update(TYPES.pods, {
          ...pod,
          status: { ...(pod.status ?? { phase: 'Pending' }), phase: 'Pending', conditions },
        });
      }
      if (!wasKnown) this.events.record(pod, 'Warning', 'FailedScheduling', message, SOURCE);
      return;
    }
    this.unschedulable.delete(key);
    const nodeName = best.node.metadata.name ?? '';
    this.count(perNode, nodeName, pod);
    const sk = `${nodeName}\u0000${spread}`;
    perSpread.set(sk, (perSpread.get(sk) ?? 0) + 1);
    const conditions = setCondition(
      pod.status?.conditions,
      { type: 'PodScheduled', status: 'True' },
      now,
      false,
    );
    const bound = this.store.update(TYPES.pods, {
      ...pod,
      spec: { ...pod.spec, nodeName },
      status: { ...(pod.status ?? { phase: 'Pending' }), conditions },
    });
    this.events.record(
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${namespace}/${name} to ${nodeName}`,
      SOURCE,
    );
  }
}
