import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/sandbox/kube-types';
import { TYPES } from '../../../main/sandbox/resource-types';
import { validate, validationCauses } from '../../../main/sandbox/validation';

const container = (resources: object) => ({ name: 'web', image: 'nginx', resources });
const deployment = (resources: object): KubeObject => ({
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [container(resources)] },
    },
  },
});

describe('resource requests against limits', () => {
  it('refuses a request above its limit with 422, worded as the API server words it', () => {
    expect(() =>
      validate(
        TYPES.deployments,
        deployment({ requests: { memory: '2Gi' }, limits: { memory: '1Gi' } }),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 422,
        reason: 'Invalid',
        message:
          'Deployment.apps "web" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
      }),
    );
  });

  it('compares quantities, not strings, and per resource', () => {
    expect(
      validationCauses(
        TYPES.deployments,
        deployment({
          requests: { cpu: '500m', memory: '512Mi' },
          limits: { cpu: '1', memory: '1Gi' },
        }),
      ),
    ).toEqual([]);
    const causes = validationCauses(TYPES.pods, {
      metadata: { name: 'p' },
      spec: { containers: [container({ requests: { cpu: '2' }, limits: { cpu: '1500m' } })] },
    });
    expect(causes).toEqual([
      expect.objectContaining({
        field: 'spec.containers[0].resources.requests',
        message: 'Invalid value: "2": must be less than or equal to cpu limit of 1500m',
      }),
    ]);
  });

  it('accepts a request with no limit for it', () => {
    expect(
      validationCauses(TYPES.deployments, deployment({ requests: { memory: '8Gi' } })),
    ).toEqual([]);
  });
});
