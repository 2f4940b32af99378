import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sandbox } from '../../../main/sandbox';
import { connectServices, FAST_LIVE, fastSandbox, until, type Harness } from './support';

let sandbox: Sandbox;
let harness: Harness;

beforeAll(async () => {
  sandbox = await fastSandbox();
  // A metrics interval far longer than the test: any probe seen here was not the periodic one.
  harness = await connectServices(sandbox.kubeconfigPath, {
    live: { timing: { ...FAST_LIVE.timing, metricsIntervalMs: 10 * 60_000 } },
  });
  await harness.services.handlers['cluster.connect']({ context: 'sandbox', namespace: 'demo' });
});

afterAll(async () => {
  await harness?.stop();
  await sandbox?.stop();
});

it('probes an app as soon as it is opened, not a metrics interval later', async () => {
  const session = harness.services.session()!;
  await until('inventory', () => session.getApp('demo/inventory'));
  expect(session.getApp('demo/inventory')?.endpoint).toBeNull();

  await harness.services.handlers['apps.history']({
    namespace: 'demo',
    app: 'inventory',
    window: '15m',
    maxPoints: 100,
  });

  const endpoint = await until(
    'inventory to be probed',
    () => session.getApp('demo/inventory')?.endpoint ?? undefined,
    10_000,
  );
  expect(endpoint.answering).toBe(true);
  // Apps nobody opened stay unprobed: the idle request budget holds.
  expect(session.getApp('demo/forecast')?.endpoint).toBeNull();
});
