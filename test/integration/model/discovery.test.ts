import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { AppSchema, type App } from '../../../shared/app-model';
import {
  adminClient,
  appDeployment,
  clusterPods,
  modelPods,
  samePods,
  until,
  useConnectedSandbox,
} from '../../fixtures/services';

const live = useConnectedSandbox();

async function apps(): Promise<App[]> {
  return live.harness.services.handlers['apps.list']({});
}

describe('discovery from the live cluster', () => {
  it('connects to the context over HTTPS and says it is live', async () => {
    const connection = await live.harness.services.handlers['cluster.connection']({});
    expect(connection).toMatchObject({
      state: 'live',
      context: 'sandbox',
      namespace: null,
      source: 'kubeconfig',
      server: live.sandbox.url,
      error: null,
    });
  });

  it('finds every app with its processes in Procfile order and its workspace', async () => {
    const list = await apps();
    for (const app of list) AppSchema.parse(app);
    const sales = list.find((a) => a.id === 'demo/sales-dash');
    expect(sales?.processes.map((p) => p.name)).toEqual(['web', 'worker']);
    expect(sales?.workspace?.name).toBe('workspace');
    expect(sales?.processes[0]?.command).toMatch(/^gunicorn /);
    expect(sales?.processes[0]?.workers?.count).toBeGreaterThan(0);
    // Every pod the cluster has is in the model, once.
    expect(samePods(modelPods(list), await clusterPods(adminClient(live.sandbox).core))).toBe(true);
  });

  it('shows an app created after start-up, from the watch and not from a new list', async () => {
    const before = live.harness.services.session()!.requestStats();
    const { apps: client } = adminClient(live.sandbox);
    await client.createNamespacedDeployment({
      namespace: 'demo',
      body: appDeployment({
        namespace: 'demo',
        app: 'late-arrival',
        component: 'web',
        replicas: 2,
      }),
    });
    const app = await until('the new app with 2 ready replicas', async () => {
      const found = (await apps()).find((a) => a.id === 'demo/late-arrival');
      return found &&
        found.processes[0]?.replicas.ready === 2 &&
        found.processes[0].pods.length === 2
        ? found
        : undefined;
    });
    expect(app.processes[0]?.pods.every((p) => p.ready)).toBe(true);
    const upserts = live.harness.events.filter(
      (e) =>
        e.name === 'apps' &&
        (e.payload as { upserted: App[] }).upserted.some((a) => a.id === 'demo/late-arrival'),
    );
    expect(upserts.length).toBeGreaterThan(0);
    const after = live.harness.services.session()!.requestStats();
    expect(after.lists).toEqual(before.lists);
  });

  it('sends only the apps that changed in an update', async () => {
    const { apps: client } = adminClient(live.sandbox);
    const mark = live.harness.events.length;
    await client.patchNamespacedDeploymentScale(
      { name: 'late-arrival-web', namespace: 'demo', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await until('the model to show 3 desired', async () => {
      const app = (await apps()).find((a) => a.id === 'demo/late-arrival');
      return app?.processes[0]?.replicas.desired === 3;
    });
    const updates = live.harness.events
      .slice(mark)
      .filter((e) => e.name === 'apps')
      .map((e) => e.payload as { reset: boolean; upserted: App[] });
    expect(updates.length).toBeGreaterThan(0);
    for (const update of updates) {
      expect(update.reset).toBe(false);
      // Memory samples may touch other apps; a scale of one app alone is never a full resend.
      expect(update.upserted.length).toBeLessThan((await apps()).length);
    }
  });

  it('makes no list request while nothing breaks: after the first sync only metrics are read', async () => {
    const session = live.harness.services.session()!;
    const before = { ours: session.requestStats(), server: live.sandbox.requestCountsByVerb() };
    await until(
      'three more metrics reads',
      () => session.requestStats().metricsRequests >= before.ours.metricsRequests + 3,
    );
    const after = { ours: session.requestStats(), server: live.sandbox.requestCountsByVerb() };
    expect(after.ours.lists).toEqual(before.ours.lists);
    expect(after.ours.watches).toEqual(before.ours.watches);
    const serverLists = (after.server['list'] ?? 0) - (before.server['list'] ?? 0);
    const metricsReads = after.ours.metricsRequests - before.ours.metricsRequests;
    // Every list the server saw in the meantime was a metrics read (one request for all namespaces).
    expect(serverLists).toBeLessThanOrEqual(metricsReads + 1);
    expect((after.server['watch'] ?? 0) - (before.server['watch'] ?? 0)).toBe(0);
  });

  it('switches to one namespace and shows only its apps', async () => {
    const connection = await live.harness.services.handlers['cluster.connect']({
      context: 'sandbox',
      namespace: 'analytics',
    });
    expect(connection).toMatchObject({ state: 'live', namespace: 'analytics' });
    const list = await apps();
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((a) => a.namespace === 'analytics')).toBe(true);
    const namespaces = await live.harness.services.handlers['cluster.namespaces']({});
    expect(namespaces).toEqual(expect.arrayContaining(['analytics', 'demo']));
    const settings = await live.harness.services.handlers['settings.get']({});
    expect(settings).toMatchObject({ lastContext: 'sandbox', lastNamespace: 'analytics' });
  });
});
