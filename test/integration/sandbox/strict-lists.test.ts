import {
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1Pod,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, rawRequest, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * Lists and writes as strict as a real API server, through client-node and plain requests:
 * continue tokens that keep their list's resourceVersion (and expire with compaction),
 * resourceVersionMatch, and resource requests above their limits.
 */

let fx: SandboxFixture;
const NS = 'paging';

const container = (resources: V1Container['resources'] = {}): V1Container => ({
  name: 'web',
  image: 'nginx',
  resources,
});
const pod = (name: string): V1Pod => ({ metadata: { name }, spec: { containers: [container()] } });
const names = (items: { metadata?: { name?: string } }[]) => items.map((i) => i.metadata?.name);

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await rawRequest(fx.sandbox, path, fx.sandbox.tokens.admin);
  return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
}

describe('strict lists and writes against the sandbox', () => {
  beforeAll(async () => {
    fx = await startTestSandbox();
    await fx.core.createNamespace({ body: { metadata: { name: NS } } });
    for (const name of ['p1', 'p2', 'p3', 'p4']) {
      await fx.core.createNamespacedPod({ namespace: NS, body: pod(name) });
    }
  });
  afterAll(async () => {
    await fx?.sandbox.stop();
  });

  it('pages with limit and continue from the first page snapshot', async () => {
    const first = await fx.core.listNamespacedPod({ namespace: NS, limit: 2 });
    expect(names(first.items)).toEqual(['p1', 'p2']);
    const rv = first.metadata?.resourceVersion;
    await fx.core.deleteNamespacedPod({ namespace: NS, name: 'p4', gracePeriodSeconds: 0 });
    await fx.core.createNamespacedPod({ namespace: NS, body: pod('p5') });
    const second = await fx.core.listNamespacedPod({
      namespace: NS,
      limit: 2,
      _continue: first.metadata?._continue,
    });
    expect(names(second.items)).toEqual(['p3', 'p4']);
    expect(second.metadata?.resourceVersion).toBe(rv);
    expect(second.metadata?._continue).toBeUndefined();
    // A new list sees the changes.
    const fresh = await fx.core.listNamespacedPod({ namespace: NS });
    expect(names(fresh.items)).toContain('p5');
  });

  it('answers a continue after compaction with 410 and a token to go on', async () => {
    const first = await fx.core.listNamespacedPod({ namespace: NS, limit: 1 });
    fx.sandbox.faults.expireWatchHistory();
    const token = encodeURIComponent(first.metadata?._continue ?? '');
    const expired = await get(`/api/v1/namespaces/${NS}/pods?limit=1&continue=${token}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({
      reason: 'Expired',
      message: expect.stringContaining(
        'The provided continue parameter is too old to display a consistent list result.',
      ),
    });
    const next = (expired.body['metadata'] as { continue?: string }).continue ?? '';
    expect(next).not.toBe('');
    const rest = await fx.core.listNamespacedPod({ namespace: NS, _continue: next });
    expect(names(rest.items)).not.toContain(first.items[0]?.metadata?.name);
    expect(rest.items.length).toBeGreaterThan(0);
  });

  it('requires a resourceVersion for resourceVersionMatch', async () => {
    const r = await get(`/api/v1/namespaces/${NS}/pods?resourceVersionMatch=NotOlderThan`);
    expect(r.status).toBe(422);
    expect(r.body['message']).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
  });

  it('serves Exact as of its version, and times out on a version not reached yet', async () => {
    const before = await fx.core.listNamespacedPod({ namespace: NS });
    const rv = before.metadata?.resourceVersion ?? '';
    await fx.core.createNamespacedPod({ namespace: NS, body: pod('p6') });
    const exact = await fx.core.listNamespacedPod({
      namespace: NS,
      resourceVersion: rv,
      resourceVersionMatch: 'Exact',
    });
    expect(names(exact.items)).toEqual(names(before.items));
    expect(exact.metadata?.resourceVersion).toBe(rv);
    const ahead = Number(rv) + 1_000_000;
    const tooLarge = await get(`/api/v1/namespaces/${NS}/pods?resourceVersion=${ahead}`);
    expect(tooLarge.status).toBe(504);
    expect(tooLarge.body).toMatchObject({
      reason: 'Timeout',
      message: expect.stringContaining(`Too large resource version: ${ahead}`),
    });
    const any = await get(`/api/v1/namespaces/${NS}/pods?resourceVersion=0`);
    expect(any.status).toBe(200);
  });

  it('refuses a body with a duplicate field under fieldValidation=Strict', async () => {
    const body =
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"twice"},"spec":{"containers":[{"name":"web","image":"nginx","image":"busybox"}]}}';
    const res = await rawRequest(
      fx.sandbox,
      `/api/v1/namespaces/${NS}/pods?fieldValidation=Strict`,
      fx.sandbox.tokens.admin,
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body },
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      message:
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "spec.containers[0].image"',
    });
  });

  describe('a request above its limit is 422 Invalid', () => {
    const greedy = container({ requests: { memory: '2Gi' }, limits: { memory: '1Gi' } });
    const message =
      'resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi';

    it('for a pod on create', async () => {
      const f = await failure(
        fx.core.createNamespacedPod({
          namespace: NS,
          body: { metadata: { name: 'greedy' }, spec: { containers: [greedy] } },
        }),
      );
      expect(f.code).toBe(422);
      expect(f.body.message).toContain(`spec.containers[0].${message}`);
    });

    it('for a deployment on update and on patch', async () => {
      const d = await fx.apps.readNamespacedDeployment({ name: 'forecast-web', namespace: 'demo' });
      const template = d.spec?.template.spec;
      if (!template) throw new Error('forecast-web has no pod template');
      template.containers = [
        { ...(template.containers[0] as V1Container), resources: greedy.resources },
      ];
      const updated = await failure(
        fx.apps.replaceNamespacedDeployment({ name: 'forecast-web', namespace: 'demo', body: d }),
      );
      expect(updated.code).toBe(422);
      expect(updated.body.message).toContain(`spec.template.spec.containers[0].${message}`);
      const patched = await failure(
        fx.apps.patchNamespacedDeployment(
          {
            name: 'forecast-web',
            namespace: 'demo',
            body: [
              {
                op: 'replace',
                path: '/spec/template/spec/containers/0/resources',
                value: greedy.resources,
              },
            ],
          },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        ),
      );
      expect(patched.code).toBe(422);
    });

    it('for a statefulset on create', async () => {
      const body: V1StatefulSet = {
        metadata: { name: 'greedy-db' },
        spec: {
          serviceName: 'greedy-db',
          selector: { matchLabels: { app: 'greedy-db' } },
          template: { metadata: { labels: { app: 'greedy-db' } }, spec: { containers: [greedy] } },
        },
      };
      const f = await failure(fx.apps.createNamespacedStatefulSet({ namespace: NS, body }));
      expect(f.code).toBe(422);
      expect(f.body.message).toContain(`spec.template.spec.containers[0].${message}`);
    });
  });
});
