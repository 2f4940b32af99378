import { connect } from 'node:net';
import { Watch, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, failure, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

let fx: SandboxFixture;

beforeAll(async () => {
  fx = await startTestSandbox();
});
afterAll(async () => {
  await fx.sandbox.stop();
});
beforeEach(() => {
  fx.sandbox.faults.reset();
});

describe('fault injection', () => {
  it('answers a set share of requests with 500 and 429, and recovers when reset', async () => {
    fx.sandbox.faults.serverErrorRate = 1;
    const broken = await failure(fx.apps.listNamespacedDeployment({ namespace: 'demo' }));
    expect(broken.code).toBe(500);
    expect(broken.body.reason).toBe('InternalError');

    fx.sandbox.faults.reset();
    fx.sandbox.faults.throttleRate = 1;
    const throttled = await failure(fx.apps.listNamespacedDeployment({ namespace: 'demo' }));
    expect(throttled.code).toBe(429);
    expect(throttled.body.reason).toBe('TooManyRequests');

    fx.sandbox.faults.reset();
    const fine = await fx.apps.listNamespacedDeployment({ namespace: 'demo' });
    expect(fine.items.length).toBeGreaterThan(0);
  });

  it('adds latency and still answers', async () => {
    fx.sandbox.faults.latencyMs = 150;
    const list = await fx.core.listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toContain('demo');
  });

  it('cuts watch streams; an informer resumes from its resourceVersion and sees later changes', async () => {
    const informer = makeInformer(fx.admin, '/api/v1/namespaces/analytics/pods', () =>
      fx.core.listNamespacedPod({ namespace: 'analytics' }),
    );
    const added: string[] = [];
    let connects = 0;
    informer.on('add', (pod: V1Pod) => added.push(pod.metadata?.name ?? ''));
    informer.on('connect', () => connects++);
    await informer.start();
    try {
      const initial = added.length;
      expect(initial).toBeGreaterThan(0);
      const connectsBefore = connects;
      await eventually('a watch to be open and cut', () => fx.sandbox.faults.cutWatches() > 0);
      await eventually('the informer to reconnect', () => connects > connectsBefore);
      await fx.apps.patchNamespacedDeploymentScale({
        name: 'ml-explorer-web',
        namespace: 'analytics',
        body: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
      });
      await eventually(
        'the informer to see the new pod after the cut',
        () => added.length > initial,
      );
    } finally {
      await informer.stop();
    }
  });

  it('restart() cuts streams but keeps every object and version', async () => {
    const before = await fx.apps.readNamespacedDeployment({
      name: 'forecast-web',
      namespace: 'demo',
    });
    let ended = false;
    const watch = new Watch(fx.admin);
    await watch.watch(
      '/apis/apps/v1/namespaces/demo/deployments',
      { resourceVersion: before.metadata?.resourceVersion },
      () => undefined,
      () => (ended = true),
    );
    await fx.sandbox.restart();
    await eventually('the watch to be cut by the restart', () => ended);
    const after = await fx.apps.readNamespacedDeployment({
      name: 'forecast-web',
      namespace: 'demo',
    });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
  });

  it('restart() cuts connections still in their TLS handshake instead of waiting for them', async () => {
    const idle = connect(fx.sandbox.port, '127.0.0.1');
    await new Promise<void>((resolve) => idle.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    await fx.sandbox.restart();
    await closed;
    const list = await fx.core.listNamespace();
    expect(list.items.length).toBeGreaterThan(0);
  });

  it('down() refuses connections for a period, then serves the same state again', async () => {
    const before = await fx.apps.readNamespacedDeployment({
      name: 'kpi-board-web',
      namespace: 'analytics',
    });
    const back = fx.sandbox.faults.down(500);
    const duringDown = await fx.apps
      .readNamespacedDeployment({ name: 'kpi-board-web', namespace: 'analytics' })
      .then(
        () => 'answered',
        (error: unknown) => String(error),
      );
    expect(duringDown).toMatch(/ECONNREFUSED|connect/i);
    await back;
    const after = await fx.apps.readNamespacedDeployment({
      name: 'kpi-board-web',
      namespace: 'analytics',
    });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
  });

  it('counts the requests it serves, by verb', async () => {
    const before = fx.sandbox.requestCount();
    const listsBefore = fx.sandbox.requestCountsByVerb()['list'] ?? 0;
    await fx.core.listNamespacedPod({ namespace: 'demo' });
    await fx.core.listNamespacedPod({ namespace: 'demo' });
    expect(fx.sandbox.requestCount()).toBe(before + 2);
    expect(fx.sandbox.requestCountsByVerb()['list']).toBe(listsBefore + 2);
  });
});
