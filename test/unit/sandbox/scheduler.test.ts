import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlPlane } from '../../../main/sandbox/control-plane';
import type { KubeEvent, Node, Pod } from '../../../main/sandbox/kube-types';
import { TYPES } from '../../../main/sandbox/resource-types';
import { failedSchedulingMessage } from '../../../main/sandbox/scheduler';

/**
 * The scheduler's fit, as upstream's NodeResourcesFit judges it: a pod's memory (and CPU)
 * requests against each node's allocatable less what its bound pods request. A control plane
 * without its periodic loops; `settle()` runs the controllers and the scheduler to rest.
 */

const NS = 'demo';
let cp: ControlPlane;

function node(name: string, memory: string, pods = '110', cpu = '16'): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: {},
    status: {
      capacity: { memory, pods, cpu },
      allocatable: { memory, pods, cpu },
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
      nodeInfo: {},
    },
  };
}

function createPod(name: string, resources: Record<string, Record<string, string>>): Pod {
  const pod = cp.registry.create(TYPES.pods, NS, {
    metadata: { name },
    spec: { containers: [{ name: 'web', image: 'shop:1', resources }] },
  }) as Pod;
  cp.settle();
  return pod;
}

function pod(name: string): Pod {
  return cp.store.get(TYPES.pods, NS, name) as Pod;
}

function failedScheduling(name: string): KubeEvent[] {
  return (cp.store.list(TYPES.events, NS) as KubeEvent[]).filter(
    (e) => e.involvedObject.name === name && e.reason === 'FailedScheduling',
  );
}

const INSUFFICIENT_MEMORY =
  '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

beforeEach(() => {
  cp = new ControlPlane({ metricsIntervalMs: 60_000, readyDelayMs: 60_000 });
  for (const name of ['node-1', 'node-2', 'node-3'])
    cp.store.create(TYPES.nodes, node(name, '32Gi'));
  cp.registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
});

afterEach(() => cp.stop());

describe('sandbox scheduler: memory requests against allocatable memory', () => {
  it('binds a pod whose memory request fits on a node', () => {
    createPod('small', { requests: { memory: '12Gi' }, limits: { memory: '12Gi' } });
    expect(pod('small').spec.nodeName).toMatch(/^node-/);
  });

  it('leaves a pod that fits on no node Pending, Unschedulable, with upstream’s FailedScheduling wording', () => {
    createPod('huge', { requests: { memory: '40Gi' }, limits: { memory: '40Gi' } });
    const p = pod('huge');
    expect(p.spec.nodeName).toBeUndefined();
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: INSUFFICIENT_MEMORY,
      }),
    );
    expect(failedScheduling('huge').map((e) => [e.type, e.message])).toEqual([
      ['Warning', INSUFFICIENT_MEMORY],
    ]);
  });

  it('reads the limit as the request where a pod gives only a limit, as the API server defaults it', () => {
    createPod('limit-only', { limits: { memory: '40Gi' } });
    expect(pod('limit-only').spec.containers[0]?.resources?.requests).toEqual({ memory: '40Gi' });
    expect(pod('limit-only').spec.nodeName).toBeUndefined();
  });

  it('counts what the pods already on a node request: the room is allocatable less that', () => {
    for (let i = 0; i < 3; i++) createPod(`big-${i}`, { limits: { memory: '20Gi' } });
    expect(new Set([0, 1, 2].map((i) => pod(`big-${i}`).spec.nodeName)).size).toBe(3);
    // 12Gi left on each node: 12Gi fits, 13Gi does not.
    createPod('fits', { limits: { memory: '12Gi' } });
    createPod('too-big', { limits: { memory: '13Gi' } });
    expect(pod('fits').spec.nodeName).toBeDefined();
    expect(pod('too-big').spec.nodeName).toBeUndefined();
    expect(failedScheduling('too-big')[0]?.message).toBe(INSUFFICIENT_MEMORY);
  });

  it('schedules a Pending pod once a pod leaves and makes room', () => {
    for (let i = 0; i < 3; i++) createPod(`big-${i}`, { limits: { memory: '20Gi' } });
    createPod('waiting', { limits: { memory: '16Gi' } });
    expect(pod('waiting').spec.nodeName).toBeUndefined();
    const freed = pod('big-1').spec.nodeName;
    cp.store.remove(TYPES.pods, NS, 'big-1');
    cp.settle();
    expect(pod('waiting').spec.nodeName).toBe(freed);
    expect(pod('waiting').status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    );
  });

  it('frees the room of a pod that finished (Succeeded or Failed count for nothing)', () => {
    for (let i = 0; i < 3; i++) createPod(`big-${i}`, { limits: { memory: '20Gi' } });
    createPod('waiting', { limits: { memory: '16Gi' } });
    const done = pod('big-2');
    cp.store.update(TYPES.pods, { ...done, status: { ...done.status, phase: 'Failed' } });
    cp.settle();
    expect(pod('waiting').spec.nodeName).toBe(done.spec.nodeName);
  });

  it('schedules a Pending pod once a node with room joins', () => {
    createPod('huge', { limits: { memory: '40Gi' } });
    cp.store.create(TYPES.nodes, node('node-4', '64Gi'));
    cp.settle();
    expect(pod('huge').spec.nodeName).toBe('node-4');
  });

  it('checks CPU requests against allocatable CPU the same way', () => {
    createPod('cpu-hungry', { requests: { cpu: '17' } });
    expect(pod('cpu-hungry').spec.nodeName).toBeUndefined();
    expect(failedScheduling('cpu-hungry')[0]?.message).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });
});

describe('sandbox scheduler: the FailedScheduling message', () => {
  it('counts each reason over the nodes, sorted as strings, as upstream’s FitError', () => {
    expect(
      failedSchedulingMessage(3, [
        ['Too many pods', 'Insufficient memory'],
        ['Insufficient memory'],
        ['node(s) were unschedulable'],
      ]),
    ).toBe(
      '0/3 nodes are available: 1 Too many pods, 1 node(s) were unschedulable, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });
});
