import { describe, expect, it } from 'vitest';
import { hpaToV1 } from '../../../main/sandbox/hpa-conversion';
import { autoscalerRow, formatTargets } from '../../../main/sandbox/hpa-printing';
import type { HorizontalPodAutoscaler, MetricSpec } from '../../../main/sandbox/hpa-types';
import { autoscalerSpecCauses } from '../../../main/sandbox/hpa-validation';

const cpu: MetricSpec = {
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
};
const memory: MetricSpec = {
  type: 'Resource',
  resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
};
const requests: MetricSpec = {
  type: 'Pods',
  pods: { metric: { name: 'requests' }, target: { type: 'AverageValue', averageValue: '10' } },
};

function hpa(metrics: MetricSpec[], status?: HorizontalPodAutoscaler['status']) {
  const object: HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, metrics },
  };
  if (status) object.status = status;
  return object;
}

describe('kubectl get hpa columns', () => {
  it('shows <unknown> until the controller has measured, then current/target per metric', () => {
    expect(formatTargets(hpa([cpu]))).toBe('cpu: <unknown>/70%');
    expect(
      formatTargets(
        hpa([cpu, memory], {
          desiredReplicas: 2,
          currentMetrics: [
            { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 41 } } },
            { type: 'Resource', resource: { name: 'memory', current: { averageValue: '412M' } } },
          ],
        }),
      ),
    ).toBe('cpu: 41%/70%, memory: 412M/500Mi');
  });

  it('shows two metrics and counts the rest', () => {
    expect(formatTargets(hpa([cpu, memory, requests]))).toBe(
      'cpu: <unknown>/70%, memory: <unknown>/500Mi + 1 more...',
    );
    expect(formatTargets(hpa([]))).toBe('<none>');
  });

  it('reads a v1 object as the v2 it came from', () => {
    const row = autoscalerRow(
      hpaToV1(hpa([memory, cpu], { currentReplicas: 3, desiredReplicas: 3 })),
    );
    expect(row).toEqual({
      reference: 'Deployment/web',
      targets: 'memory: <unknown>/500Mi, cpu: <unknown>/70%',
      minPods: '<unset>',
      maxPods: 5,
      replicas: 3,
    });
  });
});

describe('HPA validation', () => {
  const base = { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 };

  it('accepts a sound spec', () => {
    expect(autoscalerSpecCauses({ ...base, minReplicas: 1, metrics: [cpu, memory] })).toEqual([]);
  });

  it('names the field of each mistake, as the API server does', () => {
    const fields = (spec: Record<string, unknown>) =>
      autoscalerSpecCauses(spec).map((c) => c.field);
    expect(fields({ ...base, minReplicas: 0 })).toEqual(['spec.minReplicas']);
    expect(fields({ ...base, minReplicas: 4 })).toEqual(['spec.maxReplicas']);
    expect(fields({ maxReplicas: 3, scaleTargetRef: { kind: 'Deployment' } })).toEqual([
      'spec.scaleTargetRef.name',
    ]);
    expect(
      fields({
        ...base,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } },
          },
        ],
      }),
    ).toEqual(['spec.metrics[0].resource.target.averageUtilization']);
    expect(fields({ ...base, metrics: [{ type: 'Resource' }] })).toEqual([
      'spec.metrics[0].resource',
    ]);
    expect(fields({ ...base, metrics: [{ type: 'Prometheus' }] })).toEqual([
      'spec.metrics[0].type',
    ]);
  });
});
