import { describe, expect, it } from 'vitest';
import { useTestSandbox } from '../../fixtures/client-node-sandbox';
import { rawRequest } from '../../fixtures/sandbox';

/**
 * The sandbox's `view` user (context `sandbox-view`) has the rights of the real `view`
 * ClusterRole: reads of what an app is made of, its logs and metrics; not secrets, not the
 * service proxy, not exec, not nodes, no write. Its access reviews say the same as its requests.
 */

const fx = useTestSandbox();

function asView(path: string, init: { method?: string; body?: string } = {}) {
  return rawRequest(fx.sandbox, path, fx.sandbox.tokens.view, {
    ...init,
    headers: init.body ? { 'Content-Type': 'application/merge-patch+json' } : {},
  });
}

async function canI(attrs: Record<string, string>): Promise<boolean> {
  const answer = await rawRequest(
    fx.sandbox,
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    fx.sandbox.tokens.view,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: attrs },
      }),
    },
  );
  expect(answer.status).toBe(201);
  return (JSON.parse(answer.body) as { status: { allowed: boolean } }).status.allowed;
}

describe('the view user', () => {
  it('reads what an app is made of, its logs and its metrics, in any namespace', async () => {
    for (const path of [
      '/api/v1/namespaces',
      '/api/v1/pods',
      '/api/v1/namespaces/demo/services',
      '/api/v1/namespaces/demo/events',
      '/api/v1/namespaces/demo/limitranges',
      '/api/v1/namespaces/demo/resourcequotas',
      '/apis/apps/v1/namespaces/demo/deployments',
      '/apis/apps/v1/namespaces/demo/statefulsets',
      '/apis/apps/v1/namespaces/demo/replicasets',
      '/apis/autoscaling/v2/namespaces/demo/horizontalpodautoscalers',
      '/apis/metrics.k8s.io/v1beta1/namespaces/demo/pods',
      '/apis/metrics.k8s.io/v1beta1/nodes',
    ]) {
      expect([path, (await asView(path)).status]).toEqual([path, 200]);
    }
  });

  it('may not read secrets or nodes, use the service proxy, or change anything', async () => {
    const refused = [
      await asView('/api/v1/namespaces/demo/secrets'),
      await asView('/api/v1/nodes'),
      await asView('/api/v1/namespaces/demo/services/sales-dash:8050/proxy/'),
      await asView('/apis/apps/v1/namespaces/demo/deployments/sales-dash-web/scale', {
        method: 'PATCH',
        body: JSON.stringify({ spec: { replicas: 1 } }),
      }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(JSON.parse(refused[2]!.body)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message: expect.stringContaining('cannot get resource "services/proxy"'),
    });
  });

  it('is told the same by its access reviews', async () => {
    const ns = { namespace: 'demo' };
    expect(await canI({ ...ns, verb: 'list', resource: 'pods' })).toBe(true);
    expect(await canI({ ...ns, verb: 'get', resource: 'pods', subresource: 'log' })).toBe(true);
    expect(await canI({ ...ns, verb: 'get', resource: 'secrets' })).toBe(false);
    expect(await canI({ ...ns, verb: 'get', resource: 'services', subresource: 'proxy' })).toBe(
      false,
    );
    expect(await canI({ ...ns, verb: 'create', resource: 'pods', subresource: 'exec' })).toBe(
      false,
    );
    for (const resource of ['deployments', 'statefulsets']) {
      const apps = { ...ns, verb: 'patch', group: 'apps', resource };
      expect(await canI(apps)).toBe(false);
      expect(await canI({ ...apps, subresource: 'scale' })).toBe(false);
    }
  });
});
