import { describe, expect, it } from 'vitest';
import type { V1Node } from '@kubernetes/client-node';
import { GIB } from '../../../shared/app-model';
import {
  limitRangeDefaultMemory,
  memoryLimitOf,
  quantityBytes,
} from '../../../main/model/memory-limits';
import { podMemory } from '../../../main/model/memory-usage';
import { nodesFree, quotaPods } from '../../../main/model/pod-room';
import { backoffDelay } from '../../../main/kube/watch-timing';

describe('memory limits', () => {
  it('reads quantities with client-node', () => {
    expect(quantityBytes('512Mi')).toBe(512 * 1024 ** 2);
    expect(quantityBytes('1G')).toBe(1e9);
    expect(quantityBytes('bogus')).toBeNull();
    expect(quantityBytes(undefined)).toBeNull();
  });

  it('takes the lowest Container default of the namespace LimitRanges', () => {
    const ranges = [
      {
        spec: {
          limits: [
            { type: 'Pod', max: { memory: '1Gi' } },
            { type: 'Container', _default: { memory: '8Gi' } },
          ],
        },
      },
      { spec: { limits: [{ type: 'Container', _default: { memory: '4Gi' } }] } },
    ];
    expect(limitRangeDefaultMemory(ranges)).toBe(4 * GIB);
    expect(limitRangeDefaultMemory([])).toBeNull();
  });

  it('sums the containers of a replica, a sidecar without a limit taking the namespace default', () => {
    const spec = {
      containers: [{ name: 'web', resources: { limits: { memory: '2Gi' } } }, { name: 'sidecar' }],
    };
    expect(memoryLimitOf(spec, 1 * GIB)).toEqual({
      bytes: 3 * GIB,
      source: 'container',
      // The web container requests its own limit; the sidecar the namespace default.
      requestBytes: 3 * GIB,
      next: null,
    });
    expect(memoryLimitOf({ containers: [{ name: 'web' }] }, null)).toEqual({
      bytes: 8 * GIB,
      source: 'default',
      requestBytes: null,
      next: null,
    });
  });
});

describe('memory usage', () => {
  it('sums container usage per pod from a PodMetricsList', () => {
    const usage = podMemory({
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { selfLink: '' },
      items: [
        {
          metadata: { name: 'a-web-1', namespace: 'shop', selfLink: '', creationTimestamp: '' },
          timestamp: '',
          window: '30s',
          containers: [
            { name: 'web', usage: { cpu: '100m', memory: '900Mi' } },
            { name: 'sidecar', usage: { cpu: '1m', memory: '100Mi' } },
          ],
        },
      ],
    });
    expect(usage.get('shop/a-web-1')).toBe(1000 * 1024 ** 2);
  });
});

describe('pod room', () => {
  it('takes the tightest pod quota', () => {
    expect(
      quotaPods([
        { status: { hard: { pods: '20' }, used: { pods: '5' } } },
        { status: { hard: { pods: '10' }, used: { pods: '8' } } },
        { status: { hard: { cpu: '4' }, used: { cpu: '1' } } },
      ]),
    ).toEqual({ hard: 10, used: 8 });
    expect(quotaPods([])).toBeNull();
  });

  it('counts free slots on schedulable, ready nodes, less pods waiting for one', () => {
    const node = (name: string, pods: string, ready = true, unschedulable = false): V1Node => ({
      metadata: { name },
      spec: { unschedulable },
      status: {
        allocatable: { pods },
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      },
    });
    const nodes = [
      node('a', '10'),
      node('b', '10'),
      node('c', '10', false),
      node('d', '10', true, true),
    ];
    const pods = [
      ...Array.from({ length: 7 }, () => ({ node: 'a', terminal: false })),
      { node: 'a', terminal: true },
      { node: 'b', terminal: false },
      { node: null, terminal: false },
    ];
    expect(nodesFree(nodes, pods)).toBe(3 + 9 - 1);
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially with jitter between half and all of the step, up to the cap', () => {
    expect(backoffDelay(0, 200, 30_000, () => 0)).toBe(100);
    expect(backoffDelay(0, 200, 30_000, () => 1)).toBe(200);
    expect(backoffDelay(3, 200, 30_000, () => 0.5)).toBe(1200);
    expect(backoffDelay(50, 200, 30_000, () => 1)).toBe(30_000);
  });
});
