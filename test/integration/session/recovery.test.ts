import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../shared/contract';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import type { Sandbox } from '../../../main/sandbox';
import { ClusterSession } from '../../../main/session/cluster-session';
import { EventBus } from '../../../main/transport/event-bus';
import {
  adminClient,
  clusterPods,
  fastSandbox,
  modelPods,
  samePods,
  until,
} from '../../fixtures/services';

/**
 * Once the API server answers again, the model matches the cluster within 2 s, whatever the
 * watches' backoff had grown to while it did not (up to 30 s: the session here keeps the
 * default watch timing). The recovery probe costs nothing while the cluster is healthy.
 */

const NS = 'demo';
const DEPLOYMENT = 'support-portal-web';
const RECOVERED_WITHIN_MS = 2_000;
/** A stream open this long has lived: its cut is a cut, not a server dropping streams at once. */
const HEALTHY_STREAM_MS = 1_000;

let sandbox: Sandbox;
let session: ClusterSession;

beforeAll(async () => {
  sandbox = await fastSandbox();
  const paths = [sandbox.kubeconfigPath];
  session = new ClusterSession({
    kubeConfig: kubeConfigForContext(loadKubeconfig(paths), 'sandbox', paths),
    contextName: 'sandbox',
    namespace: NS,
    source: 'kubeconfig',
    kubeconfigPaths: paths,
    bus: new EventBus(),
    settings: () => SettingsSchema.parse({}),
    // The watches' backoff is the default one (200 ms growing to 30 s); metrics are read every
    // 2 s, so an outage fails some reads and the connection shows it.
    timing: { metricsIntervalMs: 2_000, healthyStreamMs: HEALTHY_STREAM_MS },
  });
  await session.start();
});

afterAll(async () => {
  await session?.stop();
  await sandbox?.stop();
});

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Every watch of the session has its stream open, and has had it long enough to count as lived
 * (a stream cut sooner backs off as one a server drops at once), and the connection is live.
 */
async function settled(): Promise<void> {
  const expected = Object.keys(session.requestStats().watches).length;
  const allOpen = () =>
    session.requestStats().streams === expected && session.connection().state === 'live';
  await until('every watch stream open and the connection live', allOpen);
  await pause(HEALTHY_STREAM_MS + 200);
  expect(allOpen()).toBe(true);
}

async function scale(replicas: number): Promise<void> {
  await adminClient(sandbox).apps.patchNamespacedDeploymentScale(
    { name: DEPLOYMENT, namespace: NS, body: { spec: { replicas } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

function desired(): number | undefined {
  return session.getWorkload('Deployment', NS, DEPLOYMENT)?.spec?.replicas;
}

/** The model's pods and a fresh list by a second client (kubectl) are the same. */
async function modelMatchesCluster(): Promise<boolean> {
  const cluster = await clusterPods(adminClient(sandbox).core);
  for (const id of cluster.keys()) if (!id.startsWith(`${NS}/`)) cluster.delete(id);
  return samePods(modelPods(session.listApps()), cluster);
}

/**
 * After the server answers again (`back`), a replica change made with client-node reaches the
 * model, the model's pods match the cluster's and the connection is live, all within 2 s.
 */
async function recoversWithin2s(back: number, replicas: number): Promise<void> {
  await scale(replicas);
  const left = () => Math.max(0, back + RECOVERED_WITHIN_MS - Date.now());
  await until(`the model to show ${replicas} replicas`, () => desired() === replicas, left());
  await until('the pods of the model to match the cluster', modelMatchesCluster, left());
  await until('the connection to be live', () => session.connection().state === 'live', left());
  expect(Date.now() - back).toBeLessThanOrEqual(RECOVERED_WITHIN_MS + 100);
}

describe('recovery after the API server was away', () => {
  it('asks the cluster nothing beyond its metrics while healthy and idle', async () => {
    await settled();
    const before = { ours: session.requestStats(), server: sandbox.requestCountsByVerb() };
    await until(
      'two more metrics reads',
      () => session.requestStats().metricsRequests >= before.ours.metricsRequests + 2,
    );
    const after = { ours: session.requestStats(), server: sandbox.requestCountsByVerb() };
    expect(after.ours.recoveryProbes).toBe(before.ours.recoveryProbes);
    expect(after.ours.lists).toEqual(before.ours.lists);
    expect(after.ours.watches).toEqual(before.ours.watches);
    // `/version` is a discovery request to the sandbox: none was made.
    expect(after.server['discovery'] ?? 0).toBe(before.server['discovery'] ?? 0);
    expect((after.server['watch'] ?? 0) - (before.server['watch'] ?? 0)).toBe(0);
  });

  it('matches the cluster within 2 s of the server coming back from a long outage', async () => {
    await settled();
    const probesBefore = session.requestStats().recoveryProbes;
    // 12 s down: by the end of it the watches wait 6-13 s between attempts.
    await sandbox.faults.down(12_000);
    const back = Date.now();
    await recoversWithin2s(back, 4);
    // One probe at a time for the whole session, about every 750 ms while it was down.
    const probes = session.requestStats().recoveryProbes - probesBefore;
    expect(probes).toBeGreaterThan(0);
    expect(probes).toBeLessThanOrEqual(12_000 / 750 + 3);
  });

  it('matches the cluster within 2 s of a burst of 500s ending', async () => {
    await settled();
    sandbox.faults.serverErrorRate = 1;
    expect(sandbox.faults.cutWatches()).toBeGreaterThan(0);
    // The outage itself: every request the watches make meanwhile fails and their backoff grows.
    await pause(6_000);
    expect(session.connection().state).toBe('stale');
    sandbox.faults.reset();
    await recoversWithin2s(Date.now(), 2);
  });

  it('matches the cluster within 2 s of a restart', async () => {
    await settled();
    await sandbox.restart();
    await recoversWithin2s(Date.now(), 3);
  });

  it('stops probing once the cluster answers', async () => {
    await settled();
    const probes = session.requestStats().recoveryProbes;
    const discovery = sandbox.requestCountsByVerb()['discovery'] ?? 0;
    const metrics = session.requestStats().metricsRequests;
    await until(
      'two more metrics reads',
      () => session.requestStats().metricsRequests >= metrics + 2,
    );
    expect(session.requestStats().recoveryProbes).toBe(probes);
    expect(sandbox.requestCountsByVerb()['discovery'] ?? 0).toBe(discovery);
  });
});
