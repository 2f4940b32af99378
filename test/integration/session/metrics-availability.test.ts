import { afterEach, describe, expect, it } from 'vitest';
import { SettingsSchema, type Sample } from '../../../shared/contract';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import type { Sandbox } from '../../../main/sandbox';
import { ClusterSession } from '../../../main/session/cluster-session';
import { EventBus } from '../../../main/transport/event-bus';
import { connectServices, fastSandbox, until } from '../../fixtures/services';

/**
 * A session against clusters whose metrics API is missing or failing, with the sandbox's own
 * faults over HTTPS and the real client-node: without metrics-server the session says so and
 * asks the metrics API only rarely; while it fails the memory is marked with the time of the
 * last good sample, the history records no memory, the connection stays live, and it recovers
 * by itself.
 */

const NS = 'demo';
const APP = 'demo/sales-dash';
const INTERVAL_MS = 150;

let sandbox: Sandbox | undefined;
let session: ClusterSession | undefined;

afterEach(async () => {
  await session?.stop();
  await sandbox?.stop();
  session = undefined;
  sandbox = undefined;
});

async function connect(prepare: (sandbox: Sandbox) => void = () => {}) {
  sandbox = await fastSandbox();
  prepare(sandbox);
  const paths = [sandbox.kubeconfigPath];
  const bus = new EventBus();
  const samples: Array<Record<string, Sample>> = [];
  bus.on('samples', (batch) => samples.push(batch));
  session = new ClusterSession({
    kubeConfig: kubeConfigForContext(loadKubeconfig(paths), 'sandbox', paths),
    contextName: 'sandbox',
    namespace: NS,
    source: 'kubeconfig',
    kubeconfigPaths: paths,
    bus,
    settings: () => SettingsSchema.parse({}),
    timing: { metricsIntervalMs: INTERVAL_MS },
  });
  await session.start();
  return { session, sandbox, samples };
}

describe('memory where the metrics API is missing or failing', () => {
  it('without metrics-server: says absent, keeps the connection live, and asks only once over many intervals', async () => {
    const { session, samples } = await connect((s) => {
      s.faults.metricsApi = 'absent';
    });
    const connection = await until('the metrics to be absent', () => {
      const now = session.connection();
      return now.metrics.state === 'absent' ? now : undefined;
    });
    expect(connection.state).toBe('live');
    expect(connection.metrics.message).toMatch(/^This cluster has no metrics-server/);
    expect(session.getApp(APP)?.memory.usedBytes).toBeNull();

    // 20 intervals pass (each sends its samples): no metrics request beyond the first.
    const seen = samples.length;
    await until('20 more intervals', () => samples.length >= seen + 20);
    expect(session.requestStats().metricsRequests).toBe(1);
    expect(session.connection().state).toBe('live');
    expect(samples.at(-1)?.[APP]?.memoryByProcess).toEqual({});
  });

  it('failing: says failing with the time of the last good sample, records no memory meanwhile, stays live, and recovers by itself', async () => {
    const { session, sandbox, samples } = await connect();
    sandbox.scrapeMetrics();
    const good = await until('memory of sales-dash', () => {
      const used = session.getApp(APP)?.memory.usedBytes;
      const { metrics } = session.connection();
      return used && metrics.state === 'ok' ? { used, at: metrics.lastSampleAt } : undefined;
    });
    expect(good.at).not.toBeNull();

    sandbox.faults.metricsApi = 'failing';
    const failedAt = new Date().toISOString();
    const failing = await until('the metrics to be failing', () => {
      const now = session.connection();
      return now.metrics.state === 'failing' ? now : undefined;
    });
    expect(failing.state).toBe('live');
    expect(failing.metrics.message).toMatch(/^The metrics API is not answering\. .*HTTP 503/);
    const lastSampleAt = failing.metrics.lastSampleAt!;
    expect(lastSampleAt >= good.at!).toBe(true);
    expect(lastSampleAt <= failedAt).toBe(true);
    // The last figures stay in the model (the UI marks them stale with lastSampleAt) ...
    expect(session.getApp(APP)?.memory.usedBytes).not.toBeNull();
    // ... but no interval meanwhile records them as a new measurement.
    const seen = samples.length;
    const requests = session.requestStats().metricsRequests;
    await until('5 intervals while failing', () => samples.length >= seen + 5);
    for (const batch of samples.slice(seen + 1)) expect(batch[APP]?.memoryByProcess).toEqual({});
    // Failing is asked again at every interval, unlike absent.
    expect(session.requestStats().metricsRequests).toBeGreaterThanOrEqual(requests + 4);
    expect(session.connection().metrics.lastSampleAt).toBe(lastSampleAt);

    sandbox.faults.metricsApi = 'ok';
    const recovered = await until('the metrics to be ok again', () => {
      const now = session.connection();
      return now.metrics.state === 'ok' ? now : undefined;
    });
    expect(recovered.metrics.lastSampleAt! > lastSampleAt).toBe(true);
    expect(recovered.metrics.message).toBeNull();
    await until('a sample with memory again', () =>
      Object.keys(samples.at(-1)?.[APP]?.memoryByProcess ?? {}).length > 0 ? true : undefined,
    );
  });

  it('asks again at once when the admin reconnects, so a metrics-server just installed shows without waiting', async () => {
    sandbox = await fastSandbox();
    sandbox.faults.metricsApi = 'absent';
    const harness = await connectServices(sandbox.kubeconfigPath);
    try {
      const connect = () =>
        harness.services.handlers['cluster.connect']({ context: 'sandbox', namespace: NS });
      await connect();
      const metricsState = async () =>
        (await harness.services.handlers['cluster.connection']({})).metrics.state;
      await until('the metrics to be absent', async () => (await metricsState()) === 'absent');
      sandbox.faults.metricsApi = 'ok';
      await connect();
      await until(
        'the metrics to be ok at once',
        async () => (await metricsState()) === 'ok',
        3_000,
      );
    } finally {
      await harness.stop();
    }
  });
});
