import {
  AutoscalingV1Api,
  AutoscalingV2Api,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1HorizontalPodAutoscaler,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuMetric, deploymentReplicas } from '../../fixtures/autoscalers';
import { eventually, failure, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * HorizontalPodAutoscalers on the sandbox through client-node: autoscaling/v2 and v1 over one
 * stored object, the controller moving its target between min and max, and the checks the API
 * server makes. The HPA controller syncs every 200 ms here.
 */

let fx: SandboxFixture;
let v1: AutoscalingV1Api;
let v2: AutoscalingV2Api;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  fx = await startTestSandbox({ hpaSyncIntervalMs: 200 });
  v1 = fx.admin.makeApiClient(AutoscalingV1Api);
  v2 = fx.admin.makeApiClient(AutoscalingV2Api);
});
afterAll(async () => {
  await fx?.sandbox.stop();
});

describe('autoscaling/v1 and autoscaling/v2 with client-node', () => {
  it('serves one object in both versions, and they agree', async () => {
    await v2.createNamespacedHorizontalPodAutoscaler({
      namespace: 'demo',
      body: {
        metadata: { name: 'forecast-web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'forecast-web' },
          minReplicas: 2,
          maxReplicas: 4,
          metrics: [cpuMetric(60)],
        },
      },
    });
    const [a, b] = await eventually('both views of one measured version', async () => {
      const one = await v1.readNamespacedHorizontalPodAutoscaler({
        namespace: 'demo',
        name: 'forecast-web',
      });
      const two = await v2.readNamespacedHorizontalPodAutoscaler({
        namespace: 'demo',
        name: 'forecast-web',
      });
      const measured = one.status?.currentCPUUtilizationPercentage !== undefined;
      return measured && one.metadata?.resourceVersion === two.metadata?.resourceVersion
        ? ([one, two] as const)
        : undefined;
    });
    expect(a.metadata?.uid).toBe(b.metadata?.uid);
    expect(a.spec?.minReplicas).toBe(b.spec?.minReplicas);
    expect(a.spec?.maxReplicas).toBe(b.spec?.maxReplicas);
    expect(a.spec?.targetCPUUtilizationPercentage).toBe(
      b.spec?.metrics?.[0]?.resource?.target.averageUtilization,
    );
    expect(a.status?.currentReplicas).toBe(b.status?.currentReplicas);
    expect(a.status?.desiredReplicas).toBe(b.status?.desiredReplicas);
    expect(a.status?.currentCPUUtilizationPercentage).toBe(
      b.status?.currentMetrics?.[0]?.resource?.current.averageUtilization,
    );
    expect(b.status?.conditions?.map((c) => c.type)).toEqual([
      'AbleToScale',
      'ScalingActive',
      'ScalingLimited',
    ]);
  });

  it('keeps what v1 cannot say when a v1 client writes the object back', async () => {
    await v2.createNamespacedHorizontalPodAutoscaler({
      namespace: 'demo',
      body: {
        metadata: { name: 'support-portal-web' },
        spec: {
          scaleTargetRef: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'support-portal-web',
          },
          minReplicas: 3,
          maxReplicas: 6,
          metrics: [
            cpuMetric(70),
            {
              type: 'Resource',
              resource: {
                name: 'memory',
                target: { type: 'AverageValue', averageValue: '3Gi' },
              },
            },
          ],
        },
      },
    });
    const read = await v1.readNamespacedHorizontalPodAutoscaler({
      namespace: 'demo',
      name: 'support-portal-web',
    });
    await v1.replaceNamespacedHorizontalPodAutoscaler({
      namespace: 'demo',
      name: 'support-portal-web',
      body: { ...read, spec: { ...read.spec!, maxReplicas: 8 } },
    });
    const after = await v2.readNamespacedHorizontalPodAutoscaler({
      namespace: 'demo',
      name: 'support-portal-web',
    });
    expect(after.spec?.maxReplicas).toBe(8);
    expect(after.spec?.metrics?.map((m) => m.resource?.name).sort()).toEqual(['cpu', 'memory']);
    expect(after.metadata?.annotations ?? {}).toEqual({});
  });

  it('streams v1 objects on a v1 watch', async () => {
    const events: { type: string; obj: V1HorizontalPodAutoscaler }[] = [];
    const request = await new Watch(fx.admin).watch(
      '/apis/autoscaling/v1/namespaces/demo/horizontalpodautoscalers',
      {},
      (type, obj: V1HorizontalPodAutoscaler) => events.push({ type, obj }),
      () => undefined,
    );
    try {
      const first = await eventually('an HPA on the v1 watch', () => events[0]);
      expect(first.obj.apiVersion).toBe('autoscaling/v1');
      expect(first.obj.spec?.targetCPUUtilizationPercentage).toBeGreaterThan(0);
      expect(first.obj.spec).not.toHaveProperty('metrics');
    } finally {
      request.abort();
    }
  });

  it('moves the target between minReplicas and maxReplicas, never outside them', async () => {
    const seen: number[] = [];
    const request = await new Watch(fx.admin).watch(
      '/apis/apps/v1/namespaces/demo/deployments',
      { fieldSelector: 'metadata.name=pricing-api-web' },
      (_type, obj: { spec?: { replicas?: number } }) => {
        if (obj.spec?.replicas !== undefined) seen.push(obj.spec.replicas);
      },
      () => undefined,
    );
    try {
      // A target far above the use: the count falls to the minimum (no stabilization window).
      await v2.createNamespacedHorizontalPodAutoscaler({
        namespace: 'demo',
        body: {
          metadata: { name: 'pricing-api-web' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'pricing-api-web' },
            minReplicas: 1,
            maxReplicas: 3,
            metrics: [cpuMetric(50_000)],
            behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
          },
        },
      });
      await eventually('pricing-api-web down to 1', async () => {
        return (await deploymentReplicas(fx, 'demo', 'pricing-api-web')) === 1;
      });
      // A target far below the use: up to the maximum.
      await v2.patchNamespacedHorizontalPodAutoscaler(
        {
          namespace: 'demo',
          name: 'pricing-api-web',
          body: { spec: { metrics: [cpuMetric(50)] } },
        },
        merge,
      );
      await eventually('pricing-api-web up to 3', async () => {
        return (await deploymentReplicas(fx, 'demo', 'pricing-api-web')) === 3;
      });
      // Scaled by hand past the maximum: the controller brings it back.
      await fx.apps.patchNamespacedDeploymentScale(
        { namespace: 'demo', name: 'pricing-api-web', body: { spec: { replicas: 6 } } },
        merge,
      );
      await eventually('pricing-api-web back to 3', async () => {
        return (await deploymentReplicas(fx, 'demo', 'pricing-api-web')) === 3;
      });
    } finally {
      request.abort();
    }
    const byController = seen.filter((n) => n !== 6);
    expect(byController).toContain(1);
    expect(byController).toContain(3);
    expect(byController.every((n) => n >= 1 && n <= 3)).toBe(true);
    const status = await v2.readNamespacedHorizontalPodAutoscalerStatus({
      namespace: 'demo',
      name: 'pricing-api-web',
    });
    expect(status.status?.lastScaleTime).toBeDefined();
    expect(status.status?.desiredReplicas).toBe(3);
  });

  it('refuses an HPA whose maximum is below its minimum, naming the field', async () => {
    const refused = await failure(
      v2.createNamespacedHorizontalPodAutoscaler({
        namespace: 'demo',
        body: {
          metadata: { name: 'upside-down' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'forecast-web' },
            minReplicas: 4,
            maxReplicas: 2,
          },
        } satisfies V2HorizontalPodAutoscaler,
      }),
    );
    expect(refused.code).toBe(422);
    expect(refused.body.details?.causes?.map((c) => c.field)).toEqual(['spec.maxReplicas']);
  });

  it('lets the viewer read HPAs but not create them', async () => {
    const viewer = fx.viewer.makeApiClient(AutoscalingV2Api);
    const list = await viewer.listHorizontalPodAutoscalerForAllNamespaces();
    expect(list.items.length).toBeGreaterThan(0);
    const denied = await failure(
      viewer.createNamespacedHorizontalPodAutoscaler({
        namespace: 'demo',
        body: {
          metadata: { name: 'not-mine' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'forecast-web' },
            maxReplicas: 2,
          },
        },
      }),
    );
    expect(denied.code).toBe(403);
  });
});
