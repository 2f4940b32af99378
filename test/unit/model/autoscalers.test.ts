import type { V1HorizontalPodAutoscaler, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  AutoscalerIndex,
  autoscalerOfHpa,
  autoscalerOfScaledObject,
  type ScaledObject,
  type WatchedAutoscaler,
} from '../../../main/model/autoscalers';

function v2(overrides: Partial<V2HorizontalPodAutoscaler['spec']> = {}): V2HorizontalPodAutoscaler {
  return {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-web' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
      ...overrides,
    },
    status: { currentReplicas: 3, desiredReplicas: 3 },
  };
}

describe('autoscalers read from HPAs and ScaledObjects', () => {
  it('reads an autoscaling/v2 HPA: its target workload, range, replicas now and metric', () => {
    expect(autoscalerOfHpa(v2(), 'autoscaling/v2')).toEqual({
      target: 'Deployment/shop/shop-web',
      autoscaler: {
        kind: 'HorizontalPodAutoscaler',
        name: 'web',
        apiVersion: 'autoscaling/v2',
        minReplicas: 2,
        maxReplicas: 5,
        currentReplicas: 3,
        desiredReplicas: 3,
        targets: ['70 % CPU'],
        active: true,
        inactiveReason: null,
        editable: true,
      },
    });
  });

  it('says memory, pods and external targets in words, and the default 80 % CPU without metrics', () => {
    const metrics = v2({
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
        },
        {
          type: 'External',
          external: {
            metric: { name: 'queue_depth' },
            target: { type: 'AverageValue', averageValue: '30' },
          },
        },
      ],
    });
    expect(autoscalerOfHpa(metrics, 'autoscaling/v2')?.autoscaler.targets).toEqual([
      '500Mi memory',
      '30 queue_depth',
    ]);
    const none = v2({ metrics: [] });
    expect(autoscalerOfHpa(none, 'autoscaling/v2')?.autoscaler.targets).toEqual(['80 % CPU']);
  });

  it('marks an HPA whose ScalingActive is False (its target at 0) as not scaling, with why', () => {
    const hpa = v2();
    hpa.status = {
      currentReplicas: 0,
      desiredReplicas: 0,
      conditions: [
        {
          type: 'ScalingActive',
          status: 'False',
          reason: 'ScalingDisabled',
          message: 'scaling is disabled since the replica count of the target is zero',
        },
      ],
    };
    expect(autoscalerOfHpa(hpa, 'autoscaling/v2')?.autoscaler).toMatchObject({
      active: false,
      inactiveReason: 'scaling is disabled since the replica count of the target is zero',
    });
  });

  it('reads an autoscaling/v1 HPA by its CPU percentage, minReplicas defaulting to 1', () => {
    const hpa: V1HorizontalPodAutoscaler = {
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'shop-web' },
        maxReplicas: 4,
        targetCPUUtilizationPercentage: 60,
      },
      status: { currentReplicas: 1, desiredReplicas: 2 },
    };
    expect(autoscalerOfHpa(hpa, 'autoscaling/v1')?.autoscaler).toMatchObject({
      apiVersion: 'autoscaling/v1',
      minReplicas: 1,
      maxReplicas: 4,
      targets: ['60 % CPU'],
    });
  });

  it('reads a KEDA ScaledObject with its defaults, read-only, paused where annotated', () => {
    const scaled: ScaledObject = {
      metadata: {
        name: 'orders',
        namespace: 'shop',
        annotations: { 'autoscaling.keda.sh/paused-replicas': '0' },
      },
      spec: {
        scaleTargetRef: { name: 'shop-worker' },
        triggers: [{ type: 'rabbitmq', metadata: { queueName: 'orders' } }],
      },
    };
    expect(autoscalerOfScaledObject(scaled, undefined)).toEqual({
      target: 'Deployment/shop/shop-worker',
      autoscaler: {
        kind: 'ScaledObject',
        name: 'orders',
        apiVersion: 'keda.sh/v1alpha1',
        minReplicas: 0,
        maxReplicas: 100,
        currentReplicas: null,
        desiredReplicas: null,
        targets: ['rabbitmq'],
        active: false,
        inactiveReason: 'paused at 0 replicas (autoscaling.keda.sh/paused-replicas)',
        editable: false,
      },
    });
  });

  it('indexes by workload; the ScaledObject, not the HPA KEDA made for it, owns the count', () => {
    const keda = v2({ scaleTargetRef: { kind: 'Deployment', name: 'shop-worker' } });
    keda.metadata = {
      name: 'keda-hpa-orders',
      namespace: 'shop',
      labels: { 'scaledobject.keda.sh/name': 'orders' },
    };
    const hpas = new Map<string, WatchedAutoscaler>([
      ['shop/web', v2()],
      ['shop/keda-hpa-orders', keda],
    ]);
    const scaledObjects = new Map<string, ScaledObject>([
      [
        'shop/orders',
        {
          metadata: { name: 'orders', namespace: 'shop' },
          spec: { scaleTargetRef: { name: 'shop-worker' }, minReplicaCount: 1, maxReplicaCount: 8 },
        },
      ],
    ]);
    const index = new AutoscalerIndex({
      hpas: () => hpas,
      hpaVersion: () => 'autoscaling/v2',
      scaledObjects: () => scaledObjects,
    });
    expect(index.of('Deployment', 'shop', 'shop-web')?.name).toBe('web');
    expect(index.of('Deployment', 'shop', 'shop-worker')).toMatchObject({
      kind: 'ScaledObject',
      name: 'orders',
      minReplicas: 1,
      maxReplicas: 8,
      currentReplicas: 3,
    });
    // Another kind of the same name is another workload.
    expect(index.of('StatefulSet', 'shop', 'shop-web')).toBeNull();
    hpas.delete('shop/web');
    expect(index.of('Deployment', 'shop', 'shop-web')?.name).toBe('web');
    index.changed();
    expect(index.of('Deployment', 'shop', 'shop-web')).toBeNull();
  });
});
