import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../shared/app-model';
import { SettingsSchema, type EventName, type EventPayload } from '../../../shared/contract';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import { startSandbox, type Sandbox } from '../../../main/sandbox';
import { ClusterSession } from '../../../main/session/cluster-session';
import { EventBus } from '../../../main/transport/event-bus';
import { adminClient, appDeployment, until } from '../../fixtures/services';

/**
 * Reads of the live model change nothing: a read of an app whose pod room moved since its last
 * `apps` event answers with the room as it is, and sends nothing (the room reaches the `apps`
 * events at the metrics interval, an hour here).
 */

const NS = 'reads';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let sandbox: Sandbox;
let session: ClusterSession;
const events: { name: EventName; payload: unknown }[] = [];

function appEvents(from = 0): EventPayload<'apps'>[] {
  return events
    .slice(from)
    .filter((e) => e.name === 'apps')
    .map((e) => e.payload as EventPayload<'apps'>);
}

/** The app as the last `apps` event that carried it showed it. */
function lastSent(id: string): App | undefined {
  for (const event of appEvents().reverse()) {
    const app = event.upserted.find((a) => a.id === id);
    if (app) return app;
  }
  return undefined;
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: false, readyDelayMs: 100 });
  const { apps, core } = adminClient(sandbox);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespacedResourceQuota({
    namespace: NS,
    body: { metadata: { name: 'pod-quota' }, spec: { hard: { pods: '10' } } },
  });
  for (const app of ['steady', 'fence']) {
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: appDeployment({ namespace: NS, app, component: 'web', replicas: 1 }),
    });
  }
  // The viewer: its permissions, once answered, differ from the "unknown" ones an app starts with.
  const context = 'sandbox-viewer';
  const bus = new EventBus();
  bus.onAny((name, payload) => events.push({ name, payload }));
  session = new ClusterSession({
    kubeConfig: kubeConfigForContext(loadKubeconfig([sandbox.kubeconfigPath]), context, [
      sandbox.kubeconfigPath,
    ]),
    contextName: context,
    namespace: NS,
    source: 'kubeconfig',
    kubeconfigPaths: [sandbox.kubeconfigPath],
    bus,
    settings: () => SettingsSchema.parse({}),
    timing: { metricsIntervalMs: 60 * 60_000 },
  });
  await session.start();
});

afterAll(async () => {
  await session?.stop();
  await sandbox?.stop();
});

describe('reading the live model', () => {
  it('answers with the pod room as it is now and sends no apps event', async () => {
    // Settled: running and the first interval's samples sent, so nothing of its own is left to
    // send about steady (its permissions stay unknown: nobody looks at it, so none are asked).
    await until('steady settled in the apps events', () => {
      const sent = lastSent(`${NS}/steady`);
      return (
        sent?.status.kind === 'running' &&
        sent.permissions.scale.state === 'unknown' &&
        events.some((e) => e.name === 'samples')
      );
    });
    const sentUsed = lastSent(`${NS}/steady`)?.podRoom.quotaUsed;
    expect(sentUsed).toBe(2);

    const mark = events.length;
    const { apps, core } = adminClient(sandbox);
    // A pod of no app: it moves the namespace's quota use, and with it every app's pod room.
    await core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'loose' },
        spec: { containers: [{ name: 'main', image: 'registry.sandbox.local/test:1' }] },
      },
    });
    const read = await until('the new quota use in a read of steady', () => {
      const app = session.getApp(`${NS}/steady`);
      return app?.podRoom.quotaUsed === 3 ? app : undefined;
    });
    expect(read.status.kind).toBe('running');
    expect(session.listApps().map((a) => a.id)).toEqual([`${NS}/fence`, `${NS}/steady`]);

    // A change of another app goes out as usual: anything a read had sent would be out by then.
    await apps.patchNamespacedDeploymentScale(
      { name: 'fence-web', namespace: NS, body: { spec: { replicas: 2 } } },
      mergePatch,
    );
    await until('the change of fence in an apps event', () =>
      appEvents(mark).some((e) =>
        e.upserted.some((a) => a.id === `${NS}/fence` && a.processes[0]?.replicas.desired === 2),
      ),
    );
    const sentSteady = appEvents(mark).filter((e) =>
      e.upserted.some((a) => a.id === `${NS}/steady`),
    );
    expect(sentSteady).toEqual([]);
    // What was sent of steady is still the room of its last update: reads did not move it.
    expect(lastSent(`${NS}/steady`)?.podRoom.quotaUsed).toBe(2);
  });
});
