import { describe, expect, it } from 'vitest';
import {
  BEHAVIOR_ANNOTATION,
  CONDITIONS_ANNOTATION,
  hpaFromV1,
  hpaToV1,
  METRIC_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
} from '../../../main/sandbox/hpa-conversion';
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerV1,
} from '../../../main/sandbox/hpa-types';
import { findResourceType } from '../../../main/sandbox/resource-types';
import { toServedVersion, toStorageVersion } from '../../../main/sandbox/version-conversion';

const V1 = findResourceType('autoscaling', 'v1', 'horizontalpodautoscalers')!;
const V2 = findResourceType('autoscaling', 'v2', 'horizontalpodautoscalers')!;

function stored(): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'demo', annotations: { team: 'data' } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    },
    status: {
      currentReplicas: 3,
      desiredReplicas: 4,
      lastScaleTime: '2025-01-01T00:00:00Z',
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 91, averageValue: '91m' } },
        },
        { type: 'Resource', resource: { name: 'memory', current: { averageValue: '412M' } } },
      ],
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          lastTransitionTime: '2025-01-01T00:00:00Z',
          reason: 'SucceededRescale',
          message: 'the HPA controller was able to update the target scale to 4',
        },
      ],
    },
  };
}

describe('autoscaling v1 and v2 views of one HPA', () => {
  it('shows the CPU target and current CPU in v1, and carries the rest in annotations', () => {
    const v1 = hpaToV1(stored());
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 70,
    });
    expect(v1.status).toEqual({
      currentReplicas: 3,
      desiredReplicas: 4,
      lastScaleTime: '2025-01-01T00:00:00Z',
      currentCPUUtilizationPercentage: 91,
    });
    const annotations = v1.metadata.annotations ?? {};
    expect(annotations['team']).toBe('data');
    // v1's own metric format (targetAverageValue), only the metric v1 cannot say itself.
    expect(JSON.parse(annotations[METRIC_SPECS_ANNOTATION] ?? '')).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '500Mi' } },
    ]);
    expect(JSON.parse(annotations[METRIC_STATUSES_ANNOTATION] ?? '')).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', currentAverageUtilization: 91, currentAverageValue: '91m' },
      },
      { type: 'Resource', resource: { name: 'memory', currentAverageValue: '412M' } },
    ]);
    expect(JSON.parse(annotations[BEHAVIOR_ANNOTATION] ?? '')).toEqual({
      scaleDown: { stabilizationWindowSeconds: 60 },
    });
    expect(JSON.parse(annotations[CONDITIONS_ANNOTATION] ?? '')[0].reason).toBe('SucceededRescale');
  });

  it('loses nothing on the way back from v1; the other metrics come first, as upstream', () => {
    const back = hpaFromV1(hpaToV1(stored()));
    const original = stored();
    expect(back.apiVersion).toBe('autoscaling/v2');
    expect(back.metadata.annotations).toEqual({ team: 'data' });
    expect(back.spec.metrics).toEqual([original.spec.metrics?.[1], original.spec.metrics?.[0]]);
    expect(back.spec.behavior).toEqual(original.spec.behavior);
    expect(back.status).toEqual(original.status);
  });

  it('gives a v1 HPA without a target the 80 % CPU default, and reads its current CPU', () => {
    const v1: HorizontalPodAutoscalerV1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 },
      status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 12 },
    };
    const v2 = hpaFromV1(v1);
    expect(v2.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
    expect(v2.status?.currentMetrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } },
    ]);
    expect(v2.metadata.annotations).toBeUndefined();
  });

  it('converts by apiVersion only where the type is served in another version, and only once', () => {
    const served = toServedVersion(V1, stored());
    expect(served.apiVersion).toBe('autoscaling/v1');
    expect(toServedVersion(V1, served)).toBe(served);
    expect(toServedVersion(V2, stored())).toEqual(stored());
    const again = toStorageVersion(V1, served);
    expect(again.apiVersion).toBe('autoscaling/v2');
    expect(toStorageVersion(V1, again)).toBe(again);
  });
});
