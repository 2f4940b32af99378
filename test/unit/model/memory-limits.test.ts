import { describe, expect, it } from 'vitest';
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { GIB } from '../../../shared/app-model';
import {
  limitRangeDefaults,
  podMemorySpec,
  processMemoryLimit,
  type NamespaceMemoryDefault,
} from '../../../main/model/memory-limits';

const MIB = 1024 ** 2;
const NONE: NamespaceMemoryDefault = { limitBytes: null, requestBytes: null };

function template(limit?: string, request?: string): V1PodSpec {
  const resources = {
    ...(limit ? { limits: { memory: limit } } : {}),
    ...(request ? { requests: { memory: request } } : {}),
  };
  return { containers: [{ name: 'web', resources }] };
}

function runningPod(
  name: string,
  limit: string | null,
  options: { createdAt?: string; ready?: boolean; limitRanger?: string; request?: string } = {},
): V1Pod {
  const limits = limit === null ? {} : { limits: { memory: limit } };
  const requests = { requests: { memory: options.request ?? limit ?? '1Gi' } };
  return {
    metadata: {
      name,
      creationTimestamp: new Date(options.createdAt ?? '2025-01-01T10:00:00Z'),
      ...(options.limitRanger
        ? { annotations: { 'kubernetes.io/limit-ranger': options.limitRanger } }
        : {}),
    },
    spec: { containers: [{ name: 'web', resources: { ...limits, ...requests } }] },
    status: { conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
  };
}

const UPSTREAM_ANNOTATION =
  'LimitRanger plugin set: memory request for container web; memory limit for container web';

describe('what the pods really run', () => {
  it("reads a replica's own limit and request from its spec, summed over its containers", () => {
    const pod = runningPod('a', '2Gi', { request: '1Gi' });
    pod.spec!.containers.push({ name: 'sidecar', resources: { limits: { memory: '256Mi' } } });
    expect(podMemorySpec(pod)).toEqual({ limitBytes: 2 * GIB + 256 * MIB, requestBytes: 1 * GIB });
    expect(podMemorySpec(runningPod('b', null, { request: '1Gi' })).limitBytes).toBeNull();
  });

  it('shows the 8 Gi the pods were admitted with, not the 12 Gi namespace default set since, as next', () => {
    const limit = processMemoryLimit({
      template: template(),
      containerIndex: 0,
      pods: [
        runningPod('a', '8Gi', { limitRanger: UPSTREAM_ANNOTATION }),
        runningPod('b', '8Gi', { limitRanger: UPSTREAM_ANNOTATION }),
      ],
      namespace: { limitBytes: 12 * GIB, requestBytes: 12 * GIB },
      rollingOut: false,
    });
    expect(limit).toEqual({
      bytes: 8 * GIB,
      source: 'limitrange',
      requestBytes: 8 * GIB,
      next: { bytes: 12 * GIB, source: 'limitrange', reason: 'namespace-default' },
    });
  });

  it('keeps the figure the most pods run during a rollout, the new template limit as next', () => {
    const limit = processMemoryLimit({
      template: template('12Gi'),
      containerIndex: 0,
      pods: [
        runningPod('old-1', '8Gi'),
        runningPod('old-2', '8Gi'),
        runningPod('new-1', '12Gi', { createdAt: '2025-01-01T11:00:00Z' }),
      ],
      namespace: NONE,
      rollingOut: true,
    });
    expect(limit.bytes).toBe(8 * GIB);
    expect(limit.next).toEqual({ bytes: 12 * GIB, source: 'container', reason: 'rollout' });
  });

  it('gives a tie to the limit of the newest ready pod', () => {
    const limit = processMemoryLimit({
      template: template('12Gi'),
      containerIndex: 0,
      pods: [
        runningPod('old', '8Gi'),
        runningPod('new', '12Gi', { createdAt: '2025-01-01T11:00:00Z' }),
        // Newer still, but not ready: it does not speak for its limit.
        runningPod('newest', '8Gi', { createdAt: '2025-01-01T12:00:00Z', ready: false }),
        runningPod('new-2', '12Gi', { createdAt: '2025-01-01T11:30:00Z' }),
      ],
      namespace: NONE,
      rollingOut: true,
    });
    expect(limit.bytes).toBe(12 * GIB);
    expect(limit.source).toBe('container');
    expect(limit.next).toBeNull();
  });

  it('reads a pod without a limit as the built-in 8 GiB, with a namespace default set since as next', () => {
    const limit = processMemoryLimit({
      template: template(),
      containerIndex: 0,
      pods: [runningPod('a', null)],
      namespace: { limitBytes: 4 * GIB, requestBytes: 1 * GIB },
      rollingOut: false,
    });
    expect(limit).toMatchObject({
      bytes: 8 * GIB,
      source: 'default',
      next: { bytes: 4 * GIB, source: 'limitrange', reason: 'namespace-default' },
    });
  });

  it('without pods, says what a new one would get, its request from the default request', () => {
    const limit = processMemoryLimit({
      template: template(),
      containerIndex: 0,
      pods: [],
      namespace: { limitBytes: 8 * GIB, requestBytes: 2 * GIB },
      rollingOut: false,
    });
    expect(limit).toEqual({
      bytes: 8 * GIB,
      source: 'limitrange',
      requestBytes: 2 * GIB,
      next: null,
    });
  });

  it('takes a LimitRange without defaultRequest as requesting its default limit', () => {
    expect(
      limitRangeDefaults([
        { spec: { limits: [{ type: 'Container', _default: { memory: '8Gi' } }] } },
      ]),
    ).toEqual({ limitBytes: 8 * GIB, requestBytes: 8 * GIB });
    expect(
      limitRangeDefaults([
        {
          spec: {
            limits: [
              { type: 'Container', _default: { memory: '8Gi' }, defaultRequest: { memory: '2Gi' } },
            ],
          },
        },
      ]),
    ).toEqual({ limitBytes: 8 * GIB, requestBytes: 2 * GIB });
  });
});
