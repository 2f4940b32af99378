import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlPlane } from '../../../main/sandbox/control-plane';
import { HorizontalPodAutoscalerController } from '../../../main/sandbox/hpa-controller';
import type { HorizontalPodAutoscaler, MetricSpec } from '../../../main/sandbox/hpa-types';
import type { Deployment, KubeEvent, KubeObject } from '../../../main/sandbox/kube-types';
import { TYPES } from '../../../main/sandbox/resource-types';
import { seedCluster } from '../../../main/sandbox/seed';

/**
 * The HPA controller on a seeded control plane with no timers running: each step is a metrics
 * scrape and one sync, on a clock the test moves, so stabilization windows are exact.
 */

const SYNC_MS = 1000;
let cp: ControlPlane;
let clock: number;
let controller: HorizontalPodAutoscalerController;

beforeEach(() => {
  cp = new ControlPlane({ metricsIntervalMs: SYNC_MS, readyDelayMs: 100 });
  seedCluster(cp, { demo: true, apps: 0 });
  // Pods the controllers create from here on start ready at once, as the seed's did.
  cp.kubelet.instant = true;
  clock = Date.now();
  controller = new HorizontalPodAutoscalerController(
    cp.store,
    cp.registry,
    cp.events,
    cp.metrics,
    SYNC_MS,
    () => clock,
  );
});

afterEach(() => {
  controller.stop();
  cp.stop();
});

function cpu(averageUtilization: number): MetricSpec {
  return {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } },
  };
}

function createHpa(
  namespace: string,
  name: string,
  spec: Partial<HorizontalPodAutoscaler['spec']>,
): void {
  cp.registry.create(TYPES.horizontalpodautoscalers, namespace, {
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      maxReplicas: 5,
      ...spec,
    },
  });
}

/** Lets the controllers act on the last write, measures, and runs one HPA sync. */
function step(advanceMs = SYNC_MS): void {
  clock += advanceMs;
  cp.settle();
  cp.metrics.scrape();
  controller.syncAll();
  cp.settle();
}

function hpa(namespace: string, name: string): HorizontalPodAutoscaler {
  return cp.store.mustGet(
    TYPES.horizontalpodautoscalers,
    namespace,
    name,
  ) as HorizontalPodAutoscaler;
}

function replicas(type = TYPES.deployments, namespace: string, name: string): number | undefined {
  return (cp.store.mustGet(type, namespace, name) as Deployment).spec.replicas;
}

function condition(h: HorizontalPodAutoscaler, type: string) {
  return h.status?.conditions?.find((c) => c.type === type);
}

function eventsOf(object: KubeObject): KubeEvent[] {
  return (cp.store.list(TYPES.events, object.metadata.namespace) as KubeEvent[]).filter(
    (e) => e.involvedObject.uid === object.metadata.uid,
  );
}

describe('the HorizontalPodAutoscaler controller', () => {
  it('scales a busy Deployment up, at most to max(2 × current, 4) a step, then to maxReplicas', () => {
    // sales-dash-web burns about 1.3 cores per pod against the LimitRange's 100m request.
    createHpa('demo', 'sales-dash-web', { minReplicas: 2, maxReplicas: 5, metrics: [cpu(70)] });
    step();
    let h = hpa('demo', 'sales-dash-web');
    expect(replicas(TYPES.deployments, 'demo', 'sales-dash-web')).toBe(4);
    expect(condition(h, 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'ScaleUpLimit',
    });
    expect(condition(h, 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'SucceededRescale',
    });
    expect(h.status).toMatchObject({ currentReplicas: 2, desiredReplicas: 4 });
    expect(h.status?.lastScaleTime).toBeDefined();

    step();
    h = hpa('demo', 'sales-dash-web');
    expect(replicas(TYPES.deployments, 'demo', 'sales-dash-web')).toBe(5);
    expect(condition(h, 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
    });
    expect(condition(h, 'ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
    });
    const measured = h.status?.currentMetrics?.[0]?.resource?.current;
    expect(measured?.averageUtilization).toBeGreaterThan(70);
    expect(measured?.averageValue).toMatch(/^\d+m$/);
    const rescales = eventsOf(h).filter((e) => e.reason === 'SuccessfulRescale');
    expect(rescales.map((e) => e.message)).toContain(
      'New size: 5; reason: cpu resource utilization (percentage of request) above target',
    );
  });

  it('holds a scale-down for the stabilization window (20 sync periods), then scales to the minimum', () => {
    createHpa('demo', 'sales-dash-web', { minReplicas: 1, maxReplicas: 5, metrics: [cpu(5000)] });
    step();
    expect(replicas(TYPES.deployments, 'demo', 'sales-dash-web')).toBe(2);
    expect(condition(hpa('demo', 'sales-dash-web'), 'AbleToScale')).toMatchObject({
      reason: 'ScaleDownStabilized',
    });
    step(10 * SYNC_MS);
    expect(replicas(TYPES.deployments, 'demo', 'sales-dash-web')).toBe(2);
    step(11 * SYNC_MS);
    expect(replicas(TYPES.deployments, 'demo', 'sales-dash-web')).toBe(1);
    expect(hpa('demo', 'sales-dash-web').status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 1,
    });
  });

  it('brings a target scaled past maxReplicas back at once', () => {
    createHpa('demo', 'sales-dash-web', { minReplicas: 1, maxReplicas: 3, metrics: [cpu(5000)] });
    cp.registry.updateScale(TYPES.deployments, 'demo', 'sales-dash-web', {
      spec: { replicas: 7 },
    });
    step();
    expect(replicas(TYPES.deployments, 'demo', 'sales-dash-web')).toBe(3);
    expect(eventsOf(hpa('demo', 'sales-dash-web')).map((e) => e.message)).toContain(
      'New size: 3; reason: Current number of replicas above Spec.MaxReplicas',
    );
  });

  it('scales a StatefulSet through its scale subresource too', () => {
    cp.registry.create(TYPES.horizontalpodautoscalers, 'mixed', {
      metadata: { name: 'plain-db' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'plain-db' },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [cpu(70)],
      },
    });
    step();
    expect(replicas(TYPES.statefulsets, 'mixed', 'plain-db')).toBe(3);
  });

  it('leaves a target scaled to zero alone: scaling is disabled', () => {
    createHpa('analytics', 'archive-viewer-web', { metrics: [cpu(70)] });
    step();
    expect(replicas(TYPES.deployments, 'analytics', 'archive-viewer-web')).toBe(0);
    expect(condition(hpa('analytics', 'archive-viewer-web'), 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
    });
  });

  it('says why it cannot measure pods without a CPU request, and does not scale', () => {
    // `default` has no LimitRange: the pods keep the empty requests they were given.
    cp.registry.create(TYPES.deployments, 'default', {
      metadata: { name: 'bare' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'bare' } },
        template: {
          metadata: { labels: { app: 'bare' } },
          spec: {
            containers: [{ name: 'web', image: 'bare:1', command: ['gunicorn', 'app:app'] }],
          },
        },
      },
    });
    createHpa('default', 'bare', { metrics: [cpu(70)] });
    step();
    const h = hpa('default', 'bare');
    expect(replicas(TYPES.deployments, 'default', 'bare')).toBe(2);
    expect(condition(h, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
    });
    expect(condition(h, 'ScalingActive')?.message).toMatch(
      /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container web of Pod bare-/,
    );
    expect(eventsOf(h).map((e) => e.reason)).toContain('FailedComputeMetricsReplicas');
  });

  it('reports a target that does not exist', () => {
    createHpa('demo', 'nowhere', {});
    step();
    expect(condition(hpa('demo', 'nowhere'), 'AbleToScale')).toMatchObject({
      status: 'False',
      reason: 'FailedGetScale',
      message:
        'the HPA controller was unable to get the target\'s current scale: deployments.apps "nowhere" not found',
    });
  });

  it('keeps the seeded checkout web at its minimum of 2', () => {
    step();
    const h = hpa('mixed', 'checkout-web');
    expect(replicas(TYPES.deployments, 'mixed', 'checkout-web')).toBe(2);
    expect(h.status?.currentReplicas).toBe(2);
    expect(h.status?.currentMetrics?.[0]?.resource?.current.averageUtilization).toBeLessThan(50);
    expect(condition(h, 'ScalingActive')?.status).toBe('True');
  });
});
