import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/sandbox/api-errors';
import { FOREGROUND_FINALIZER, GarbageCollector } from '../../../main/sandbox/garbage-collector';
import type { KubeObject } from '../../../main/sandbox/kube-types';
import { ObjectStore, type StoreEvent } from '../../../main/sandbox/object-store';
import { controllerReference } from '../../../main/sandbox/owner-references';
import { Registry } from '../../../main/sandbox/registry';
import { TYPES } from '../../../main/sandbox/resource-types';

/**
 * Cascading deletion by propagation policy: foreground holds the owner (deletionTimestamp,
 * finalizer) until its blocking dependents are gone, orphan leaves the dependents without the
 * reference, background removes owner then dependents; finalizers hold any object.
 */

const NS = 'demo';
let store: ObjectStore;
let registry: Registry;
let events: StoreEvent[];

function owned(kind: 'ReplicaSet' | 'Pod', name: string, owner: KubeObject): KubeObject {
  const apiVersion = owner.kind === 'Deployment' || owner.kind === 'ReplicaSet' ? 'apps/v1' : 'v1';
  const labels = { app: 'web' };
  const metadata = {
    name,
    labels,
    ownerReferences: [controllerReference(apiVersion, owner.kind ?? '', owner)],
  };
  if (kind === 'Pod') {
    return registry.create(TYPES.pods, NS, {
      metadata,
      // Unscheduled: its deletion is immediate, so the chain can be followed without a kubelet.
      spec: { containers: [{ name: 'web', image: 'shop:1' }] },
    });
  }
  return registry.create(TYPES.replicasets, NS, {
    metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'shop:1' }] } },
    },
  });
}

function deployment(): KubeObject {
  return registry.create(TYPES.deployments, NS, {
    metadata: { name: 'web' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'shop:1' }] },
      },
    },
  });
}

beforeEach(() => {
  store = new ObjectStore();
  registry = new Registry(store);
  const collector = new GarbageCollector(store);
  events = [];
  store.subscribe((e) => {
    events.push(e);
    collector.onStoreEvent(e);
  });
  registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
});

describe('cascading deletion', () => {
  it('foreground: the owner is marked, then goes only after its dependents, each in turn', () => {
    const d = deployment();
    const rs = owned('ReplicaSet', 'web-1', d);
    owned('Pod', 'web-1-a', rs);
    events = [];
    const answer = registry.delete(TYPES.deployments, NS, 'web', {
      propagationPolicy: 'Foreground',
    });
    // The answer is the object as marked, not a Status.
    expect((answer as KubeObject).metadata.deletionTimestamp).toBeDefined();
    expect((answer as KubeObject).metadata.finalizers).toEqual([FOREGROUND_FINALIZER]);
    const order = events.map((e) => `${e.type} ${e.object.metadata.name}`);
    expect(order).toEqual([
      'MODIFIED web',
      'MODIFIED web-1',
      'DELETED web-1-a',
      'DELETED web-1',
      'DELETED web',
    ]);
    expect(store.get(TYPES.deployments, NS, 'web')).toBeUndefined();
  });

  it('foreground: an owner waits while a dependent is still terminating', () => {
    const d = deployment();
    const rs = owned('ReplicaSet', 'web-1', d);
    // A finalizer someone else owns keeps the ReplicaSet, and so the Deployment.
    store.update(TYPES.replicasets, {
      ...rs,
      metadata: { ...rs.metadata, finalizers: ['example.com/hold'] },
    });
    registry.delete(TYPES.deployments, NS, 'web', { propagationPolicy: 'Foreground' });
    const held = store.get(TYPES.deployments, NS, 'web');
    expect(held?.metadata.finalizers).toEqual([FOREGROUND_FINALIZER]);
    const marked = store.mustGet(TYPES.replicasets, NS, 'web-1');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    // The last finalizer off: the ReplicaSet goes, and the Deployment after it.
    registry.update(TYPES.replicasets, NS, 'web-1', {
      ...marked,
      metadata: { ...marked.metadata, finalizers: [] },
    });
    expect(store.get(TYPES.replicasets, NS, 'web-1')).toBeUndefined();
    expect(store.get(TYPES.deployments, NS, 'web')).toBeUndefined();
  });

  it('orphan: the dependents stay, without the reference to the owner', () => {
    const d = deployment();
    const rs = owned('ReplicaSet', 'web-1', d);
    owned('Pod', 'web-1-a', rs);
    registry.delete(TYPES.deployments, NS, 'web', { propagationPolicy: 'Orphan' });
    expect(store.get(TYPES.deployments, NS, 'web')).toBeUndefined();
    const left = store.mustGet(TYPES.replicasets, NS, 'web-1');
    expect(left.metadata.ownerReferences).toBeUndefined();
    expect(store.get(TYPES.pods, NS, 'web-1-a')?.metadata.ownerReferences?.[0]?.name).toBe('web-1');
  });

  it('orphanDependents: true (the older option) orphans as well', () => {
    const d = deployment();
    owned('ReplicaSet', 'web-1', d);
    registry.delete(TYPES.deployments, NS, 'web', { orphanDependents: true });
    expect(store.get(TYPES.replicasets, NS, 'web-1')).toBeDefined();
  });

  it('background (the default): owner first, dependents right after', () => {
    const d = deployment();
    owned('ReplicaSet', 'web-1', d);
    events = [];
    registry.delete(TYPES.deployments, NS, 'web');
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'DELETED web',
      'DELETED web-1',
    ]);
  });

  it('an object with a finalizer is only marked, and a repeated delete changes nothing', () => {
    registry.create(TYPES.services, NS, {
      metadata: { name: 'web', finalizers: ['example.com/hold'] },
      spec: { ports: [{ port: 80 }] },
    });
    const first = registry.delete(TYPES.services, NS, 'web') as KubeObject;
    expect(first.metadata.deletionTimestamp).toBeDefined();
    const again = registry.delete(TYPES.services, NS, 'web') as KubeObject;
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('an unknown propagation policy is refused', () => {
    deployment();
    expect(() =>
      registry.delete(TYPES.deployments, NS, 'web', { propagationPolicy: 'Later' }),
    ).toThrow(ApiError);
  });
});
