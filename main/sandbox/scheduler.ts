import { setCondition } from './conditions';
import type { EventRecorder } from './events';
import type { Node, Pod } from './kube-types';
import type { ObjectStore, StoreEvent } from './object-store';
import { controllerOf } from './owner-references';
import { parseQuantity } from './quantity';
import { TYPES } from './resource-types';
import { WorkQueue, nsKey, splitKey } from './work-queue';
import { timestamp } from './timestamps';

/**
 * The scheduler: binds each pending pod to a Ready node with room (a node's `allocatable.pods`
 * bounds how many pods it runs), preferring the node with the fewest replicas of the same
 * process, then the emptiest, so an app's replicas spread over nodes when they can. A pod that
 * fits nowhere stays Pending with PodScheduled=False (Unschedulable) and a FailedScheduling
 * event, and is retried when pods go away or nodes change.
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

export class Scheduler {
  private readonly queue = new WorkQueue((key) => this.schedule(key));
  private readonly unschedulable = new Set<string>();
  /** Per pass: pods per node and per (node, spread key), built once per batch. */
  private counts: { perNode: Map<string, number>; perSpread: Map<string, number> } | undefined;

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
      // Bindings made here are counted as they are made; other changes invalidate the tally.
      if (event.type === 'DELETED' || (event.type === 'ADDED' && pod.spec.nodeName)) {
        this.counts = undefined;
      }
      if (event.type === 'DELETED') this.retryUnschedulable();
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

  private tally(): { perNode: Map<string, number>; perSpread: Map<string, number> } {
    if (this.counts) return this.counts;
    const perNode = new Map<string, number>();
    const perSpread = new Map<string, number>();
    for (const object of this.store.each(TYPES.pods)) {
      const pod = object as Pod;
      const node = pod.spec.nodeName;
      if (!node) continue;
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
      const key = `${node}\u0000${spreadKey(pod)}`;
      perSpread.set(key, (perSpread.get(key) ?? 0) + 1);
    }
    this.counts = { perNode, perSpread };
    // The tally is valid for this batch of work only.
    setImmediate(() => (this.counts = undefined));
    return this.counts;
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
    let best: { node: Node; same: number; load: number } | undefined;
    let full = 0;
    let notReady = 0;
    for (const node of nodes) {
      const nodeName = node.metadata.name ?? '';
      if (!nodeReady(node)) {
        notReady++;
        continue;
      }
      const capacity = parseQuantity(node.status.allocatable['pods']) ?? 110;
      const used = perNode.get(nodeName) ?? 0;
      if (used >= capacity) {
        full++;
        continue;
      }
      const same = perSpread.get(`${nodeName}\u0000${spread}`) ?? 0;
      const load = used / capacity;
      if (!best || same < best.same || (same === best.same && load < best.load)) {
        best = { node, same, load };
      }
    }
    const now = timestamp(this.now());
    if (!best) {
      const reasons: string[] = [];
      if (full > 0) reasons.push(`${full} Too many pods`);
      if (notReady > 0) reasons.push(`${notReady} node(s) were unschedulable`);
      const message = `0/${nodes.length} nodes are available: ${reasons.join(', ')}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} No preemption victims found for incoming pod.`;
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
    perNode.set(nodeName, (perNode.get(nodeName) ?? 0) + 1);
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
