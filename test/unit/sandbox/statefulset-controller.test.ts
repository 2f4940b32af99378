import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventRecorder } from '../../../main/sandbox/events';
import type {
  ControllerRevision,
  KubeEvent,
  Pod,
  ResourceQuota,
  StatefulSet,
} from '../../../main/sandbox/kube-types';
import { ObjectStore } from '../../../main/sandbox/object-store';
import { Registry } from '../../../main/sandbox/registry';
import { TYPES } from '../../../main/sandbox/resource-types';
import { StatefulSetController } from '../../../main/sandbox/statefulset-controller';

/**
 * The StatefulSet controller on its own, over a store and registry: no kubelet, no timers. The
 * test plays the kubelet (a pod becomes Running and Ready when `ready()` says so, a deleted pod
 * is gone when `gone()` says so) and drains the controller's queue after each step, so every
 * ordering rule is checked at the moment it applies.
 */

const NS = 'demo';
const LABELS = { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/component': 'web' };

let store: ObjectStore;
let registry: Registry;
let controller: StatefulSetController;
let unsubscribe: () => void;

function statefulSet(overrides: Partial<StatefulSet['spec']> = {}, name = 'web'): StatefulSet {
  return {
    metadata: { name },
    spec: {
      serviceName: 'web',
      replicas: 3,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'shop:1',
              command: ['gunicorn', 'app:server', '--workers', '2'],
            },
          ],
        },
      },
      ...overrides,
    },
  };
}

function create(set: StatefulSet): void {
  registry.create(TYPES.statefulsets, NS, set);
  controller.drain();
}

function get(name = 'web'): StatefulSet {
  return store.get(TYPES.statefulsets, NS, name) as StatefulSet;
}

function pod(name: string): Pod {
  return store.get(TYPES.pods, NS, name) as Pod;
}

function podNames(): string[] {
  return store.list(TYPES.pods, NS).map((p) => p.metadata.name ?? '');
}

/** Plays the scheduler and kubelet: the pod is bound, Running and Ready. */
function ready(...names: string[]): void {
  for (const name of names) {
    const p = pod(name);
    store.update(TYPES.pods, {
      ...p,
      spec: { ...p.spec, nodeName: 'node-1' },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: p.metadata.creationTimestamp },
        ],
      },
    });
  }
  controller.drain();
}

function notReady(name: string): void {
  const p = pod(name);
  store.update(TYPES.pods, {
    ...p,
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] },
  });
  controller.drain();
}

/** Plays the kubelet finishing a graceful termination. */
function gone(name: string): void {
  expect(pod(name).metadata.deletionTimestamp).toBeDefined();
  store.remove(TYPES.pods, NS, name);
  controller.drain();
}

function terminating(): string[] {
  return store
    .list(TYPES.pods, NS)
    .filter((p) => p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name ?? '');
}

function revisionOf(name: string): string | undefined {
  return pod(name).metadata.labels?.['controller-revision-hash'];
}

function update(mutate: (set: StatefulSet) => StatefulSet): void {
  const current = get();
  registry.update(TYPES.statefulsets, NS, 'web', mutate(current));
  controller.drain();
}

function withImage(image: string) {
  return (set: StatefulSet): StatefulSet => ({
    ...set,
    spec: {
      ...set.spec,
      template: {
        ...set.spec.template,
        spec: {
          ...set.spec.template.spec,
          containers: [{ ...set.spec.template.spec.containers[0]!, image }],
        },
      },
    },
  });
}

/** Brings up all `count` pods in order, each ready before the next is made. */
function bringUp(count: number): void {
  for (let i = 0; i < count; i++) ready(`web-${i}`);
}

beforeEach(() => {
  store = new ObjectStore();
  registry = new Registry(store);
  controller = new StatefulSetController(store, registry, new EventRecorder(store));
  unsubscribe = store.subscribe((event) => controller.onStoreEvent(event));
  registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
});

afterEach(() => {
  unsubscribe();
  controller.stop();
});

describe('the StatefulSet controller', () => {
  it('creates web-0, web-1, web-2 in order, each only once the one before is Running and Ready', () => {
    create(statefulSet());
    expect(podNames()).toEqual(['web-0']);
    controller.drain();
    expect(podNames()).toEqual(['web-0']);
    ready('web-0');
    expect(podNames()).toEqual(['web-0', 'web-1']);
    ready('web-1');
    expect(podNames()).toEqual(['web-0', 'web-1', 'web-2']);
    ready('web-2');
    expect(get().status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
    });
  });

  it('gives each pod its identity: name labels, revision label, owner reference, hostname and subdomain', () => {
    create(statefulSet());
    const p = pod('web-0');
    const set = get();
    expect(p.metadata.labels).toEqual({
      ...LABELS,
      'statefulset.kubernetes.io/pod-name': 'web-0',
      'apps.kubernetes.io/pod-index': '0',
      'controller-revision-hash': set.status?.updateRevision,
    });
    expect(set.status?.updateRevision).toMatch(/^web-[a-z0-9]+$/);
    expect(p.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'web',
        uid: set.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(p.spec).toMatchObject({ hostname: 'web-0', subdomain: 'web' });
    expect(p.spec.containers[0]?.command).toEqual(['gunicorn', 'app:server', '--workers', '2']);
    const events = store.list(TYPES.events, NS) as KubeEvent[];
    expect(events.map((e) => e.message)).toContain(
      'create Pod web-0 in StatefulSet web successful',
    );
  });

  it('scales down from the highest ordinal, one pod at a time, waiting for each to terminate', () => {
    create(statefulSet());
    bringUp(3);
    update((set) => ({ ...set, spec: { ...set.spec, replicas: 1 } }));
    expect(terminating()).toEqual(['web-2']);
    controller.drain();
    expect(terminating()).toEqual(['web-2']);
    gone('web-2');
    expect(terminating()).toEqual(['web-1']);
    gone('web-1');
    expect(podNames()).toEqual(['web-0']);
    expect(get().status).toMatchObject({ replicas: 1, readyReplicas: 1 });
  });

  it('rolls a template change from the highest ordinal down, one pod at a time, each once the last is Ready', () => {
    create(statefulSet());
    bringUp(3);
    const before = get().status?.currentRevision;
    update(withImage('shop:2'));
    const after = get().status?.updateRevision;
    expect(after).not.toBe(before);
    expect(get().metadata.generation).toBe(2);
    expect(get().status).toMatchObject({
      observedGeneration: 2,
      currentRevision: before,
      updateRevision: after,
    });
    expect(terminating()).toEqual(['web-2']);
    gone('web-2');
    expect(revisionOf('web-2')).toBe(after);
    expect(pod('web-2').spec.containers[0]?.image).toBe('shop:2');
    expect(terminating()).toEqual([]);
    expect(get().status).toMatchObject({ updatedReplicas: 1, currentReplicas: 2 });
    ready('web-2');
    expect(terminating()).toEqual(['web-1']);
    gone('web-1');
    ready('web-1');
    expect(terminating()).toEqual(['web-0']);
    gone('web-0');
    expect(get().status?.currentRevision).toBe(before);
    ready('web-0');
    expect(get().status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      updatedReplicas: 3,
      currentReplicas: 3,
      currentRevision: after,
      updateRevision: after,
    });
  });

  it('rolls pods when the restartedAt annotation is set, as kubectl rollout restart does', () => {
    create(statefulSet({ replicas: 1 }));
    bringUp(1);
    update((set) => ({
      ...set,
      spec: {
        ...set.spec,
        template: {
          ...set.spec.template,
          metadata: {
            ...set.spec.template.metadata,
            annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' },
          },
        },
      },
    }));
    gone('web-0');
    expect(pod('web-0').metadata.annotations).toEqual({
      'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z',
    });
  });

  it('leaves pods below the partition at the current revision, and recreates them from it', () => {
    create(
      statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
    );
    bringUp(3);
    const before = get().status?.currentRevision;
    update(withImage('shop:2'));
    gone('web-2');
    ready('web-2');
    expect(terminating()).toEqual([]);
    expect(revisionOf('web-1')).toBe(before);
    // A pod below the partition that goes away comes back as it was.
    registry.delete(TYPES.pods, NS, 'web-0');
    gone('web-0');
    expect(revisionOf('web-0')).toBe(before);
    expect(pod('web-0').spec.containers[0]?.image).toBe('shop:1');
    ready('web-0');
    expect(get().status).toMatchObject({
      updatedReplicas: 1,
      currentReplicas: 2,
      currentRevision: before,
    });
  });

  it('holds everything while a pod is not Ready (OrderedReady), a rollout included', () => {
    create(statefulSet());
    bringUp(3);
    notReady('web-1');
    update(withImage('shop:2'));
    expect(terminating()).toEqual([]);
    update((set) => ({ ...set, spec: { ...set.spec, replicas: 4 } }));
    expect(podNames()).toEqual(['web-0', 'web-1', 'web-2']);
    ready('web-1');
    expect(podNames()).toContain('web-3');
  });

  it('creates and removes all at once with the Parallel policy', () => {
    create(statefulSet({ podManagementPolicy: 'Parallel' }));
    expect(podNames()).toEqual(['web-0', 'web-1', 'web-2']);
    ready('web-0', 'web-1', 'web-2');
    update((set) => ({ ...set, spec: { ...set.spec, replicas: 0 } }));
    expect(terminating()).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('replaces no pod by itself with the OnDelete strategy', () => {
    create(statefulSet({ replicas: 2, updateStrategy: { type: 'OnDelete' } }));
    bringUp(2);
    update(withImage('shop:2'));
    expect(terminating()).toEqual([]);
    registry.delete(TYPES.pods, NS, 'web-1');
    gone('web-1');
    expect(pod('web-1').spec.containers[0]?.image).toBe('shop:2');
    expect(pod('web-0').spec.containers[0]?.image).toBe('shop:1');
  });

  it('numbers revisions, renumbers a template that comes back, and keeps revisionHistoryLimit of the unused', () => {
    create(statefulSet({ replicas: 1, revisionHistoryLimit: 1 }));
    bringUp(1);
    const revisions = () =>
      (store.list(TYPES.controllerrevisions, NS) as ControllerRevision[])
        .map((r) => [r.metadata.name, r.revision] as const)
        .sort((a, b) => a[1] - b[1]);
    const first = get().status?.updateRevision;
    update(withImage('shop:2'));
    gone('web-0');
    ready('web-0');
    const second = get().status?.updateRevision;
    expect(revisions()).toEqual([
      [first, 1],
      [second, 2],
    ]);
    update(withImage('shop:1'));
    gone('web-0');
    ready('web-0');
    expect(get().status?.updateRevision).toBe(first);
    expect(revisions()).toEqual([
      [second, 2],
      [first, 3],
    ]);
    update(withImage('shop:3'));
    gone('web-0');
    ready('web-0');
    // shop:2 is neither in use nor current: beyond the limit of one, it goes.
    expect(revisions().map(([, n]) => n)).toEqual([3, 4]);
    const revision = store.list(TYPES.controllerrevisions, NS)[0] as ControllerRevision;
    expect(revision.data).toMatchObject({ spec: { template: { $patch: 'replace' } } });
    expect(revision.metadata.labels).toMatchObject(LABELS);
  });

  it('adopts an orphan pod named as one of its members and matching its selector', () => {
    registry.create(TYPES.pods, NS, {
      metadata: { name: 'web-0', labels: LABELS },
      spec: { containers: [{ name: 'web', image: 'shop:1' }] },
    });
    create(statefulSet({ replicas: 1 }));
    expect(podNames()).toEqual(['web-0']);
    expect(pod('web-0').metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'StatefulSet',
      name: 'web',
      controller: true,
    });
  });

  it('reports a pod the quota refuses and creates it once there is room', () => {
    registry.create(TYPES.resourcequotas, NS, {
      metadata: { name: 'pod-quota' },
      spec: { hard: { pods: '1' } },
    });
    create(statefulSet({ replicas: 2 }));
    ready('web-0');
    expect(podNames()).toEqual(['web-0']);
    const events = store.list(TYPES.events, NS) as KubeEvent[];
    const failed = events.find((e) => e.reason === 'FailedCreate');
    expect(failed?.type).toBe('Warning');
    expect(failed?.message).toContain(
      'create Pod web-1 in StatefulSet web failed error: pods "web-1" is forbidden: exceeded quota: pod-quota',
    );
    const quota = store.get(TYPES.resourcequotas, NS, 'pod-quota') as ResourceQuota;
    store.update(TYPES.resourcequotas, { ...quota, spec: { hard: { pods: '2' } } });
    controller.drain();
    expect(podNames()).toEqual(['web-0', 'web-1']);
  });

  it('names pods from spec.ordinals.start', () => {
    create(statefulSet({ replicas: 2, ordinals: { start: 5 } }));
    ready('web-5');
    expect(podNames()).toEqual(['web-5', 'web-6']);
  });
});
