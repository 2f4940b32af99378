import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { eventually, failure, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * HorizontalPodAutoscalers on the sandbox: autoscaling/v2 and v1 over one stored object, the
 * controller moving its target between min and max, and the `mixed` namespace of the seed,
 * through the installed kubectl and client-node. The HPA controller syncs every 200 ms here.
 */

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

let fx: SandboxFixture;
let home: string;
let v1: AutoscalingV1Api;
let v2: AutoscalingV2Api;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  fx = await startTestSandbox({ hpaSyncIntervalMs: 200 });
  home = mkdtempSync(join(tmpdir(), 'sandbox-hpa-home-'));
  v1 = fx.admin.makeApiClient(AutoscalingV1Api);
  v2 = fx.admin.makeApiClient(AutoscalingV2Api);
});
afterAll(async () => {
  await fx?.sandbox.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      args,
      {
        env: {
          ...process.env,
          KUBECONFIG: fx.sandbox.kubeconfigPath,
          HOME: home,
          KUBECACHEDIR: join(home, 'cache'),
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(...args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

async function deploymentReplicas(namespace: string, name: string): Promise<number | undefined> {
  return (await fx.apps.readNamespacedDeployment({ namespace, name })).spec?.replicas;
}

function cpuMetric(averageUtilization: number) {
  return {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } },
  };
}

describe.skipIf(!hasKubectl)('kubectl and HorizontalPodAutoscalers', () => {
  it('autoscale creates an HPA that get hpa prints and the controller fills in', async () => {
    const created = await ok(
      'autoscale',
      'deployment/inventory-web',
      '--min=2',
      '--max=5',
      '--cpu-percent=70',
    );
    expect(created).toContain('horizontalpodautoscaler.autoscaling/inventory-web autoscaled');
    // inventory-web burns far more than 70 % of its 100m request: it goes to its maximum.
    const out = await eventually('the HPA at 5 replicas', async () => {
      const text = await ok('get', 'hpa');
      return /inventory-web\s.*\s5\s+\S+\s*$/m.test(text) ? text : undefined;
    });
    const [header, row] = out.trim().split('\n');
    expect(header).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
    expect(row).toMatch(
      /^inventory-web\s+Deployment\/inventory-web\s+cpu: \d+%\/70%\s+2\s+5\s+5\s+\d+s$/,
    );
    expect(await deploymentReplicas('demo', 'inventory-web')).toBe(5);
  });

  it('describe hpa shows the bounds, the replicas, the conditions and why it scaled', async () => {
    const r = await kubectl('describe', 'hpa', 'inventory-web');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Reference:\s+Deployment\/inventory-web$/m);
    expect(r.stdout).toMatch(
      /resource cpu on pods\s+\(as a percentage of request\):\s+\d+% \(\d+m\) \/ 70%/,
    );
    expect(r.stdout).toMatch(/^Min replicas:\s+2$/m);
    expect(r.stdout).toMatch(/^Max replicas:\s+5$/m);
    expect(r.stdout).toMatch(/^Deployment pods:\s+5 current \/ 5 desired$/m);
    expect(r.stdout).toMatch(/ScalingActive\s+True\s+ValidMetricFound/);
    expect(r.stdout).toMatch(/ScalingLimited\s+True\s+TooManyReplicas/);
    expect(r.stdout).toMatch(
      /SuccessfulRescale\s+.*New size: \d; reason: cpu resource utilization \(percentage of request\) above target/,
    );
  });

  it('api-resources lists hpa in autoscaling/v2, and the v1 view reads the same object', async () => {
    const resources = await ok('api-resources', '--api-group=autoscaling');
    expect(resources).toMatch(
      /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m,
    );
    const asV1 = JSON.parse(
      await ok('get', 'horizontalpodautoscalers.v1.autoscaling', 'inventory-web', '-o', 'json'),
    ) as V1HorizontalPodAutoscaler;
    expect(asV1.apiVersion).toBe('autoscaling/v1');
    expect(asV1.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 70,
    });
  });

  it('autoscale works on a StatefulSet too, through its scale subresource', async () => {
    await ok('autoscale', 'statefulset/plain-db', '-n', 'mixed', '--min=1', '--max=3');
    await eventually('plain-db at 3 replicas', async () => {
      const set = await fx.apps.readNamespacedStatefulSet({ namespace: 'mixed', name: 'plain-db' });
      return set.spec?.replicas === 3 && set.status?.readyReplicas === 3;
    });
    expect(await ok('get', 'hpa', 'plain-db', '-n', 'mixed')).toMatch(
      /plain-db\s+StatefulSet\/plain-db\s+cpu: \d+%\/80%\s+1\s+3\s+3/,
    );
  });
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
        return (await deploymentReplicas('demo', 'pricing-api-web')) === 1;
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
        return (await deploymentReplicas('demo', 'pricing-api-web')) === 3;
      });
      // Scaled by hand past the maximum: the controller brings it back.
      await fx.apps.patchNamespacedDeploymentScale(
        { namespace: 'demo', name: 'pricing-api-web', body: { spec: { replicas: 6 } } },
        merge,
      );
      await eventually('pricing-api-web back to 3', async () => {
        return (await deploymentReplicas('demo', 'pricing-api-web')) === 3;
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

describe('the mixed namespace of the seed', () => {
  it('has a Helm release, a plain Deployment and an Argo CD app, none labelled part-of', async () => {
    const list = await fx.apps.listNamespacedDeployment({ namespace: 'mixed' });
    const byName = new Map(list.items.map((d) => [d.metadata?.name, d]));
    const web = byName.get('storefront-web');
    expect(web?.metadata?.labels).toMatchObject({
      'app.kubernetes.io/name': 'storefront',
      'app.kubernetes.io/instance': 'storefront',
    });
    expect(web?.metadata?.annotations?.['meta.helm.sh/release-name']).toBe('storefront');
    expect(byName.get('storefront-worker')?.spec?.template.spec?.containers[0]?.command?.[0]).toBe(
      'gunicorn',
    );
    expect(byName.get('plain')?.metadata?.labels).toEqual({ app: 'plain' });
    expect(byName.get('reports-web')?.metadata?.annotations).toMatchObject({
      'argocd.argoproj.io/tracking-id': 'reports:apps/Deployment:mixed/reports-web',
    });
    expect(byName.get('reports-web')?.metadata?.labels?.['app.kubernetes.io/instance']).toBe(
      'reports',
    );
    const partOf = list.items.filter((d) => d.metadata?.labels?.['app.kubernetes.io/part-of']);
    expect(partOf.map((d) => d.metadata?.name).sort()).toEqual(['checkout-web', 'checkout-worker']);
  });

  it('autoscales checkout web with an HPA of 2 to 5 on 70 % CPU, holding it at 2', async () => {
    const hpa = await eventually('the seeded HPA measured', async () => {
      const h = await v2.readNamespacedHorizontalPodAutoscaler({
        namespace: 'mixed',
        name: 'checkout-web',
      });
      return h.status?.currentMetrics?.length ? h : undefined;
    });
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'checkout-web' },
      minReplicas: 2,
      maxReplicas: 5,
    });
    expect(hpa.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(70);
    expect(hpa.status?.currentReplicas).toBe(2);
    expect(await deploymentReplicas('mixed', 'checkout-web')).toBe(2);
  });

  it('has pods owned by a DaemonSet, by nobody, and by a StatefulSet the plain selector also matches', async () => {
    const pods = await fx.core.listNamespacedPod({ namespace: 'mixed' });
    const byName = new Map(pods.items.map((p) => [p.metadata?.name, p]));
    const daemon = byName.get('node-exporter-7xk2p');
    expect(daemon?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'DaemonSet',
      name: 'node-exporter',
      controller: true,
    });
    expect(daemon?.status?.phase).toBe('Running');
    const bare = byName.get('scratch-web');
    expect(bare?.metadata?.ownerReferences ?? []).toEqual([]);
    expect(bare?.status?.phase).toBe('Running');

    const plain = await fx.core.listNamespacedPod({
      namespace: 'mixed',
      labelSelector: 'app=plain',
    });
    // The plain Deployment's one pod, and the StatefulSet's (2 seeded; an HPA above may add one).
    const owners = plain.items.map((p) => p.metadata?.ownerReferences?.[0]?.kind);
    expect(owners.filter((k) => k === 'ReplicaSet')).toHaveLength(1);
    expect(owners.filter((k) => k === 'StatefulSet').length).toBeGreaterThanOrEqual(2);
  });
});
