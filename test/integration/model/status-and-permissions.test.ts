import { describe, expect, it } from 'vitest';
import type { App } from '../../../shared/app-model';
import type { Sample } from '../../../shared/contract';
import { connectServices, until, useConnectedSandbox } from '../../fixtures/services';

const live = useConnectedSandbox({
  // Memory is checked often here, so a container past its limit is killed again soon after each restart.
  sandbox: { metricsIntervalMs: 300 },
  namespace: 'demo',
});

async function app(id: string): Promise<App | undefined> {
  return (await live.harness.services.handlers['apps.list']({})).find((a) => a.id === id);
}

describe('app status', () => {
  it('reports an app whose containers are OOMKilled in a loop as stopped by its memory limit', async () => {
    const seeded = await until('churn-report', () => app('demo/churn-report'));
    expect(seeded.status.kind).toBe('oom-stopped');
    expect(seeded.status.message).toMatch(/memory limit/);
    const web = seeded.processes.find((p) => p.name === 'web')!;
    expect(web.pods.some((p) => p.lastTermination?.reason === 'OOMKilled')).toBe(true);
  });

  it('sees a running app become stopped by its memory limit', async () => {
    expect((await app('demo/pricing-api'))?.status.kind).toBe('running');
    live.sandbox.triggerOom('demo', 'pricing-api');
    const stopped = await until('pricing-api to be oom-stopped', async () => {
      const found = await app('demo/pricing-api');
      return found?.status.kind === 'oom-stopped' ? found : undefined;
    });
    const web = stopped.processes[0]!;
    expect(web.memoryLimit.source).toBe('container');
    expect(web.pods.every((p) => !p.ready)).toBe(true);
    expect(web.pods.some((p) => p.restarts > 0)).toBe(true);
  });

  it('knows the pod room: the namespace pod quota and the free node slots', async () => {
    const sales = await until('sales-dash', () => app('demo/sales-dash'));
    expect(sales.podRoom.quotaHard).toBe(40);
    expect(sales.podRoom.quotaUsed).toBeGreaterThan(0);
    // A one-namespace view reads the other namespaces' pods once the app is on screen.
    await live.harness.services.handlers['apps.history']({
      namespace: 'demo',
      app: 'sales-dash',
      window: '15m',
      maxPoints: 10,
    });
    const nodesFree = await until('the free node slots', () => {
      const free = live.harness.services.session()?.getApp('demo/sales-dash')?.podRoom.nodesFree;
      return typeof free === 'number' ? free : undefined;
    });
    expect(nodesFree).toBeGreaterThan(0);
  });
});

describe('the app endpoint', () => {
  it('probes the web Service through the API server proxy on demand', async () => {
    const session = live.harness.services.session()!;
    await session.probeEndpoint('demo/sales-dash');
    const endpoint = session.getApp('demo/sales-dash')?.endpoint;
    expect(endpoint).toMatchObject({ state: 'answering', errorRate: 0 });
    expect(endpoint?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports an app with no ready pod as not answering', async () => {
    const session = live.harness.services.session()!;
    await session.probeEndpoint('demo/churn-report');
    const endpoint = session.getApp('demo/churn-report')?.endpoint;
    expect(endpoint?.state).toBe('not-answering');
    expect(endpoint?.errorRate).toBe(1);
    expect(endpoint?.message).toMatch(/HTTP 5\d\d/);
  });

  it('keeps probing an app that is looked at, beside its memory, in the samples', async () => {
    await live.harness.services.handlers['apps.history']({
      namespace: 'demo',
      app: 'forecast',
      window: '15m',
      maxPoints: 100,
    });
    const sample = await until('a sample of forecast with a latency', () => {
      for (let i = live.harness.events.length - 1; i >= 0; i--) {
        const event = live.harness.events[i]!;
        if (event.name !== 'samples') continue;
        const forecast = (event.payload as Record<string, Sample>)['demo/forecast'];
        if (forecast?.latencyMs !== null && forecast?.latencyMs !== undefined) return forecast;
      }
      return undefined;
    });
    expect(sample.errorRate).not.toBeNull();
    expect(Object.keys(sample.memoryByProcess)).toContain('web');
  });
});

describe('permissions', () => {
  it('gives a viewer no scale or patch, saying which verb on which resource in which namespace', async () => {
    const viewer = await connectServices(live.sandbox.kubeconfigPath, {
      context: 'sandbox-viewer',
    });
    try {
      const connection = await viewer.services.ready;
      expect(connection).toMatchObject({ state: 'live', context: 'sandbox-viewer' });
      // Asked for the app on screen (its history asked for), not for every app there is.
      const look = { namespace: 'demo', app: 'sales-dash', window: '15m', maxPoints: 10 } as const;
      const sales = await until('the viewer to know its permissions', async () => {
        await viewer.services.handlers['apps.history'](look);
        const found = (await viewer.services.handlers['apps.list']({})).find(
          (a) => a.id === 'demo/sales-dash',
        );
        return found?.permissions.scale.state === 'denied' &&
          found.permissions.patch.state === 'denied'
          ? found
          : undefined;
      });
      expect(sales.permissions.scale.reason).toMatch(
        /^You may not patch deployments\/scale in namespace "demo"/,
      );
      expect(sales.permissions.patch.reason).toMatch(
        /^You may not patch deployments in namespace "demo"/,
      );
    } finally {
      await viewer.stop();
    }
  });

  it('gives the admin both', async () => {
    const look = { namespace: 'demo', app: 'sales-dash', window: '15m', maxPoints: 10 } as const;
    const sales = await until('the admin to know its permissions', async () => {
      await live.harness.services.handlers['apps.history'](look);
      const found = await app('demo/sales-dash');
      return found?.permissions.scale.state === 'allowed' &&
        found.permissions.patch.state === 'allowed'
        ? found
        : undefined;
    });
    expect(sales.permissions.scale.reason).toBeNull();
  });
});
