import { Metrics } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { GIB, type App } from '../../../shared/app-model';
import { adminClient, appDeployment, until, useConnectedSandbox } from '../../fixtures/services';

const live = useConnectedSandbox({
  prepare: async (sandbox) => {
    const { apps, core } = adminClient(sandbox);
    // A namespace with no LimitRange: the 8 GiB product default applies.
    await core.createNamespace({ body: { metadata: { name: 'sizing' } } });
    for (const body of [
      appDeployment({ namespace: 'sizing', app: 'domain-example', component: 'web', replicas: 2 }),
      appDeployment({
        namespace: 'sizing',
        app: 'domain-example',
        component: 'workspace',
        replicas: 1,
      }),
      // demo has a LimitRange default of 8Gi: the workspace gets it, the web its own 1Gi.
      appDeployment({
        namespace: 'demo',
        app: 'mixed',
        component: 'web',
        replicas: 3,
        memoryLimit: '1Gi',
      }),
      appDeployment({ namespace: 'demo', app: 'mixed', component: 'workspace', replicas: 1 }),
    ]) {
      await apps.createNamespacedDeployment({ namespace: body.metadata!.namespace!, body });
    }
  },
});

async function app(id: string): Promise<App | undefined> {
  return (await live.harness.services.handlers['apps.list']({})).find((a) => a.id === id);
}

describe('memory maximum and usage', () => {
  it("DOMAIN's example: one web process at 2 replicas and a workspace, 8 GiB each, is 24 GiB", async () => {
    const example = await until('the example app', () => app('sizing/domain-example'));
    expect(example.processes[0]?.memoryLimit).toMatchObject({
      bytes: 8 * GIB,
      source: 'default',
      next: null,
    });
    expect(example.workspace?.memoryLimit).toMatchObject({
      bytes: 8 * GIB,
      source: 'default',
      next: null,
    });
    expect(example.memory.maxBytes).toBe(24 * GIB);
  });

  it('counts the container limit where set and the LimitRange default elsewhere: 3 x 1 GiB + 8 GiB = 11 GiB', async () => {
    const mixed = await until('the mixed app', () => app('demo/mixed'));
    expect(mixed.processes[0]?.memoryLimit).toMatchObject({
      bytes: 1 * GIB,
      source: 'container',
      next: null,
    });
    expect(mixed.workspace?.memoryLimit).toMatchObject({
      bytes: 8 * GIB,
      source: 'limitrange',
      next: null,
    });
    expect(mixed.memory.maxBytes).toBe(11 * GIB);
  });

  it('sums the memory the metrics API reports for the pods of each process and of the app', async () => {
    live.sandbox.scrapeMetrics();
    const metrics = new Metrics(adminClient(live.sandbox).kc);
    const expected = await until('metrics for the sales-dash pods', async () => {
      const list = await metrics.getPodMetrics('demo');
      const byPod = new Map<string, number>();
      for (const item of list.items) {
        // Worked by hand from the raw quantities: the sandbox reports Ki / Mi values.
        let bytes = 0;
        for (const c of item.containers) {
          const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(c.usage.memory);
          if (!match) throw new Error(`unexpected quantity ${c.usage.memory}`);
          const unit =
            { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as 'Ki' | 'Mi' | 'Gi'] ?? 1;
          bytes += Number(match[1]) * unit;
        }
        byPod.set(item.metadata.name, bytes);
      }
      return [...byPod.keys()].some((name) => name.startsWith('sales-dash-')) ? byPod : undefined;
    });
    const sales = await until('the model to have read the same scrape', async () => {
      const found = await app('demo/sales-dash');
      if (!found) return undefined;
      const sum = [...found.processes, found.workspace!]
        .flatMap((p) => p.pods)
        .reduce((s, p) => s + (expected.get(p.name) ?? 0), 0);
      return found.memory.usedBytes === sum ? found : undefined;
    });
    for (const process of [...sales.processes, sales.workspace!]) {
      const byHand = process.pods.reduce((sum, pod) => sum + (expected.get(pod.name) ?? 0), 0);
      expect(process.memoryUsedBytes).toBe(byHand);
      for (const pod of process.pods) expect(pod.memoryBytes).toBe(expected.get(pod.name) ?? null);
    }
    const web = sales.processes[0]!;
    expect(web.memoryPerWorkerBytes).toBeCloseTo(
      web.memoryUsedBytes! / web.pods.length / web.workers!.count!,
    );
  });

  it('keeps a history per process and answers it downsampled', async () => {
    const history = await until('a few samples of sales-dash', async () => {
      const samples = await live.harness.services.handlers['apps.history']({
        namespace: 'demo',
        app: 'sales-dash',
        window: '15m',
        maxPoints: 300,
      });
      return samples.length >= 3 ? samples : undefined;
    });
    const last = history[history.length - 1]!;
    expect(Object.keys(last.memoryByProcess).sort()).toEqual(['web', 'worker', 'workspace']);
    const small = await live.harness.services.handlers['apps.history']({
      namespace: 'demo',
      app: 'sales-dash',
      window: 'all',
      maxPoints: 10,
    });
    expect(small.length).toBeLessThanOrEqual(10);
    await expect(
      live.harness.services.handlers['apps.history']({
        namespace: 'demo',
        app: 'no-such-app',
        window: '1h',
        maxPoints: 10,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
