import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../shared/contract';
import {
  adminClient,
  clusterPods,
  connectServices,
  modelPods,
  samePods,
  until,
  useConnectedSandbox,
} from '../../fixtures/services';

const live = useConnectedSandbox();

async function scale(name: string, replicas: number): Promise<void> {
  await adminClient(live.sandbox).apps.patchNamespacedDeploymentScale(
    { name, namespace: 'demo', body: { spec: { replicas } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** The model and a fresh list by a second client hold the same pods, each once. */
async function modelMatchesCluster(): Promise<boolean> {
  const apps = await live.harness.services.handlers['apps.list']({});
  const model = modelPods(apps);
  for (const names of model.values()) if (new Set(names).size !== names.length) return false;
  return samePods(model, await clusterPods(adminClient(live.sandbox).core));
}

/** Every watch of the session has its stream open (so a cut has something to cut). */
async function streamsOpen(): Promise<void> {
  const session = live.harness.services.session()!;
  const expected = Object.keys(session.requestStats().watches).length;
  await until('every watch stream open', () => session.requestStats().streams === expected);
}

async function desired(id: string, process: string): Promise<number | undefined> {
  const app = (await live.harness.services.handlers['apps.list']({})).find((a) => a.id === id);
  return app?.processes.find((p) => p.name === process)?.replicas.desired;
}

describe('the model stays right when the cluster misbehaves', () => {
  it('resumes cut watch streams from where they were, with no duplicate or lost pod', async () => {
    const session = live.harness.services.session()!;
    await streamsOpen();
    const listsBefore = session.requestStats().lists;
    expect(live.sandbox.faults.cutWatches()).toBeGreaterThan(0);
    await scale('support-portal-web', 5);
    await until(
      '5 replicas after the cut',
      async () => (await desired('demo/support-portal', 'web')) === 5,
    );
    await until('the pods of the model to match the cluster', modelMatchesCluster);
    // Resumed, not relisted: the watch history was still there.
    expect(session.requestStats().lists).toEqual(listsBefore);
  });

  it('relists after 410 Gone when the watch history was compacted, and still matches', async () => {
    const session = live.harness.services.session()!;
    await streamsOpen();
    live.sandbox.faults.expireWatchHistory();
    expect(live.sandbox.faults.cutWatches()).toBeGreaterThan(0);
    await scale('support-portal-web', 2);
    await until(
      '2 replicas after the relist',
      async () => (await desired('demo/support-portal', 'web')) === 2,
    );
    await until('the pods of the model to match the cluster', modelMatchesCluster);
    const stats = session.requestStats();
    expect(Object.values(stats.gone).some((n) => n > 0)).toBe(true);
  });

  it('survives a restart of the API server', async () => {
    // Restarted with every stream open: the sandbox's restart waits for connections still in
    // their TLS handshake when it closes, and a watch started on one would hold it open.
    await streamsOpen();
    await live.sandbox.restart();
    await scale('support-portal-web', 4);
    await until(
      '4 replicas after the restart',
      async () => (await desired('demo/support-portal', 'web')) === 4,
    );
    await until('the pods of the model to match the cluster', modelMatchesCluster);
    expect((await live.harness.services.handlers['cluster.connection']({})).state).toBe('live');
  });

  it('says the model is stale, naming UNREACHABLE, while the cluster is down, and live again after', async () => {
    const states: Connection[] = [];
    const off = live.harness.bus.on('connection', (c) => states.push(c));
    await streamsOpen();
    const down = live.sandbox.faults.down(3_000);
    await until('a stale connection', () => states.some((c) => c.state === 'stale'));
    const stale = states.find((c) => c.state === 'stale')!;
    expect(stale.error?.code).toBe('UNREACHABLE');
    expect(stale.syncedAt).not.toBeNull();
    await down;
    await until(
      'live again',
      async () => (await live.harness.services.handlers['cluster.connection']({})).state === 'live',
    );
    await until('the pods of the model to match the cluster', modelMatchesCluster);
    off();
  });
});

describe('a cluster that throttles', () => {
  it('says so in its own words (THROTTLED, not unreachable) while it answers 429, and is live again after', async () => {
    const states: Connection[] = [];
    const off = live.harness.bus.on('connection', (c) => states.push(c));
    await streamsOpen();
    await until(
      'live',
      async () => (await live.harness.services.handlers['cluster.connection']({})).state === 'live',
    );
    live.sandbox.faults.throttleRate = 1;
    try {
      // The metrics read is refused first: the sandbox says Retry-After: 1.
      const metrics = await until('a throttled connection', () =>
        states.find((c) => c.error?.code === 'THROTTLED'),
      );
      expect(metrics.state).toBe('stale');
      expect(metrics.error?.message).toBe(
        'The cluster is throttling requests (429 Too Many Requests); retrying after 1 s.',
      );
      // Watches started again meanwhile are refused too: still throttling, not unreachable.
      // (client-node's Watch keeps no header of a refusal, so the wait is not known there.)
      const mark = states.length;
      expect(live.sandbox.faults.cutWatches()).toBeGreaterThan(0);
      const watches = await until('a watch refused with 429', () =>
        states.slice(mark).find((c) => c.error?.message.endsWith('retrying shortly.')),
      );
      expect(watches).toMatchObject({ state: 'stale', error: { code: 'THROTTLED' } });
      expect(watches.error?.message).toBe(
        'The cluster is throttling requests (429 Too Many Requests); retrying shortly.',
      );
      expect(states.slice(mark).every((c) => c.state !== 'live')).toBe(true);
    } finally {
      live.sandbox.faults.reset();
    }
    await until(
      'live again',
      async () => (await live.harness.services.handlers['cluster.connection']({})).state === 'live',
    );
    await until('the pods of the model to match the cluster', modelMatchesCluster);
    expect(states.some((c) => c.error?.code === 'UNREACHABLE')).toBe(false);
    off();
  });
});

describe('a cluster that is not there', () => {
  it('reports UNREACHABLE and keeps trying, without stopping ScaleDesk', async () => {
    // A port nothing listens on: take one and free it again.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as net.AddressInfo;
        server.close(() => resolve(p));
      });
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-dead-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const text = fs
      .readFileSync(live.sandbox.kubeconfigPath, 'utf8')
      .replaceAll(live.sandbox.url, `https://127.0.0.1:${port}`);
    fs.writeFileSync(kubeconfig, text);
    const dead = await connectServices(kubeconfig, {
      live: {
        timing: {
          metricsIntervalMs: 300,
          backoffBaseMs: 50,
          backoffMaxMs: 200,
          firstSyncWaitMs: 5_000,
        },
      },
    });
    try {
      const connection = await dead.services.ready;
      expect(connection.state).toBe('stale');
      expect(connection.error?.code).toBe('UNREACHABLE');
      expect(connection.error?.message).toMatch(/did not answer/);
      const info = await dead.services.handlers['app.info']({});
      expect(info.name).toBe('ScaleDesk');
      expect(await dead.services.handlers['apps.list']({})).toEqual([]);
    } finally {
      await dead.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
