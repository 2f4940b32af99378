import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/sandbox/api-errors';
import { ControlPlane } from '../../../main/sandbox/control-plane';
import type {
  KubeEvent,
  Node,
  Pod,
  ReplicaSet,
  ResourceQuota,
} from '../../../main/sandbox/kube-types';
import { TYPES } from '../../../main/sandbox/resource-types';

/**
 * ResourceQuota on pods' memory (and CPU), as upstream's quota admission and pod evaluator
 * enforce it at pod creation: 403 worded as the API server words it, `status.used` kept, and
 * a ReplicaSet that meets the quota records FailedCreate.
 */

const NS = 'demo';
let cp: ControlPlane;

function node(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: {},
    status: {
      capacity: { memory: '256Gi', pods: '110', cpu: '64' },
      allocatable: { memory: '256Gi', pods: '110', cpu: '64' },
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [],
      nodeInfo: {},
    },
  };
}

function quota(hard: Record<string, string>, name = 'compute'): void {
  cp.registry.create(TYPES.resourcequotas, NS, { metadata: { name }, spec: { hard } });
  cp.settle();
}

function createPod(
  name: string,
  limits: Record<string, string>,
  requests?: Record<string, string>,
): Pod {
  const pod = cp.registry.create(TYPES.pods, NS, {
    metadata: { name },
    spec: {
      containers: [
        { name: 'web', image: 'shop:1', resources: { limits, ...(requests ? { requests } : {}) } },
      ],
    },
  }) as Pod;
  cp.settle();
  return pod;
}

function refusal(create: () => unknown): ApiError {
  try {
    create();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function used(name = 'compute'): Record<string, string> | undefined {
  return (cp.store.get(TYPES.resourcequotas, NS, name) as ResourceQuota).status?.used;
}

beforeEach(() => {
  cp = new ControlPlane({ metricsIntervalMs: 60_000, readyDelayMs: 60_000 });
  cp.store.create(TYPES.nodes, node('node-1'));
  cp.registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
});

afterEach(() => cp.stop());

describe('sandbox ResourceQuota: limits.memory and requests.memory', () => {
  it('refuses a pod that would take limits.memory past the quota, worded as upstream', () => {
    quota({ 'limits.memory': '48Gi' });
    for (let i = 0; i < 5; i++) createPod(`web-${i}`, { memory: '8Gi' });
    const error = refusal(() => createPod('web-5', { memory: '12Gi' }));
    expect(error.code).toBe(403);
    expect(error.reason).toBe('Forbidden');
    expect(error.message).toBe(
      'pods "web-5" is forbidden: exceeded quota: compute, requested: limits.memory=12Gi, used: limits.memory=40Gi, limited: limits.memory=48Gi',
    );
    expect(cp.store.get(TYPES.pods, NS, 'web-5')).toBeUndefined();
  });

  it('admits a pod that fits exactly', () => {
    quota({ 'limits.memory': '48Gi' });
    for (let i = 0; i < 5; i++) createPod(`web-${i}`, { memory: '8Gi' });
    expect(createPod('web-5', { memory: '8Gi' }).metadata.name).toBe('web-5');
  });

  it('names every exceeded resource, sorted, with the sums in canonical form', () => {
    quota({ 'limits.memory': '10Gi', 'requests.memory': '9Gi', pods: '10' });
    createPod('web-0', { memory: '9Gi' }, { memory: '8448Mi' });
    const error = refusal(() => createPod('web-1', { memory: '2Gi' }, { memory: '1Gi' }));
    expect(error.message).toBe(
      'pods "web-1" is forbidden: exceeded quota: compute, requested: limits.memory=2Gi,requests.memory=1Gi, used: limits.memory=9Gi,requests.memory=8448Mi, limited: limits.memory=10Gi,requests.memory=9Gi',
    );
  });

  it('counts a limit as the request where a pod gives none (the request defaults to the limit)', () => {
    quota({ 'requests.memory': '10Gi' });
    createPod('web-0', { memory: '8Gi' });
    expect(used()).toEqual({ 'requests.memory': '8Gi' });
    expect(refusal(() => createPod('web-1', { memory: '4Gi' })).message).toContain(
      'requested: requests.memory=4Gi, used: requests.memory=8Gi, limited: requests.memory=10Gi',
    );
  });

  it('refuses a pod with a container that does not name a resource the quota limits', () => {
    quota({ 'limits.memory': '48Gi' });
    const error = refusal(() =>
      cp.registry.create(TYPES.pods, NS, {
        metadata: { name: 'bare' },
        spec: { containers: [{ name: 'web', image: 'shop:1' }] },
      }),
    );
    expect(error.code).toBe(403);
    expect(error.message).toBe(
      'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: web',
    );
  });

  it('lets a LimitRange default fill the limit the quota requires, as admission order has it', () => {
    cp.registry.create(TYPES.limitranges, NS, {
      metadata: { name: 'memory-defaults' },
      spec: { limits: [{ type: 'Container', default: { memory: '8Gi' } }] },
    });
    quota({ 'limits.memory': '48Gi' });
    const pod = cp.registry.create(TYPES.pods, NS, {
      metadata: { name: 'defaulted' },
      spec: { containers: [{ name: 'web', image: 'shop:1' }] },
    }) as Pod;
    expect(pod.spec.containers[0]?.resources?.limits).toEqual({ memory: '8Gi' });
  });

  it('keeps status.used: pods and memory as they come and go, terminal pods counting for nothing', () => {
    quota({ pods: '10', 'limits.memory': '48Gi', 'requests.memory': '48Gi', services: '5' });
    expect(used()).toEqual({
      pods: '0',
      'limits.memory': '0',
      'requests.memory': '0',
      services: '0',
    });
    createPod('web-0', { memory: '8Gi' }, { memory: '512Mi' });
    createPod('web-1', { memory: '4Gi' });
    expect(used()).toEqual({
      pods: '2',
      'limits.memory': '12Gi',
      'requests.memory': '4608Mi',
      services: '0',
    });
    const done = cp.store.get(TYPES.pods, NS, 'web-1') as Pod;
    cp.store.update(TYPES.pods, { ...done, status: { ...done.status, phase: 'Succeeded' } });
    cp.settle();
    expect(used()).toMatchObject({ pods: '1', 'limits.memory': '8Gi' });
  });

  it('refreshes status.hard when the quota is edited', () => {
    quota({ 'limits.memory': '48Gi' });
    const current = cp.store.get(TYPES.resourcequotas, NS, 'compute') as ResourceQuota;
    cp.registry.update(TYPES.resourcequotas, NS, 'compute', {
      ...current,
      spec: { hard: { 'limits.memory': '64Gi' } },
    });
    cp.settle();
    const after = cp.store.get(TYPES.resourcequotas, NS, 'compute') as ResourceQuota;
    expect(after.status?.hard).toEqual({ 'limits.memory': '64Gi' });
  });

  it('makes a ReplicaSet that meets the quota record FailedCreate and a ReplicaFailure', () => {
    quota({ 'limits.memory': '16Gi' });
    const labels = { app: 'shop' };
    cp.registry.create(TYPES.replicasets, NS, {
      metadata: { name: 'shop-web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              { name: 'web', image: 'shop:1', resources: { limits: { memory: '8Gi' } } },
            ],
          },
        },
      },
    });
    cp.settle();
    expect(cp.store.list(TYPES.pods, NS)).toHaveLength(2);
    const failed = (cp.store.list(TYPES.events, NS) as KubeEvent[]).filter(
      (e) => e.reason === 'FailedCreate',
    );
    expect(failed[0]?.message).toMatch(
      /^Error creating: pods "shop-web-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: limits.memory=8Gi, used: limits.memory=16Gi, limited: limits.memory=16Gi$/,
    );
    const rs = cp.store.get(TYPES.replicasets, NS, 'shop-web') as ReplicaSet;
    expect(rs.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }),
    );
  });
});
