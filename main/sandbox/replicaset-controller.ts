import { ApiError } from './api-errors';
import { removeCondition, setCondition } from './conditions';
import type { EventRecorder } from './events';
import type { Pod, ReplicaSet } from './kube-types';
import type { ObjectStore, StoreEvent } from './object-store';
import { controllerOf, controllerReference } from './owner-references';
import type { Registry } from './registry';
import { TYPES } from './resource-types';
import { WorkQueue, nsKey, splitKey } from './work-queue';
import { timestamp } from './timestamps';

/**
 * The ReplicaSet controller: makes the number of live pods match `spec.replicas`, creating
 * pods through the registry (so LimitRange defaults and the ResourceQuota apply, and a refusal
 * shows as a FailedCreate event and a ReplicaFailure condition, as on a real cluster) and
 * deleting the least useful pods first; keeps the ReplicaSet's status counts.
 */

const SOURCE = { component: 'replicaset-controller' };

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isActive(pod: Pod): boolean {
  return (
    !pod.metadata.deletionTimestamp &&
    pod.status?.phase !== 'Succeeded' &&
    pod.status?.phase !== 'Failed'
  );
}

/** Deletion order as the real controller ranks pods: unscheduled, pending, not ready, restarted, newest. */
function deletionRank(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec.nodeName ? 1 : 0);
  const running = (p: Pod) => (p.status?.phase === 'Running' ? 1 : 0);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  const restarts = (p: Pod) =>
    (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
  return (
    assigned(a) - assigned(b) ||
    running(a) - running(b) ||
    ready(a) - ready(b) ||
    restarts(b) - restarts(a) ||
    Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? '')
  );
}

export class ReplicaSetController {
  private readonly queue = new WorkQueue((key) => this.reconcile(key));
  /** ReplicaSets that could not create pods (quota): retried when pods go away. */
  private readonly blocked = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: Registry,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  onStoreEvent(event: StoreEvent): void {
    if (event.key === 'apps/replicasets') {
      // Its own status writes are no reason to look again (a refused create would otherwise
      // retry in a hot loop, each refusal naming a new pod); spec changes bump the generation.
      const statusOnly =
        event.type === 'MODIFIED' &&
        event.previous?.metadata.generation === event.object.metadata.generation;
      if (!statusOnly) this.queue.add(nsKey(event.namespace, event.object.metadata.name));
    } else if (event.key === '/pods') {
      const owner = controllerOf(event.object, 'ReplicaSet');
      if (owner) this.queue.add(nsKey(event.namespace, owner.name));
      if (event.type === 'DELETED') this.retryBlocked(event.namespace);
    } else if (event.key === '/resourcequotas') {
      this.retryBlocked(event.namespace);
    }
  }

  private retryBlocked(namespace: string): void {
    for (const key of this.blocked) if (key.startsWith(`${namespace}/`)) this.queue.add(key);
  }

  /** Periodic retry of pod creation that failed, as the controller's requeue with backoff. */
  resyncBlocked(): void {
    for (const key of this.blocked) this.queue.add(key);
  }

  drain(): void {
    this.queue.drain();
  }

  stop(): void {
    this.queue.stop();
  }

  private podsOf(rs: ReplicaSet): Pod[] {
    const uid = rs.metadata.uid;
    const out: Pod[] = [];
    for (const pod of this.store.each(TYPES.pods, rs.metadata.namespace)) {
      if (controllerOf(pod)?.uid === uid) out.push(pod as Pod);
    }
    return out;
  }

  private reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const rs = this.store.get(TYPES.replicasets, namespace, name) as ReplicaSet | undefined;
    if (!rs) {
      this.blocked.delete(key);
      return;
    }
    // Being deleted: its pods are the garbage collector's now (upstream manages none then).
    if (rs.metadata.deletionTimestamp) return;
    const desired = rs.spec.replicas ?? 1;
    let pods = this.podsOf(rs).filter(isActive);
    let failure: string | undefined;

    if (pods.length < desired) {
      for (let i = pods.length; i < desired; i++) {
        try {
          const pod = this.registry.create(TYPES.pods, namespace, this.podFor(rs)) as Pod;
          pods = [...pods, pod];
          this.events.record(
            rs,
            'Normal',
            'SuccessfulCreate',
            `Created pod: ${pod.metadata.name}`,
            SOURCE,
          );
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          failure = error.message;
          this.events.record(
            rs,
            'Warning',
            'FailedCreate',
            `Error creating: ${error.message}`,
            SOURCE,
            undefined,
            // Refusals repeat with a new pod name each time: folded into one event, as the
            // API server's event correlator folds similar events.
            true,
          );
          break;
        }
      }
    } else if (pods.length > desired) {
      const victims = [...pods].sort(deletionRank).slice(0, pods.length - desired);
      for (const pod of victims) {
        this.registry.delete(TYPES.pods, namespace, pod.metadata.name ?? '');
        this.events.record(
          rs,
          'Normal',
          'SuccessfulDelete',
          `Deleted pod: ${pod.metadata.name}`,
          SOURCE,
        );
      }
      const gone = new Set(victims.map((p) => p.metadata.name));
      pods = pods.filter((p) => !gone.has(p.metadata.name));
    }
    if (failure) this.blocked.add(key);
    else this.blocked.delete(key);
    this.writeStatus(rs, pods, failure);
  }

  private podFor(rs: ReplicaSet): Pod {
    const template = rs.spec.template;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        ...(template.metadata?.annotations
          ? { annotations: { ...template.metadata.annotations } }
          : {}),
        ownerReferences: [controllerReference('apps/v1', 'ReplicaSet', rs)],
      },
      spec: structuredClone(template.spec),
    };
  }

  private writeStatus(rs: ReplicaSet, pods: Pod[], failure: string | undefined): void {
    const ready = pods.filter(isPodReady).length;
    const now = timestamp(this.now());
    let conditions = rs.status?.conditions;
    conditions = failure
      ? setCondition(
          conditions,
          { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure },
          now,
          false,
        )
      : removeCondition(conditions, 'ReplicaFailure');
    const status: ReplicaSet['status'] = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
      ...(conditions.length > 0 ? { conditions } : {}),
    };
    if (JSON.stringify(status) === JSON.stringify(rs.status ?? {})) return;
    const latest = this.store.get(
      TYPES.replicasets,
      rs.metadata.namespace ?? '',
      rs.metadata.name ?? '',
    );
    if (!latest) return;
    this.store.update(TYPES.replicasets, { ...latest, status });
  }
}
