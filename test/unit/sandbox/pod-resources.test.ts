import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../main/sandbox/kube-types';
import { podResources } from '../../../main/sandbox/pod-resources';

/** What a pod asks of a node and a quota, as upstream's PodRequests / PodLimits add it up. */

function pod(spec: Pod['spec']): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec };
}

const GI = 1024 ** 3;

describe('sandbox pod resources', () => {
  it('sums its containers’ requests and limits, a missing request read as the limit', () => {
    const { requests, limits } = podResources(
      pod({
        containers: [
          { name: 'web', resources: { limits: { memory: '8Gi' } } },
          {
            name: 'sidecar',
            resources: { requests: { memory: '1Gi', cpu: '250m' }, limits: { memory: '2Gi' } },
          },
        ],
      }),
    );
    expect(requests).toEqual({ memory: 9 * GI, cpu: 0.25 });
    expect(limits).toEqual({ memory: 10 * GI });
  });

  it('takes the largest init container where it asks more than the containers together', () => {
    const { requests } = podResources(
      pod({
        containers: [{ name: 'web', resources: { requests: { memory: '1Gi' } } }],
        initContainers: [{ name: 'migrate', resources: { requests: { memory: '4Gi' } } }],
      }),
    );
    expect(requests['memory']).toBe(4 * GI);
  });

  it('names only the resources some container names', () => {
    expect(podResources(pod({ containers: [{ name: 'web' }] }))).toEqual({
      requests: {},
      limits: {},
    });
  });
});
