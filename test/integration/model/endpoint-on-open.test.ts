import { expect, it } from 'vitest';
import { FAST_LIVE, until, useConnectedSandbox } from '../../fixtures/services';

const live = useConnectedSandbox({
  // A metrics interval far longer than the test: any probe seen here was not the periodic one.
  services: { live: { timing: { ...FAST_LIVE.timing, metricsIntervalMs: 10 * 60_000 } } },
  namespace: 'demo',
});

it('probes an app as soon as it is opened, not a metrics interval later', async () => {
  const session = live.harness.services.session()!;
  await until('inventory', () => session.getApp('demo/inventory'));
  expect(session.getApp('demo/inventory')?.endpoint).toBeNull();

  await live.harness.services.handlers['apps.history']({
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
  expect(endpoint.state).toBe('answering');
  // Apps nobody opened stay unprobed: the idle request budget holds.
  expect(session.getApp('demo/forecast')?.endpoint).toBeNull();
});

it('answers NOT_FOUND for the history of an app that does not exist, and probes nothing', async () => {
  const { handlers } = live.harness.services;
  const session = live.harness.services.session()!;
  // A saved URL for a name with no app: the old path would have probed it on every interval.
  await handlers['settings.set']({ appUrls: { 'demo/ghost': 'http://127.0.0.1:9/' } });
  const probesBefore = session.requestStats().probes;

  await expect(
    handlers['apps.history']({ namespace: 'demo', app: 'ghost', window: '15m', maxPoints: 100 }),
  ).rejects.toMatchObject({ code: 'NOT_FOUND' });

  // An app that exists, opened after the ghost: once its probe has answered, a probe the ghost's
  // call had set off would have been counted too. Only this one may have been made.
  await handlers['apps.history']({
    namespace: 'demo',
    app: 'forecast',
    window: '15m',
    maxPoints: 100,
  });
  await until(
    'forecast to be probed',
    () => session.getApp('demo/forecast')?.endpoint ?? undefined,
    10_000,
  );
  expect(session.requestStats().probes).toBe(probesBefore + 1);
});
