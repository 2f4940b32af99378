import {
  AuthorizationV1Api,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  failure,
  rawRequest,
  startTestSandbox,
  type SandboxFixture,
} from '../../fixtures/sandbox';

let fx: SandboxFixture;

beforeAll(async () => {
  fx = await startTestSandbox({ bookmarkIntervalMs: 200 });
});
afterAll(async () => {
  await fx.sandbox.stop();
});

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

async function readyDeployment(name: string, namespace = 'demo'): Promise<V1Deployment> {
  return eventually(`deployment ${name} to finish rolling out`, async () => {
    const d = await fx.apps.readNamespacedDeployment({ name, namespace });
    const want = d.spec?.replicas ?? 1;
    const s = d.status ?? {};
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    return (d.metadata?.generation ?? 0) <= (s.observedGeneration ?? 0) &&
      (s.updatedReplicas ?? 0) === want &&
      (s.replicas ?? 0) === want &&
      (s.availableReplicas ?? 0) === want &&
      progressing?.reason === 'NewReplicaSetAvailable'
      ? d
      : undefined;
  });
}

describe('sandbox API with @kubernetes/client-node', () => {
  it('lists the seeded deployments across namespaces, and filters by label selector', async () => {
    const all = await fx.apps.listDeploymentForAllNamespaces();
    const names = all.items.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`);
    expect(names).toContain('demo/sales-dash-web');
    expect(names).toContain('demo/churn-report-web');
    expect(names).toContain('analytics/kpi-board-web');
    expect(all.metadata?.resourceVersion).toMatch(/^\d+$/);

    const web = await fx.apps.listNamespacedDeployment({
      namespace: 'demo',
      labelSelector:
        'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component in (web,worker)',
    });
    expect(web.items.map((d) => d.metadata?.name).sort()).toEqual([
      'sales-dash-web',
      'sales-dash-worker',
    ]);
    const notWorkspace = await fx.apps.listNamespacedDeployment({
      namespace: 'demo',
      labelSelector: 'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component!=workspace',
    });
    expect(notWorkspace.items).toHaveLength(2);
  });

  it('lists pods by field selector on their node, as kubectl does for a node', async () => {
    const all = await fx.core.listPodForAllNamespaces();
    const node = all.items[0]?.spec?.nodeName ?? '';
    const onNode = await fx.core.listPodForAllNamespaces({
      fieldSelector: `spec.nodeName=${node}`,
    });
    expect(onNode.items.length).toBeGreaterThan(0);
    expect(onNode.items.length).toBeLessThan(all.items.length);
    expect(onNode.items.every((p) => p.spec?.nodeName === node)).toBe(true);
  });

  it('pages a list with limit and continue', async () => {
    const first = await fx.core.listPodForAllNamespaces({ limit: 5 });
    expect(first.items).toHaveLength(5);
    expect(first.metadata?._continue).toBeTruthy();
    const second = await fx.core.listPodForAllNamespaces({
      limit: 5,
      _continue: first.metadata?._continue,
    });
    const firstNames = new Set(first.items.map((p) => p.metadata?.name));
    expect(second.items.some((p) => firstNames.has(p.metadata?.name))).toBe(false);
  });

  it('scales through the scale subresource, and pods follow', async () => {
    const scale = await fx.apps.patchNamespacedDeploymentScale(
      { name: 'inventory-web', namespace: 'demo', body: { spec: { replicas: 3 } } },
      merge,
    );
    expect(scale.spec?.replicas).toBe(3);
    expect(scale.status?.selector).toContain('app.kubernetes.io/part-of=inventory');
    const d = await readyDeployment('inventory-web');
    expect(d.status?.readyReplicas).toBe(3);
    const pods = await fx.core.listNamespacedPod({
      namespace: 'demo',
      labelSelector: 'app.kubernetes.io/part-of=inventory,app.kubernetes.io/component=web',
    });
    const live = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
    expect(live).toHaveLength(3);
    // Pods are named like real ones: <deployment>-<template hash>-<5 chars>, owned by a ReplicaSet.
    for (const p of live) {
      expect(p.metadata?.name).toMatch(/^inventory-web-[a-z0-9]{6,10}-[a-z0-9]{5}$/);
      expect(p.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
    }
    expect(new Set(live.map((p) => p.spec?.nodeName)).size).toBe(3);

    await fx.apps.replaceNamespacedDeploymentScale({
      name: 'inventory-web',
      namespace: 'demo',
      body: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'inventory-web', namespace: 'demo' },
        spec: { replicas: 1 },
      },
    });
    await eventually('inventory-web to shrink to one pod', async () => {
      const list = await fx.core.listNamespacedPod({
        namespace: 'demo',
        labelSelector: 'app.kubernetes.io/part-of=inventory,app.kubernetes.io/component=web',
      });
      return list.items.length === 1;
    });
  });

  it('rolls pods over when the restartedAt template annotation is patched, as kubectl rollout restart does', async () => {
    const before = await fx.core.listNamespacedPod({
      namespace: 'demo',
      labelSelector: 'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
    });
    const oldNames = new Set(before.items.map((p) => p.metadata?.name));
    const original = await fx.apps.readNamespacedDeployment({
      name: 'sales-dash-web',
      namespace: 'demo',
    });
    const restartedAt = new Date().toISOString();
    const patched = await fx.apps.patchNamespacedDeployment(
      {
        name: 'sales-dash-web',
        namespace: 'demo',
        body: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } },
            },
          },
        },
      },
      strategic,
    );
    expect(patched.metadata?.generation).toBe((original.metadata?.generation ?? 0) + 1);
    // The strategic merge kept the containers and the labels.
    expect(patched.spec?.template.spec?.containers[0]?.args).toEqual(
      original.spec?.template.spec?.containers[0]?.args,
    );
    expect(patched.spec?.template.metadata?.labels).toEqual(
      original.spec?.template.metadata?.labels,
    );

    const done = await readyDeployment('sales-dash-web');
    expect(done.status?.observedGeneration).toBe(patched.metadata?.generation);
    const after = await eventually('old pods to terminate', async () => {
      const list = await fx.core.listNamespacedPod({
        namespace: 'demo',
        labelSelector: 'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
      });
      return list.items.length === 2 ? list.items : undefined;
    });
    for (const pod of after) {
      expect(oldNames.has(pod.metadata?.name)).toBe(false);
      expect(pod.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe(restartedAt);
    }
    const sets = await fx.apps.listNamespacedReplicaSet({
      namespace: 'demo',
      labelSelector: 'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
    });
    expect(sets.items.length).toBe(2);
    expect(sets.items.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2]);
  });

  it('merges containers by name in a strategic merge patch and replaces lists in a merge patch', async () => {
    await fx.apps.patchNamespacedDeployment(
      {
        name: 'kpi-board-worker',
        namespace: 'analytics',
        body: {
          spec: {
            template: {
              spec: {
                containers: [{ name: 'worker', env: [{ name: 'LOG_LEVEL', value: 'debug' }] }],
              },
            },
          },
        },
      },
      strategic,
    );
    const d = await fx.apps.readNamespacedDeployment({
      name: 'kpi-board-worker',
      namespace: 'analytics',
    });
    const c = d.spec?.template.spec?.containers[0];
    expect(c?.image).toContain('kpi-board');
    expect(c?.command?.[0]).toBe('celery');
    expect(c?.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);

    const jsonPatched = await fx.apps.patchNamespacedDeployment({
      name: 'kpi-board-worker',
      namespace: 'analytics',
      body: [
        { op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: 'info' },
      ],
    });
    expect(jsonPatched.spec?.template.spec?.containers[0]?.env?.[0]?.value).toBe('info');
  });

  it('rejects an update carrying a stale resourceVersion with 409 Conflict', async () => {
    const stale = await fx.apps.readNamespacedDeployment({
      name: 'kpi-board-web',
      namespace: 'analytics',
    });
    const fresh = structuredClone(stale);
    fresh.metadata!.labels = { ...fresh.metadata!.labels, team: 'bi' };
    await fx.apps.replaceNamespacedDeployment({
      name: 'kpi-board-web',
      namespace: 'analytics',
      body: fresh,
    });
    stale.spec!.replicas = 4;
    const err = await failure(
      fx.apps.replaceNamespacedDeployment({
        name: 'kpi-board-web',
        namespace: 'analytics',
        body: stale,
      }),
    );
    expect(err.code).toBe(409);
    expect(err.body.reason).toBe('Conflict');
    expect(err.body.message).toContain('the object has been modified');
    const staleMerge = await failure(
      fx.apps.patchNamespacedDeploymentScale(
        {
          name: 'kpi-board-web',
          namespace: 'analytics',
          body: {
            metadata: { resourceVersion: stale.metadata?.resourceVersion },
            spec: { replicas: 4 },
          },
        },
        merge,
      ),
    );
    expect(staleMerge.code).toBe(409);
    const now = await fx.apps.readNamespacedDeployment({
      name: 'kpi-board-web',
      namespace: 'analytics',
    });
    expect(now.spec?.replicas).toBe(1);
  });

  it('answers creating an existing object with 409 AlreadyExists and a missing one with 404 NotFound', async () => {
    const existing = await fx.apps.readNamespacedDeployment({
      name: 'kpi-board-web',
      namespace: 'analytics',
    });
    const again = await failure(
      fx.apps.createNamespacedDeployment({
        namespace: 'analytics',
        body: { metadata: { name: 'kpi-board-web' }, spec: existing.spec! },
      }),
    );
    expect(again.code).toBe(409);
    expect(again.body.reason).toBe('AlreadyExists');
    const missing = await failure(
      fx.apps.readNamespacedDeployment({ name: 'no-such-app', namespace: 'demo' }),
    );
    expect(missing.code).toBe(404);
    expect(missing.body.reason).toBe('NotFound');
    expect(missing.body.message).toBe('deployments.apps "no-such-app" not found');
  });

  it('refuses negative replicas and a malformed memory quantity with 422 Invalid, changing nothing', async () => {
    const before = await fx.apps.readNamespacedDeployment({
      name: 'forecast-web',
      namespace: 'demo',
    });
    const negative = await failure(
      fx.apps.patchNamespacedDeploymentScale(
        { name: 'forecast-web', namespace: 'demo', body: { spec: { replicas: -1 } } },
        merge,
      ),
    );
    expect(negative.code).toBe(422);
    expect(negative.body.reason).toBe('Invalid');
    expect(negative.body.message).toContain('spec.replicas');
    expect(negative.body.message).toContain('must be greater than or equal to 0');

    const badQuantity = await failure(
      fx.apps.patchNamespacedDeployment(
        {
          name: 'forecast-web',
          namespace: 'demo',
          body: {
            spec: {
              template: {
                spec: {
                  containers: [{ name: 'web', resources: { limits: { memory: '8 gigs' } } }],
                },
              },
            },
          },
        },
        strategic,
      ),
    );
    expect(badQuantity.code).toBe(422);
    expect(badQuantity.body.details?.causes?.[0]?.field).toBe(
      'spec.template.spec.containers[0].resources.limits[memory]',
    );
    const after = await fx.apps.readNamespacedDeployment({
      name: 'forecast-web',
      namespace: 'demo',
    });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('checks but does not write a dryRun=All request', async () => {
    const before = await fx.apps.readNamespacedDeployment({
      name: 'ml-explorer-workspace',
      namespace: 'analytics',
    });
    const preview = await fx.apps.patchNamespacedDeploymentScale(
      {
        name: 'ml-explorer-workspace',
        namespace: 'analytics',
        body: { spec: { replicas: 0 } },
        dryRun: 'All',
      },
      merge,
    );
    expect(preview.spec?.replicas).toBe(0);
    const created = await fx.apps.createNamespacedDeployment({
      namespace: 'analytics',
      dryRun: 'All',
      body: { metadata: { name: 'preview-only' }, spec: before.spec! },
    });
    expect(created.metadata?.name).toBe('preview-only');
    const after = await fx.apps.readNamespacedDeployment({
      name: 'ml-explorer-workspace',
      namespace: 'analytics',
    });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(
      (
        await failure(
          fx.apps.readNamespacedDeployment({ name: 'preview-only', namespace: 'analytics' }),
        )
      ).code,
    ).toBe(404);
    const invalid = await failure(
      fx.apps.patchNamespacedDeploymentScale(
        {
          name: 'ml-explorer-workspace',
          namespace: 'analytics',
          body: { spec: { replicas: -3 } },
          dryRun: 'All',
        },
        merge,
      ),
    );
    expect(invalid.code).toBe(422);
  });

  it('lets the viewer read but not write, with a Kubernetes 403 Status', async () => {
    const list = await fx.viewerApps.listNamespacedDeployment({ namespace: 'demo' });
    expect(list.items.length).toBeGreaterThan(0);
    const err = await failure(
      fx.viewerApps.patchNamespacedDeploymentScale(
        { name: 'forecast-web', namespace: 'demo', body: { spec: { replicas: 3 } } },
        merge,
      ),
    );
    expect(err.code).toBe(403);
    expect(err.body.reason).toBe('Forbidden');
    expect(err.body.message).toBe(
      'deployments.apps "forecast-web" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "demo"',
    );
  });

  it('answers SelfSubjectAccessReviews truthfully for both users', async () => {
    const attributes = {
      namespace: 'demo',
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
    };
    const ask = async (api: AuthorizationV1Api, attrs: typeof attributes) =>
      (await api.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attrs } } }))
        .status?.allowed;
    const adminAuth = fx.admin.makeApiClient(AuthorizationV1Api);
    const viewerAuth = fx.viewer.makeApiClient(AuthorizationV1Api);
    expect(await ask(adminAuth, attributes)).toBe(true);
    expect(await ask(viewerAuth, attributes)).toBe(false);
    expect(await ask(viewerAuth, { ...attributes, verb: 'get', subresource: '' })).toBe(true);
  });

  it('refuses a request without a valid token with 401', async () => {
    const wrong = await rawRequest(fx.sandbox, '/api/v1/namespaces', 'not-a-token');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({
      kind: 'Status',
      code: 401,
      reason: 'Unauthorized',
    });
    const none = await rawRequest(fx.sandbox, '/apis/apps/v1/deployments');
    expect(none.status).toBe(401);
  });
});

describe('watch with @kubernetes/client-node', () => {
  it('streams pod events, and resumes from a resourceVersion with the changes made meanwhile', async () => {
    const list = await fx.core.listNamespacedPod({ namespace: 'analytics' });
    const from = list.metadata?.resourceVersion ?? '';
    // A change made before the watch starts must be replayed from `from`.
    await fx.apps.patchNamespacedDeploymentScale(
      { name: 'ml-explorer-web', namespace: 'analytics', body: { spec: { replicas: 2 } } },
      merge,
    );
    const seen: { type: string; name: string; ready: boolean }[] = [];
    const watch = new Watch(fx.admin);
    const req = await watch.watch(
      '/api/v1/namespaces/analytics/pods',
      { resourceVersion: from, labelSelector: 'app.kubernetes.io/part-of=ml-explorer' },
      (type, obj: V1Pod) => {
        seen.push({
          type,
          name: obj.metadata?.name ?? '',
          ready:
            obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        });
      },
      () => undefined,
    );
    try {
      await eventually('the new pod to be added and become ready on the watch', () => {
        const added = seen.find((e) => e.type === 'ADDED');
        return added && seen.some((e) => e.name === added.name && e.type === 'MODIFIED' && e.ready);
      });
    } finally {
      req.abort();
    }
  });

  it('sends an ERROR event with a 410 Expired Status for a resourceVersion older than the history', async () => {
    const list = await fx.core.listNamespacedPod({ namespace: 'demo' });
    fx.sandbox.faults.expireWatchHistory();
    const events: { type: string; obj: { code?: number; reason?: string } }[] = [];
    let ended = false;
    const watch = new Watch(fx.admin);
    await watch.watch(
      '/api/v1/namespaces/demo/pods',
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj) => events.push({ type, obj }),
      () => (ended = true),
    );
    await eventually('the watch to end', () => ended);
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('ERROR');
    expect(events[0]?.obj.code).toBe(410);
    expect(events[0]?.obj.reason).toBe('Expired');
  });

  it('ends a watch after timeoutSeconds and sends bookmarks when asked', async () => {
    const types: string[] = [];
    let ended = false;
    const list = await fx.core.listNamespace();
    const watch = new Watch(fx.admin);
    await watch.watch(
      '/api/v1/namespaces',
      {
        resourceVersion: list.metadata?.resourceVersion,
        timeoutSeconds: 1,
        allowWatchBookmarks: true,
      },
      (type) => types.push(type),
      () => (ended = true),
    );
    await eventually('the server to end the watch after its timeout', () => ended, 5000);
    expect(types).toContain('BOOKMARK');
  });
});
