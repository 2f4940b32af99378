import { ApiError } from './api-errors';
import {
  claimRevisions,
  ensureRevision,
  revisionTemplate,
  truncateHistory,
} from './controller-revisions';
import type { EventRecorder } from './events';
import type {
  ControllerRevision,
  Pod,
  PodTemplateSpec,
  StatefulSet,
  StatefulSetStatus,
} from './kube-types';
import type { ObjectStore, StoreEvent } from './object-store';
import { controllerOf, controllerReference } from './owner-references';
import type { Registry } from './registry';
import { isPodReady } from './replicaset-controller';
import { TYPES } from './resource-types';
import { selectorMatches } from './selectors';
import { WorkQueue, nsKey, splitKey } from './work-queue';

/**
 * The StatefulSet controller, following the real one (pkg/controller/statefulset): pods named
 * `<set>-<ordinal>` with a stable identity (hostname, and the subdomain of `spec.serviceName`).
 * With the default OrderedReady policy it creates ordinal N only once 0..N-1 are Running and
 * Ready, removes the highest ordinal first when scaling down, one at a time, and stops at the
 * first pod that is not Ready (a crash-looping pod holds everything, a rollout too: upstream's
 * "forced rollback" case, fixed by deleting the pod); `Parallel` does not wait. A template
 * change is a new ControllerRevision; RollingUpdate replaces pods from the highest ordinal down
 * to `partition`, one at a time, each once the one before is Ready again; OnDelete leaves that
 * to whoever deletes pods. Status (replicas, ready/available/current/updated counts,
 * currentRevision/updateRevision, observedGeneration) is what `kubectl rollout status` reads.
 * There is no storage: volumeClaimTemplates are kept on the object but make no claims.
 */

const SOURCE = { component: 'statefulset-controller' };
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

/** The ordinal in a pod name `<set>-<ordinal>`; undefined where the pod is not one of the set's. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  const match = /^(.*)-([0-9]+)$/.exec(podName);
  if (!match || match[1] !== setName) return undefined;
  return Number(match[2]);
}

function isTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}

function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

function revisionOf(pod: Pod): string | undefined {
  return pod.metadata.labels?.[REVISION_LABEL];
}

/** Milliseconds until a ready pod counts as available (0: it does), past minReadySeconds. */
function untilAvailable(pod: Pod, minReadySeconds: number, nowMs: number): number {
  if (minReadySeconds <= 0) return 0;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const since = Date.parse(ready?.lastTransitionTime ?? '');
  if (Number.isNaN(since)) return 0;
  return Math.max(0, since + minReadySeconds * 1000 - nowMs);
}

interface Revisions {
  current: ControllerRevision;
  update: ControllerRevision;
  all: ControllerRevision[];
}

export class StatefulSetController {
  private readonly queue = new WorkQueue((key) => this.reconcile(key));
  /** Sets that could not create a pod (quota, a name taken): retried when pods go away. */
  private readonly blocked = new Set<string>();
  /** Sets waiting for a ready pod to pass minReadySeconds. */
  private readonly wakeups = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: Registry,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  onStoreEvent(event: StoreEvent): void {
    if (event.key === 'apps/statefulsets') {
      if (event.type !== 'DELETED') this.enqueue(event.namespace, event.object.metadata.name);
    } else if (event.key === '/pods') {
      const owner = controllerOf(event.object, 'StatefulSet');
      if (owner) this.enqueue(event.namespace, owner.name);
      else if (
        !controllerOf(event.object) &&
        (event.type === 'ADDED' || (event.previous && controllerOf(event.previous)))
      ) {
        this.enqueueAdopters(event.object as Pod);
      }
      if (event.type === 'DELETED') this.retryBlocked(event.namespace);
    } else if (event.key === 'apps/controllerrevisions' && event.type === 'DELETED') {
      const owner = controllerOf(event.object, 'StatefulSet');
      if (owner) this.enqueue(event.namespace, owner.name);
    } else if (event.key === '/resourcequotas') {
      this.retryBlocked(event.namespace);
    }
  }

  enqueue(namespace: string | undefined, name: string | undefined): void {
    this.queue.add(nsKey(namespace, name));
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
    for (const timer of this.wakeups.values()) clearTimeout(timer);
    this.wakeups.clear();
  }

  private retryBlocked(namespace: string): void {
    for (const key of this.blocked) if (key.startsWith(`${namespace}/`)) this.queue.add(key);
  }

  /** An orphan pod (no controller) may be one a set should adopt: its sets look again. */
  private enqueueAdopters(pod: Pod): void {
    const labels = pod.metadata.labels ?? {};
    for (const object of this.store.each(TYPES.statefulsets, pod.metadata.namespace)) {
      const set = object as StatefulSet;
      const name = set.metadata.name ?? '';
      if (
        ordinalOf(name, pod.metadata.name ?? '') !== undefined &&
        selectorMatches(set.spec.selector, labels)
      ) {
        this.enqueue(pod.metadata.namespace, name);
      }
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const set = this.store.get(TYPES.statefulsets, namespace, name) as StatefulSet | undefined;
    if (!set || set.metadata.deletionTimestamp) {
      this.blocked.delete(key);
      return;
    }
    const revisions = this.revisions(set);
    const failure = this.sync(set, this.claimPods(set), revisions);
    if (failure) this.blocked.add(key);
    else this.blocked.delete(key);
    const pods = this.claimPods(set);
    const live = new Set([
      revisions.current.metadata.name ?? '',
      revisions.update.metadata.name ?? '',
      ...pods.map((p) => revisionOf(p) ?? ''),
    ]);
    truncateHistory(this.store, revisions.all, live, set.spec.revisionHistoryLimit ?? 10);
    this.writeStatus(set, pods, revisions);
    this.wakeWhenAvailable(key, set, pods);
  }

  private revisions(set: StatefulSet): Revisions {
    const claimed = claimRevisions(this.store, set);
    const update = ensureRevision(this.store, this.registry, set, claimed);
    const all = [...claimed.filter((r) => r.metadata.name !== update.metadata.name), update];
    // The status names the revision the pods were at before this template; gone, the new one.
    const current = all.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, all };
  }

  /**
   * The set's pods: those it controls, plus orphans named as its members that its selector
   * matches (adopted); pods it controls that its selector no longer matches are released.
   */
  private claimPods(set: StatefulSet): Pod[] {
    const uid = set.metadata.uid;
    const name = set.metadata.name ?? '';
    const out: Pod[] = [];
    for (const object of [...this.store.each(TYPES.pods, set.metadata.namespace)]) {
      const pod = object as Pod;
      const ref = controllerOf(pod);
      const member =
        ordinalOf(name, pod.metadata.name ?? '') !== undefined &&
        selectorMatches(set.spec.selector, pod.metadata.labels ?? {});
      if (ref?.uid === uid) {
        if (member) {
          out.push(pod);
        } else {
          this.store.update(TYPES.pods, {
            ...pod,
            metadata: {
              ...pod.metadata,
              ownerReferences: (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
            },
          });
        }
      } else if (!ref && member && !isTerminating(pod)) {
        out.push(
          this.store.update(TYPES.pods, {
            ...pod,
            metadata: {
              ...pod.metadata,
              ownerReferences: [
                ...(pod.metadata.ownerReferences ?? []),
                controllerReference('apps/v1', 'StatefulSet', set),
              ],
            },
          }) as Pod,
        );
      }
    }
    return out;
  }

  /**
   * One pass of the real controller's updateStatefulSet: replicas in ordinal order (create,
   * replace failed ones, wait), then condemned pods from the highest ordinal, then the rolling
   * update. Returns the error that stopped a pod creation, if one did.
   */
  private sync(set: StatefulSet, pods: Pod[], revisions: Revisions): string | undefined {
    const name = set.metadata.name ?? '';
    const start = set.spec.ordinals?.start ?? 0;
    const count = set.spec.replicas ?? 1;
    const monotonic = set.spec.podManagementPolicy !== 'Parallel';
    const minReady = set.spec.minReadySeconds ?? 0;
    const nowMs = this.now().getTime();
    const available = (pod: Pod) =>
      isRunningAndReady(pod) && untilAvailable(pod, minReady, nowMs) === 0;

    const replicas: (Pod | undefined)[] = new Array<Pod | undefined>(count).fill(undefined);
    const condemned: Pod[] = [];
    for (const pod of pods) {
      const ordinal = ordinalOf(name, pod.metadata.name ?? '') as number;
      if (ordinal >= start && ordinal < start + count) replicas[ordinal - start] = pod;
      else condemned.push(pod);
    }
    condemned.sort(
      (a, b) =>
        (ordinalOf(name, b.metadata.name ?? '') as number) -
        (ordinalOf(name, a.metadata.name ?? '') as number),
    );
    const firstUnhealthy =
      replicas.find((p) => p !== undefined && !isHealthy(p)) ??
      condemned.find((p) => !isHealthy(p));

    for (let i = 0; i < count; i++) {
      const pod = replicas[i];
      const phase = pod?.status?.phase;
      if (pod && (phase === 'Failed' || phase === 'Succeeded') && !isTerminating(pod)) {
        this.deletePod(set, pod);
        // It is recreated once gone: its name is taken until then.
        if (monotonic) return undefined;
        continue;
      }
      if (!pod) {
        const failure = this.createPod(set, i, revisions);
        if (failure) return failure;
        if (monotonic) return undefined;
        continue;
      }
      if (isTerminating(pod) && monotonic) return undefined;
      if (!available(pod) && monotonic) return undefined;
    }

    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return undefined;
        continue;
      }
      if (!available(pod) && monotonic && pod !== firstUnhealthy) return undefined;
      this.deletePod(set, pod);
      if (monotonic) return undefined;
    }

    const strategy = set.spec.updateStrategy;
    if (strategy?.type === 'OnDelete') return undefined;
    const partition = strategy?.rollingUpdate?.partition ?? 0;
    for (let i = count - 1; i >= partition; i--) {
      const pod = replicas[i];
      if (!pod) return undefined;
      if (revisionOf(pod) !== revisions.update.metadata.name && !isTerminating(pod)) {
        this.deletePod(set, pod);
        return undefined;
      }
      if (!isHealthy(pod)) return undefined;
    }
    return undefined;
  }

  /**
   * Creates the pod of index `i` (ordinal start + i): below the partition of a RollingUpdate it
   * is made from the current revision, otherwise from the update revision, as upstream.
   */
  private createPod(set: StatefulSet, i: number, revisions: Revisions): string | undefined {
    const setName = set.metadata.name ?? '';
    const namespace = set.metadata.namespace ?? '';
    const strategy = set.spec.updateStrategy;
    const atCurrent =
      strategy?.type !== 'OnDelete' &&
      strategy?.rollingUpdate !== undefined &&
      i < (strategy.rollingUpdate.partition ?? 0);
    const revision = atCurrent ? revisions.current : revisions.update;
    const template: PodTemplateSpec =
      (atCurrent ? revisionTemplate(revision) : undefined) ?? set.spec.template;
    const ordinal = (set.spec.ordinals?.start ?? 0) + i;
    const podName = `${setName}-${ordinal}`;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace,
        labels: {
          ...(template.metadata?.labels ?? {}),
          [REVISION_LABEL]: revision.metadata.name ?? '',
          [POD_INDEX_LABEL]: String(ordinal),
          [POD_NAME_LABEL]: podName,
        },
        ...(template.metadata?.annotations
          ? { annotations: { ...template.metadata.annotations } }
          : {}),
        ownerReferences: [controllerReference('apps/v1', 'StatefulSet', set)],
      },
      spec: {
        ...structuredClone(template.spec),
        hostname: podName,
        ...(set.spec.serviceName ? { subdomain: set.spec.serviceName } : {}),
      },
    };
    try {
      this.registry.create(TYPES.pods, namespace, pod);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.events.record(
        set,
        'Warning',
        'FailedCreate',
        `create Pod ${podName} in StatefulSet ${setName} failed error: ${error.message}`,
        SOURCE,
      );
      return error.message;
    }
    this.events.record(
      set,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${podName} in StatefulSet ${setName} successful`,
      SOURCE,
    );
    return undefined;
  }

  private deletePod(set: StatefulSet, pod: Pod): void {
    this.registry.delete(TYPES.pods, pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    this.events.record(
      set,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
      SOURCE,
    );
  }

  /**
   * The counts over the set's pods as they are now. A RollingUpdate whose pods are all updated
   * and ready is complete: the update revision becomes the current one.
   */
  private writeStatus(set: StatefulSet, pods: Pod[], revisions: Revisions): void {
    const minReady = set.spec.minReadySeconds ?? 0;
    const nowMs = this.now().getTime();
    const current = revisions.current.metadata.name ?? '';
    const update = revisions.update.metadata.name ?? '';
    let replicas = 0;
    let ready = 0;
    let available = 0;
    let currentReplicas = 0;
    let updated = 0;
    for (const pod of pods) {
      replicas++;
      if (isRunningAndReady(pod)) {
        ready++;
        if (untilAvailable(pod, minReady, nowMs) === 0) available++;
      }
      if (!isTerminating(pod)) {
        if (revisionOf(pod) === current) currentReplicas++;
        if (revisionOf(pod) === update) updated++;
      }
    }
    let currentRevision = current;
    if (
      set.spec.updateStrategy?.type !== 'OnDelete' &&
      updated === replicas &&
      ready === replicas
    ) {
      currentReplicas = updated;
      currentRevision = update;
    }
    // Key order and omitted zeros as the API server serializes a StatefulSetStatus.
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation ?? 1,
      replicas,
      ...(ready > 0 ? { readyReplicas: ready } : {}),
      ...(currentReplicas > 0 ? { currentReplicas } : {}),
      ...(updated > 0 ? { updatedReplicas: updated } : {}),
      currentRevision,
      updateRevision: update,
      collisionCount: set.status?.collisionCount ?? 0,
      availableReplicas: available,
    };
    if (JSON.stringify(status) === JSON.stringify(set.status ?? {})) return;
    const latest = this.store.get(
      TYPES.statefulsets,
      set.metadata.namespace ?? '',
      set.metadata.name ?? '',
    );
    if (!latest) return;
    this.store.update(TYPES.statefulsets, { ...latest, status });
  }

  /** A pod ready but not yet past minReadySeconds: look again when it will be available. */
  private wakeWhenAvailable(key: string, set: StatefulSet, pods: Pod[]): void {
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady <= 0 || this.wakeups.has(key)) return;
    const nowMs = this.now().getTime();
    const waits = pods
      .filter(isRunningAndReady)
      .map((p) => untilAvailable(p, minReady, nowMs))
      .filter((ms) => ms > 0);
    if (waits.length === 0) return;
    const timer = setTimeout(
      () => {
        this.wakeups.delete(key);
        this.queue.add(key);
      },
      Math.min(...waits) + 5,
    );
    timer.unref?.();
    this.wakeups.set(key, timer);
  }
}
