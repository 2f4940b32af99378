import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/sandbox/api-errors';
import { ControlPlane } from '../../../main/sandbox/control-plane';
import type { LimitRange, Node, Pod } from '../../../main/sandbox/kube-types';
import { TYPES } from '../../../main/sandbox/resource-types';

/**
 * LimitRange defaults as a real cluster applies them: filled into a pod's containers when the
 * pod is created (LimitRanger admission), so a changed default reaches only pods created after
 * it; the LimitRange itself defaulted and validated on every write, and updated under
 * optimistic concurrency.
 */

const NS = 'demo';
let cp: ControlPlane;

function node(): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1' },
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

function createPod(name: string, resources?: Record<string, Record<string, string>>): Pod {
  return cp.registry.create(TYPES.pods, NS, {
    metadata: { name },
    spec: { containers: [{ name: 'web', image: 'shop:1', ...(resources ? { resources } : {}) }] },
  }) as Pod;
}

function resourcesOf(name: string): unknown {
  return (cp.store.get(TYPES.pods, NS, name) as Pod).spec.containers[0]?.resources;
}

function limitRange(): LimitRange {
  return cp.store.get(TYPES.limitranges, NS, 'memory-defaults') as LimitRange;
}

function setDefault(memory: string, defaultRequest?: string): LimitRange {
  const current = limitRange();
  return cp.registry.update(TYPES.limitranges, NS, 'memory-defaults', {
    ...current,
    spec: {
      limits: [
        {
          type: 'Container',
          default: { memory },
          ...(defaultRequest ? { defaultRequest: { memory: defaultRequest } } : {}),
        },
      ],
    },
  }) as LimitRange;
}

function refusal(write: () => unknown): ApiError {
  try {
    write();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

beforeEach(() => {
  cp = new ControlPlane({ metricsIntervalMs: 60_000, readyDelayMs: 60_000 });
  cp.store.create(TYPES.nodes, node());
  cp.registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
  cp.registry.create(TYPES.limitranges, NS, {
    metadata: { name: 'memory-defaults' },
    spec: {
      limits: [
        { type: 'Container', default: { memory: '8Gi' }, defaultRequest: { memory: '256Mi' } },
      ],
    },
  });
});

afterEach(() => cp.stop());

describe('sandbox LimitRange: defaults at pod creation', () => {
  it('fills the default limit and request into a container that has neither, and says so', () => {
    const pod = createPod('web-0');
    expect(resourcesOf('web-0')).toEqual({
      limits: { memory: '8Gi' },
      requests: { memory: '256Mi' },
    });
    expect(pod.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: memory request for container web; memory limit for container web',
    );
  });

  it('leaves a container’s own limit alone, its request following that limit', () => {
    createPod('own', { limits: { memory: '2Gi' } });
    expect(resourcesOf('own')).toEqual({ limits: { memory: '2Gi' }, requests: { memory: '2Gi' } });
  });

  it('gives a changed default to pods created after the change, not to those running', () => {
    createPod('before');
    setDefault('12Gi', '1Gi');
    createPod('after');
    expect(resourcesOf('before')).toEqual({
      limits: { memory: '8Gi' },
      requests: { memory: '256Mi' },
    });
    expect(resourcesOf('after')).toEqual({
      limits: { memory: '12Gi' },
      requests: { memory: '1Gi' },
    });
  });

  it('refuses a pod whose own request is above the default limit it gets (validation after admission)', () => {
    const error = refusal(() => createPod('greedy', { requests: { memory: '16Gi' } }));
    expect(error.code).toBe(422);
    expect(error.message).toContain('must be less than or equal to memory limit of 8Gi');
  });
});

describe('sandbox LimitRange: min and max', () => {
  function setBounds(bounds: Record<string, Record<string, string>>): void {
    cp.registry.update(TYPES.limitranges, NS, 'memory-defaults', {
      ...limitRange(),
      spec: { limits: [{ type: 'Container', default: { memory: '8Gi' }, ...bounds }] },
    });
  }

  it('refuses a container whose limit is above the max with 403, worded as the LimitRanger', () => {
    setBounds({ max: { memory: '16Gi' } });
    const error = refusal(() => createPod('big', { limits: { memory: '32Gi' } }));
    expect(error.code).toBe(403);
    expect(error.message).toBe(
      'pods "big" is forbidden: maximum memory usage per Container is 16Gi, but limit is 32Gi',
    );
    expect(cp.store.get(TYPES.pods, NS, 'big')).toBeUndefined();
  });

  it('refuses a request below the min, and lists several failures as an aggregate', () => {
    setBounds({ min: { memory: '1Gi' }, max: { memory: '16Gi' } });
    expect(refusal(() => createPod('tiny', { limits: { memory: '512Mi' } })).message).toBe(
      'pods "tiny" is forbidden: minimum memory usage per Container is 1Gi, but request is 512Mi',
    );
    const error = refusal(() =>
      cp.registry.create(TYPES.pods, NS, {
        metadata: { name: 'two' },
        spec: {
          containers: [
            { name: 'a', image: 'x:1', resources: { limits: { memory: '32Gi' } } },
            { name: 'b', image: 'x:1', resources: { limits: { memory: '20Gi' } } },
          ],
        },
      }),
    );
    expect(error.message).toBe(
      'pods "two" is forbidden: [maximum memory usage per Container is 16Gi, but limit is 32Gi, maximum memory usage per Container is 16Gi, but limit is 20Gi]',
    );
  });

  it('admits a container within the bounds, and gives one without a limit the default', () => {
    setBounds({ min: { memory: '128Mi' }, max: { memory: '16Gi' } });
    createPod('inside', { limits: { memory: '12Gi' } });
    createPod('bare');
    expect(resourcesOf('bare')).toEqual({ limits: { memory: '8Gi' }, requests: { memory: '8Gi' } });
  });
});

describe('sandbox LimitRange: writes', () => {
  it('defaults defaultRequest to the default limit where none is given, on create and update', () => {
    expect(setDefault('12Gi').spec.limits[0]?.defaultRequest).toEqual({ memory: '12Gi' });
    createPod('web-0');
    expect(resourcesOf('web-0')).toEqual({
      limits: { memory: '12Gi' },
      requests: { memory: '12Gi' },
    });
  });

  it('refuses a default limit below the default request (422, as ValidateLimitRange)', () => {
    const error = refusal(() => setDefault('128Mi', '256Mi'));
    expect(error.code).toBe(422);
    expect(error.message).toBe(
      'LimitRange "memory-defaults" is invalid: spec.limits[0].defaultRequest[memory]: Invalid value: "256Mi": default request value 256Mi is greater than default limit value 128Mi',
    );
    expect(limitRange().spec.limits[0]?.default).toEqual({ memory: '8Gi' });
  });

  it('refuses an update against a stale resourceVersion with 409 Conflict', () => {
    const stale = limitRange();
    setDefault('12Gi');
    const error = refusal(() =>
      cp.registry.update(TYPES.limitranges, NS, 'memory-defaults', {
        ...stale,
        spec: { limits: [{ type: 'Container', default: { memory: '16Gi' } }] },
      }),
    );
    expect(error.code).toBe(409);
    expect(limitRange().spec.limits[0]?.default).toEqual({ memory: '12Gi' });
  });
});
