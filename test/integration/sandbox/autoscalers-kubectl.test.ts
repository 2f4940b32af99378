import type { V1HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentReplicas } from '../../fixtures/autoscalers';
import { hasKubectl, kubectlFor } from '../../fixtures/kubectl';
import { eventually, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * HorizontalPodAutoscalers on the sandbox through the installed kubectl: autoscale, get,
 * describe and api-resources, on a Deployment and a StatefulSet. The HPA controller syncs every
 * 200 ms here.
 */

let fx: SandboxFixture;
const kubectl = kubectlFor(() => fx.sandbox.kubeconfigPath);

beforeAll(async () => {
  fx = await startTestSandbox({ hpaSyncIntervalMs: 200 });
});
afterAll(async () => {
  await fx?.sandbox.stop();
  kubectl.dispose();
});

describe.skipIf(!hasKubectl)('kubectl and HorizontalPodAutoscalers', () => {
  it('autoscale creates an HPA that get hpa prints and the controller fills in', async () => {
    const created = await kubectl.ok(
      'autoscale',
      'deployment/inventory-web',
      '--min=2',
      '--max=5',
      '--cpu-percent=70',
    );
    expect(created).toContain('horizontalpodautoscaler.autoscaling/inventory-web autoscaled');
    // inventory-web burns far more than 70 % of its 100m request: it goes to its maximum.
    const out = await eventually('the HPA at 5 replicas', async () => {
      const text = await kubectl.ok('get', 'hpa');
      return /inventory-web\s.*\s5\s+\S+\s*$/m.test(text) ? text : undefined;
    });
    const [header, row] = out.trim().split('\n');
    expect(header).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
    expect(row).toMatch(
      /^inventory-web\s+Deployment\/inventory-web\s+cpu: \d+%\/70%\s+2\s+5\s+5\s+\d+s$/,
    );
    expect(await deploymentReplicas(fx, 'demo', 'inventory-web')).toBe(5);
  });

  it('describe hpa shows the bounds, the replicas, the conditions and why it scaled', async () => {
    const r = await kubectl.run('describe', 'hpa', 'inventory-web');
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
    const resources = await kubectl.ok('api-resources', '--api-group=autoscaling');
    expect(resources).toMatch(
      /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m,
    );
    const asV1 = JSON.parse(
      await kubectl.ok(
        'get',
        'horizontalpodautoscalers.v1.autoscaling',
        'inventory-web',
        '-o',
        'json',
      ),
    ) as V1HorizontalPodAutoscaler;
    expect(asV1.apiVersion).toBe('autoscaling/v1');
    expect(asV1.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 70,
    });
  });

  it('autoscale works on a StatefulSet too, through its scale subresource', async () => {
    await kubectl.ok('autoscale', 'statefulset/plain-db', '-n', 'mixed', '--min=1', '--max=3');
    await eventually('plain-db at 3 replicas', async () => {
      const set = await fx.apps.readNamespacedStatefulSet({ namespace: 'mixed', name: 'plain-db' });
      return set.spec?.replicas === 3 && set.status?.readyReplicas === 3;
    });
    // The HPA's REPLICAS column is its status, written at its next sync after the scale.
    const row = /plain-db\s+StatefulSet\/plain-db\s+cpu: \d+%\/80%\s+1\s+3\s+3/;
    await eventually('kubectl shows the HPA at 3 replicas', async () =>
      row.test(await kubectl.ok('get', 'hpa', 'plain-db', '-n', 'mixed')),
    );
  });
});
