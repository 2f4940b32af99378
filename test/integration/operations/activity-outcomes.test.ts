import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOperations, type OperationHandlers } from '../../../main/operations';
import { clusterIdentity } from '../../../main/operations/cluster-identity';
import type { SessionPort } from '../../../main/operations/session-port';
import { createActivityLog } from '../../../main/store/activity-log';
import { createConfStore } from '../../../main/store/conf-store';
import type { KeyValueStore } from '../../../main/store/key-value-store';
import { createSettings } from '../../../main/store/settings';
import { dispatch, type Handlers } from '../../../main/transport/dispatch';
import { EventBus } from '../../../main/transport/event-bus';
import type {
  ActivityEntry,
  OperationInput,
  OperationName,
  OperationOutput,
} from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import {
  NS,
  SHOP_WORKER,
  TRACKING,
  errorOf,
  valueOf,
  useHarness,
} from '../../fixtures/operations-harness';
import { merge } from '../../fixtures/client-node-sandbox';
import { eventually } from '../../fixtures/sandbox';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import { startSandbox } from '../../../main/sandbox';
import { ClusterSession } from '../../../main/session/cluster-session';

/**
 * The activity log as a record to trust: every change ends done, failed or superseded, from the
 * state of the Deployments it touched, whichever namespace or context is connected by then, and
 * whether or not ScaleDesk was running all along.
 */

const h = useHarness();
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function freshStore(): KeyValueStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-activity-ops-'));
  dirs.push(dir);
  return createConfStore(path.join(dir, 'config.json'));
}

interface Ops {
  bus: EventBus;
  store: KeyValueStore;
  ops: OperationHandlers;
  call<N extends OperationName>(
    operation: N,
    input: OperationInput<N>,
  ): Promise<Result<OperationOutput<N>>>;
  entry(id: string): Promise<ActivityEntry | undefined>;
  settled(id: string): Promise<ActivityEntry>;
}

/** Operations with their own store and bus, on whichever session `session()` gives. */
function operations(session: () => SessionPort | null, store = freshStore()): Ops {
  const bus = new EventBus();
  const settings = createSettings(store, bus);
  // Done as soon as the new pods are ready (the settle time has tests of its own).
  settings.set({ settleSeconds: 0 });
  const ops = createOperations({ session, store, bus, settings, tracking: TRACKING });
  const entry = async (id: string) =>
    (await ops['activity.list']({ limit: 1000 })).find((e) => e.id === id);
  return {
    bus,
    store,
    ops,
    call: (operation, input) =>
      dispatch(ops as unknown as Handlers, operation, input) as Promise<
        Result<OperationOutput<typeof operation>>
      >,
    entry,
    settled: (id) =>
      eventually(`entry ${id} settled`, async () => {
        const found = await entry(id);
        return found && found.result !== 'pending' ? found : undefined;
      }),
  };
}

async function replicasOf(deployment: string): Promise<number | undefined> {
  return (await h.deployment(deployment)).spec?.replicas;
}

async function scaleBySomeoneElse(deployment: string, replicas: number): Promise<void> {
  await h.apps.patchNamespacedDeploymentScale(
    // As `kubectl scale` writes it: its manager in managedFields is `kubectl`.
    { name: deployment, namespace: NS, body: { spec: { replicas } }, fieldManager: 'kubectl' },
    merge,
  );
}

/** Until the model shows the worker process at `replicas` (what the guard compares with). */
async function modelShowsWorker(replicas: number): Promise<void> {
  await h.waitFor(`worker at ${replicas} in the model`, () => {
    const worker = h.app('shop').processes.find((p) => p.name === 'worker');
    return worker?.replicas.desired === replicas;
  });
}

describe('a change overtaken by a later one', () => {
  it("ends superseded, promptly, when someone else's change replaced it", async () => {
    const o = operations(() => h.live);
    await modelShowsWorker(await replicasOf('shop-worker').then((n) => n ?? 1));
    const result = valueOf(await o.call('process.setReplicas', { ...SHOP_WORKER, replicas: 4 }));
    // Before the new pods can be ready: the scale-up will never complete as asked.
    await scaleBySomeoneElse('shop-worker', 2);
    const began = Date.now();
    const entry = await o.settled(result.activity.id);
    expect(entry).toMatchObject({
      result: 'superseded',
      message: 'Superseded by someone else (field manager kubectl): worker now has 2 replicas.',
    });
    expect(Date.now() - began).toBeLessThan(5_000);
    await modelShowsWorker(2);
  });

  it("ends superseded when ScaleDesk's own next change replaced it, and the next one done", async () => {
    const o = operations(() => h.live);
    await modelShowsWorker(await replicasOf('shop-worker').then((n) => n ?? 1));
    const first = valueOf(await o.call('process.setReplicas', { ...SHOP_WORKER, replicas: 5 }));
    const second = valueOf(
      await o.call('process.setReplicas', { ...SHOP_WORKER, replicas: 3, expectedReplicas: 5 }),
    );
    expect(await o.settled(first.activity.id)).toMatchObject({
      result: 'superseded',
      message: 'Superseded by a later change: worker now has 3 replicas.',
    });
    expect(await o.settled(second.activity.id)).toMatchObject({
      result: 'done',
      message: 'worker runs 3 replicas.',
    });
    await modelShowsWorker(3);
  });
});

describe('a change followed after the admin switched', () => {
  it('is followed to done from the cluster once its session is stopped and another connected', async () => {
    // A session of its own, stopped as cluster.connect stops the one it replaces.
    const bus = new EventBus();
    const own = new ClusterSession({
      kubeConfig: kubeConfigForContext(loadKubeconfig([h.sandbox.kubeconfigPath]), 'sandbox', [
        h.sandbox.kubeconfigPath,
      ]),
      contextName: 'sandbox',
      namespace: NS,
      source: 'kubeconfig',
      kubeconfigPaths: [h.sandbox.kubeconfigPath],
      bus,
      settings: () => h.settings.get(),
    });
    await own.start();
    let connected: SessionPort = own;
    const o = operations(() => connected);
    const before = (await replicasOf('shop-worker')) ?? 1;
    // Stopped as the change is made: its model no longer sees anything of the rollout (stopped
    // first, so that no watch event slips in while it stops).
    await own.stop();
    const result = valueOf(
      await o.call('process.setReplicas', { ...SHOP_WORKER, replicas: before + 1 }),
    );
    // Another context is connected (the viewer's, on the same cluster).
    connected = h.viewerLive;
    const entry = await o.settled(result.activity.id);
    expect(entry).toMatchObject({ result: 'done', message: `worker runs ${before + 1} replicas.` });
    await modelShowsWorker(before + 1);
  });
});

describe('entries left pending by a run that was closed or killed', () => {
  it('are judged from the cluster when it is connected: done, superseded, failed, not confirmed', async () => {
    const store = freshStore();
    const cluster = clusterIdentity(h.live.kubeConfig);
    const web = (await replicasOf('shop-web')) ?? 2;
    const worker = (await replicasOf('shop-worker')) ?? 1;
    // The previous run: its log as it left it.
    const previous = createActivityLog(store, new EventBus());
    const begin = (deployment: string, process: string, replicas: number, app = 'shop') =>
      previous.begin(
        {
          context: 'sandbox',
          namespace: NS,
          app,
          process,
          kind: 'replicas',
          from: 1,
          to: replicas,
          command: `kubectl scale deployment/${deployment} --replicas=${replicas}`,
        },
        {
          cluster,
          targets: [{ process, deployment, replicas }],
          doneMessage: `${process} runs ${replicas} replicas.`,
        },
      );
    const rolledOut = begin('shop-web', 'web', web);
    previous.accept(rolledOut.id);
    const replaced = begin('shop-worker', 'worker', worker + 3);
    previous.accept(replaced.id);
    const gone = begin('shop-gone', 'gone', 2);
    previous.accept(gone.id);
    const unanswered = begin('shop-worker', 'worker', worker + 5);
    // Killed after the PATCH went out, before its answer came back: the cluster has it.
    const answerLost = begin('ledger-web', 'web', (await replicasOf('ledger-web')) ?? 1, 'ledger');

    const o = operations(() => h.live, store);
    expect(await o.settled(rolledOut.id)).toMatchObject({
      result: 'done',
      message: `web runs ${web} replicas.`,
    });
    expect(await o.settled(replaced.id)).toMatchObject({
      result: 'superseded',
      message: `Superseded by a later change: worker now has ${worker} replica${worker === 1 ? '' : 's'}.`,
    });
    expect(await o.settled(gone.id)).toMatchObject({
      result: 'failed',
      message: 'The deployment of gone was deleted.',
    });
    expect(await o.settled(unanswered.id)).toMatchObject({
      result: 'failed',
      message: `Not confirmed: no answer from the cluster was seen (ScaleDesk was closed, or the cluster did not answer), and worker now has ${worker} replica${worker === 1 ? '' : 's'}.`,
    });
    expect(await o.settled(answerLost.id)).toMatchObject({ result: 'done' });
  });

  it("judges a StatefulSet's entries from the StatefulSet, not a Deployment of its name", async () => {
    // A namespace of its own: nothing of it counts against the pod quota of `ops`.
    const ns = 'ops-stateful';
    const labels = { app: 'vault', role: 'db' };
    await h.core.createNamespace({ body: { metadata: { name: ns } } });
    await h.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'vault-db', labels },
        spec: {
          replicas: 1,
          serviceName: 'vault-db',
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'db', image: 'registry.sandbox.local/vault:1' }] },
          },
        },
      },
    });
    // What the previous run's scale did before it was closed.
    await h.apps.patchNamespacedStatefulSetScale(
      { name: 'vault-db', namespace: ns, body: { spec: { replicas: 2 } } },
      merge,
    );
    const store = freshStore();
    const previous = createActivityLog(store, new EventBus());
    const begin = () =>
      previous.begin(
        {
          context: 'sandbox',
          namespace: ns,
          app: 'vault',
          process: 'db',
          kind: 'replicas',
          from: 1,
          to: 2,
          command: `kubectl scale statefulset/vault-db --replicas=2 -n ${ns}`,
        },
        {
          cluster: clusterIdentity(h.live.kubeConfig),
          targets: [{ process: 'db', kind: 'StatefulSet', deployment: 'vault-db', replicas: 2 }],
          doneMessage: 'db runs 2 replicas.',
        },
      );
    const followed = begin();
    previous.accept(followed.id);
    const answerLost = begin();

    const o = operations(() => h.live, store);
    expect(await o.settled(followed.id)).toMatchObject({
      result: 'done',
      message: 'db runs 2 replicas.',
    });
    expect(await o.settled(answerLost.id)).toMatchObject({ result: 'done' });
    const set = await h.apps.readNamespacedStatefulSet({ name: 'vault-db', namespace: ns });
    expect(set.status?.readyReplicas).toBe(2);
  });
});

describe('entries kept per cluster, not per context name', () => {
  it("does not list another cluster's changes, nor undo them, under the same context name", async () => {
    const store = freshStore();
    const first = operations(() => h.live, store);
    await modelShowsWorker(await replicasOf('shop-worker').then((n) => n ?? 1));
    const change = valueOf(
      await first.call('process.setReplicas', { ...SHOP_WORKER, replicas: 2 }),
    );
    await first.settled(change.activity.id);

    // A second sandbox: the same context name, its own server and CA.
    const other = await startSandbox({ seed: false, readyDelayMs: 100 });
    try {
      const kubeConfig = kubeConfigForContext(loadKubeconfig([other.kubeconfigPath]), 'sandbox', [
        other.kubeconfigPath,
      ]);
      const elsewhere: SessionPort = {
        kubeConfig,
        contextName: 'sandbox',
        getApp: () => undefined,
        getWorkload: () => undefined,
        onAppChange: () => () => undefined,
        probeEndpoint: async () => undefined,
      };
      expect(clusterIdentity(kubeConfig)).not.toBe(clusterIdentity(h.live.kubeConfig));
      // The same data folder, the other cluster: a new run of ScaleDesk.
      const second = operations(() => elsewhere, store);
      expect(valueOf(await second.call('activity.list', {}))).toEqual([]);
      const refused = errorOf(await second.call('activity.undo', { id: change.activity.id }));
      expect(refused).toMatchObject({
        code: 'INVALID_INPUT',
        message:
          'This change was made on another cluster whose context is also named "sandbox"; connect to that cluster to undo the change.',
      });
      // Back on the first cluster, the change is there.
      const again = operations(() => h.live, store);
      expect(valueOf(await again.call('activity.list', {})).map((e) => e.id)).toContain(
        change.activity.id,
      );
    } finally {
      await other.stop();
    }
  });

  it('lists nothing before a cluster was connected in this process', async () => {
    const o = operations(() => null);
    expect(valueOf(await o.call('activity.list', {}))).toEqual([]);
  });
});

describe('a write whose outcome the answer does not tell', () => {
  it('is listed pending, then judged from the cluster at the next connection', async () => {
    const o = operations(() => h.live);
    await modelShowsWorker(await replicasOf('shop-worker').then((n) => n ?? 1));
    const before = (await replicasOf('shop-worker')) ?? 1;
    // Every request answered 500: the write, and the read that would tell what became of it.
    h.sandbox.faults.serverErrorRate = 1;
    let entry: ActivityEntry;
    try {
      const error = errorOf(
        await o.call('process.setReplicas', { ...SHOP_WORKER, replicas: before + 2 }),
      );
      expect(error.code).not.toBe('CONFLICT');
      entry = await eventually('the change listed, pending', async () =>
        (await o.ops['activity.list']({ limit: 10 })).find((e) => e.to === before + 2),
      );
      expect(entry.result).toBe('pending');
    } finally {
      h.sandbox.faults.reset();
    }
    // Connected again: judged. The 500 came before anything was written. The watches the 500s
    // broke come back first (a loaded machine takes a moment): pending entries are judged on `live`.
    await eventually('the session live again', () => h.live.connection().state === 'live');
    o.bus.emit('connection', h.live.connection());
    expect(await o.settled(entry.id)).toMatchObject({
      result: 'failed',
      message: `Not confirmed: no answer from the cluster was seen (ScaleDesk was closed, or the cluster did not answer), and worker now has ${before} replica${before === 1 ? '' : 's'}.`,
    });
    expect(await replicasOf('shop-worker')).toBe(before);
  });
});
