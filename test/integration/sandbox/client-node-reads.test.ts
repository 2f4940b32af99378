import { Watch, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { merge, useTestSandbox } from '../../fixtures/client-node-sandbox';
import { eventually } from '../../fixtures/sandbox';

/** Lists and watches of the sandbox API, through @kubernetes/client-node as main uses it. */

const fx = useTestSandbox({ bookmarkIntervalMs: 200 });

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
