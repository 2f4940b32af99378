import { Metrics } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasKubectl, kubectlFor } from '../../fixtures/kubectl';
import { failure, rawRequest, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * The metrics API's faults, as client-node and a raw client meet them: a cluster without
 * metrics-server (the group not in discovery, 404 on its paths) and one whose metrics-server
 * APIService is unavailable (the group listed, 503 ServiceUnavailable on its paths).
 */

let fx: SandboxFixture;

beforeAll(async () => {
  fx = await startTestSandbox();
});
afterAll(async () => {
  await fx.sandbox.stop();
});
beforeEach(() => {
  fx.sandbox.faults.reset();
});

async function groups(): Promise<string[]> {
  const { status, body } = await rawRequest(fx.sandbox, '/apis', fx.sandbox.tokens.admin);
  expect(status).toBe(200);
  return (JSON.parse(body) as { groups: { name: string }[] }).groups.map((g) => g.name);
}

describe('metrics API faults', () => {
  it('absent: metrics.k8s.io leaves discovery and its paths answer 404, as without metrics-server', async () => {
    const metrics = new Metrics(fx.admin);
    expect((await metrics.getPodMetrics('demo')).items.length).toBeGreaterThan(0);
    expect(await groups()).toContain('metrics.k8s.io');

    fx.sandbox.faults.metricsApi = 'absent';
    expect(await groups()).not.toContain('metrics.k8s.io');
    expect(await groups()).toContain('apps');
    expect((await failure(metrics.getPodMetrics('demo'))).code).toBe(404);
    const group = await rawRequest(
      fx.sandbox,
      '/apis/metrics.k8s.io/v1beta1',
      fx.sandbox.tokens.admin,
    );
    expect(group.status).toBe(404);
    expect(JSON.parse(group.body)).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });

  it('failing: the group stays listed and its paths answer 503 ServiceUnavailable, then recover', async () => {
    const metrics = new Metrics(fx.admin);
    fx.sandbox.faults.metricsApi = 'failing';
    expect(await groups()).toContain('metrics.k8s.io');
    expect((await failure(metrics.getPodMetrics('demo'))).code).toBe(503);
    const raw = await rawRequest(
      fx.sandbox,
      '/apis/metrics.k8s.io/v1beta1/namespaces/demo/pods',
      fx.sandbox.tokens.admin,
    );
    expect(raw.status).toBe(503);
    expect(JSON.parse(raw.body)).toMatchObject({
      reason: 'ServiceUnavailable',
      message: 'the server is currently unable to handle the request',
    });
    // Only the metrics API fails: the rest of the cluster answers as ever.
    expect((await fx.core.listNamespacedPod({ namespace: 'demo' })).items.length).toBeGreaterThan(
      0,
    );

    fx.sandbox.faults.metricsApi = 'ok';
    expect((await metrics.getPodMetrics('demo')).items.length).toBeGreaterThan(0);
  });

  it.skipIf(!hasKubectl)('kubectl top reads the faults as it reads a real cluster', async () => {
    const kubectl = kubectlFor(() => fx.sandbox.kubeconfigPath);
    try {
      expect((await kubectl.run('top', 'pod', '-n', 'demo')).code).toBe(0);
      fx.sandbox.faults.metricsApi = 'absent';
      const absent = await kubectl.run('top', 'pod', '-n', 'demo');
      expect(absent.code).not.toBe(0);
      expect(absent.stderr).toMatch(/Metrics API not available/);
      fx.sandbox.faults.metricsApi = 'failing';
      const failing = await kubectl.run('top', 'pod', '-n', 'demo');
      expect(failing.code).not.toBe(0);
      expect(failing.stderr).toMatch(/the server is currently unable to handle the request/);
    } finally {
      kubectl.dispose();
    }
  });
});
