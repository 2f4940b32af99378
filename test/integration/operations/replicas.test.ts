import { describe, expect, it } from 'vitest';
import { createOperations } from '../../../main/operations';
import type { SessionPort } from '../../../main/operations/session-port';
import { REPLICAS_BEFORE_STOP_ANNOTATION } from '../../../shared/app-model';
import {
  NS,
  SHOP_WEB,
  POD_QUOTA,
  TRACKING,
  errorOf,
  valueOf,
  withoutPermissionCheck,
  useHarness,
} from '../../fixtures/operations-harness';

const h = useHarness();

/** Waits until the model shows `web` of shop at `replicas`, all ready, and the rollout settled. */
async function settledAt(replicas: number): Promise<void> {
  await h.waitFor(`shop web at ${replicas}`, () => {
    const web = h.app('shop').processes.find((p) => p.name === 'web');
    return (
      web?.replicas.desired === replicas &&
      web.replicas.ready === replicas &&
      web.pods.filter((p) => !p.terminating).length === replicas
    );
  });
}

describe('set replicas', () => {
  it('scales web through the scale subresource: a second client sees the replicas and their pods', async () => {
    const result = await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 3 });
    if (!result.ok) throw new Error(result.error.message);
    // The answer comes once the cluster accepted the write, not after the rollout.
    expect(result.value.activity).toMatchObject({
      kind: 'replicas',
      from: 2,
      to: 3,
      result: 'pending',
      context: 'sandbox',
      namespace: NS,
      app: 'shop',
      process: 'web',
      command: `kubectl scale deployment/shop-web --replicas=3 -n ${NS} --context sandbox`,
    });
    const outcome = await h.outcome(result.value.operationId);
    expect(outcome).toMatchObject({ phase: 'done', message: 'web runs 3 replicas.' });
    const phases = h.progressOf(result.value.operationId).map((e) => e.phase);
    expect(phases[0]).toBe('sent');
    // Done means the new pods are ready and the app answers through its service.
    expect(phases.slice(-2)).toEqual(['waiting-for-app', 'done']);
    expect(h.app('shop').endpoint?.state).toBe('answering');

    const seen = await h.deployment('shop-web');
    expect(seen.spec?.replicas).toBe(3);
    const pods = await h.core.listNamespacedPod({
      namespace: NS,
      labelSelector: 'app.kubernetes.io/part-of=shop,app.kubernetes.io/component=web',
    });
    expect(pods.items.filter((p) => !p.metadata?.deletionTimestamp)).toHaveLength(3);

    const [latest] = await h.ops['activity.list']({ limit: 1 });
    expect(latest).toMatchObject({ id: result.value.activity.id, result: 'done' });
  });

  it.each([
    ['-1', -1, 'replicas must be a whole number from 0 to 100; got -1'],
    [
      '11',
      11,
      'replicas must be a whole number from 0 to 10 (the maximum set in Settings); got 11',
    ],
    ['2.5', 2.5, 'replicas must be a whole number from 0 to 100; got 2.5'],
    ['"3"', '3', 'replicas must be a whole number from 0 to 100; got "3"'],
    ['NaN', Number.NaN, 'replicas must be a whole number from 0 to 100; got NaN'],
  ])('refuses %s with INVALID_INPUT and sends nothing', async (_label, replicas, message) => {
    const writes = h.writes();
    const before = await h.deployment('shop-web');
    const error = errorOf(await h.call('process.setReplicas', { ...SHOP_WEB, replicas }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(message);
    expect(h.writes()).toBe(writes);
    const after = await h.deployment('shop-web');
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(after.spec?.replicas).toBe(before.spec?.replicas);
  });

  it('refuses an unknown app or process with NOT_FOUND and sends nothing', async () => {
    const writes = h.writes();
    const noApp = errorOf(
      await h.call('process.setReplicas', {
        namespace: NS,
        app: 'nope',
        process: 'web',
        replicas: 2,
      }),
    );
    expect(noApp).toMatchObject({
      code: 'NOT_FOUND',
      message: `There is no app "nope" in namespace "${NS}" on context "sandbox".`,
    });
    const noProcess = errorOf(
      await h.call('process.setReplicas', {
        namespace: NS,
        app: 'shop',
        process: 'beat',
        replicas: 2,
      }),
    );
    expect(noProcess).toMatchObject({
      code: 'NOT_FOUND',
      message: 'shop has no process "beat" (its processes: web, worker).',
    });
    expect(h.writes()).toBe(writes);
  });

  it('detects a change made with kubectl between read and write, and does not overwrite it', async () => {
    await settledAt(3);
    const seen = h.app('shop').processes[0]!.replicas.desired;
    await h.kubectl('scale', 'deployment/shop-web', '--replicas=4');
    const writes = h.writes();
    const error = errorOf(
      await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 2, expectedReplicas: seen }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(
      'web was changed to 4 replicas by someone else; yours was 2. Nothing was written.',
    );
    // The value now, read from the cluster, for the notice's "Apply anyway" / "Keep theirs".
    expect(error.details).toMatchObject({ current: 4, yours: 2 });
    expect(h.writes()).toBe(writes);
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(4);
  });

  it('writes over a newer value when asked to (force)', async () => {
    const result = await h.call('process.setReplicas', {
      ...SHOP_WEB,
      replicas: 3,
      expectedReplicas: 2,
      force: true,
    });
    if (!result.ok) throw new Error(result.error.message);
    // The value it wrote over, which an undo would bring back.
    expect(result.value.activity).toMatchObject({ from: 4, to: 3 });
    expect((await h.outcome(result.value.operationId)).phase).toBe('done');
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(3);
  });

  it('writes where the Deployment moved since ScaleDesk read it but its replicas did not', async () => {
    await settledAt(3);
    // ScaleDesk's copy from before an annotation (as from before a status update): an old version.
    const before = structuredClone(h.live.getWorkload('Deployment', NS, 'shop-web'));
    await h.kubectl('annotate', 'deployment/shop-web', 'example.com/note=moved');
    await h.waitFor(
      'the annotation in the watch',
      () =>
        h.live.getWorkload('Deployment', NS, 'shop-web')?.metadata?.resourceVersion !==
        before?.metadata?.resourceVersion,
    );
    const live = h.live;
    let staleRead = true;
    const stale: SessionPort = {
      kubeConfig: live.kubeConfig,
      contextName: live.contextName,
      getApp: (id) => live.getApp(id),
      // The operation's one read is the old copy; the rollout is then followed live.
      getWorkload: (kind, namespace, name) => {
        if (!staleRead) return live.getWorkload(kind, namespace, name);
        staleRead = false;
        return before;
      },
      onAppChange: (id, listener) => live.onAppChange(id, listener),
      probeEndpoint: (id) => live.probeEndpoint(id),
    };
    const ops = createOperations({
      session: () => stale,
      store: h.store,
      bus: h.bus,
      settings: h.settings,
      tracking: TRACKING,
    });
    const writes = h.writes();
    const result = valueOf(
      await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 4, expectedReplicas: 3 }, ops),
    );
    // Refused once at the old version (409), judged again on the Deployment as it is: written.
    expect(h.writes() - writes).toBe(2);
    expect((await h.outcome(result.operationId)).phase).toBe('done');
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(4);

    const back = valueOf(
      await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 3, expectedReplicas: 4 }),
    );
    expect((await h.outcome(back.operationId)).phase).toBe('done');
  });

  it("recognises its own last write: a retry right after it is not someone else's change", async () => {
    await settledAt(3);
    const change = { ...SHOP_WEB, replicas: 4, expectedReplicas: 3 };
    const first = valueOf(await h.call('process.setReplicas', change));
    // At once, as after an answer that never arrived: the admin still saw 3, the cluster has
    // ScaleDesk's own 4.
    const retry = valueOf(await h.call('process.setReplicas', change));
    expect(retry.activity).toMatchObject({ from: 4, to: 4 });
    for (const result of [first, retry]) {
      expect((await h.outcome(result.operationId)).phase).toBe('done');
    }
    // Having seen ScaleDesk's 4, the next change goes through as well.
    const next = valueOf(
      await h.call('process.setReplicas', { ...change, replicas: 5, expectedReplicas: 4 }),
    );
    expect((await h.outcome(next.operationId)).phase).toBe('done');

    // Someone else's change after ScaleDesk's own is theirs: refused.
    await h.kubectl('scale', 'deployment/shop-web', '--replicas=2');
    const error = errorOf(
      await h.call('process.setReplicas', { ...change, replicas: 3, expectedReplicas: 5 }),
    );
    expect(error.message).toBe(
      'web was changed to 2 replicas by someone else; yours was 3. Nothing was written.',
    );
    const back = valueOf(
      await h.call('process.setReplicas', { ...change, replicas: 3, expectedReplicas: 2 }),
    );
    expect((await h.outcome(back.operationId)).phase).toBe('done');
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(3);
  });

  it('gives the viewer a clear FORBIDDEN and changes nothing', async () => {
    // Nobody looked at shop as the viewer: the permission is asked on demand, before sending.
    await h.waitFor(
      'the viewer to see shop',
      () => h.viewerLive.getApp(`${NS}/shop`) !== undefined,
    );
    const writes = h.writes();
    const error = errorOf(
      await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 1 }, h.viewerOps),
    );
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('patch deployments/scale');
    expect(error.message).toContain(`"${NS}"`);
    expect(h.writes()).toBe(writes);
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(3);
  });

  it("passes on the cluster's own 403 as FORBIDDEN where permissions were not known", async () => {
    const ops = createOperations({
      session: () => withoutPermissionCheck(h.viewerLive),
      store: h.store,
      bus: h.bus,
      settings: h.settings,
      tracking: TRACKING,
    });
    const error = errorOf(await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 1 }, ops));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/^Not allowed: you may not patch deployments\/scale "shop-web"/);
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(3);
  });

  it('refuses a change past the namespace pod quota with the numbers, and sends nothing', async () => {
    await settledAt(3);
    const room = h.app('shop').podRoom;
    expect(room.quotaHard).toBe(POD_QUOTA);
    // 3 web + worker + workspace + ledger + portal = 7 pods; 10 web replicas need 7 more.
    await h.waitFor('the quota use in the model', () => h.app('shop').podRoom.quotaUsed === 7);
    const writes = h.writes();
    const error = errorOf(await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 10 }));
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.message).toBe(
      `web of shop cannot go from 3 to 10 replicas: it needs 7 more pods, but the pod quota of namespace ${NS} allows ${POD_QUOTA} pods and 7 are in use, so 5 more can start.`,
    );
    expect(error.details).toMatchObject({ quotaHard: POD_QUOTA, quotaUsed: 7, newPods: 7 });
    expect(h.writes()).toBe(writes);
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(3);
  });

  it('follows the maximum replicas setting', async () => {
    h.settings.set({ maxReplicas: 2 });
    try {
      const error = errorOf(await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 3 }));
      expect(error).toMatchObject({
        code: 'INVALID_INPUT',
        message: 'replicas must be a whole number from 0 to 2 (the maximum set in Settings); got 3',
      });
    } finally {
      h.settings.set({ maxReplicas: 10 });
    }
  });

  it('remembers the replicas when scaling to zero, and Start brings them back', async () => {
    await settledAt(3);
    const stop = await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 0 });
    if (!stop.ok) throw new Error(stop.error.message);
    expect(stop.value.warnings).toContain('web is stopped: no replica runs. Start brings it back.');
    expect((await h.outcome(stop.value.operationId)).phase).toBe('done');
    const stopped = await h.deployment('shop-web');
    expect(stopped.spec?.replicas).toBe(0);
    expect(stopped.metadata?.annotations?.[REPLICAS_BEFORE_STOP_ANNOTATION]).toBe('3');

    await h.waitFor(
      'web at 0 in the model',
      () => h.app('shop').processes[0]?.replicasBeforeStop === 3,
    );
    const start = await h.call('app.start', { namespace: NS, app: 'shop' });
    if (!start.ok) throw new Error(start.error.message);
    expect(start.value.activity).toMatchObject({ kind: 'start', process: null });
    expect(await h.outcome(start.value.operationId)).toMatchObject({ phase: 'done' });
    const started = await h.deployment('shop-web');
    expect(started.spec?.replicas).toBe(3);
    expect(started.metadata?.annotations?.[REPLICAS_BEFORE_STOP_ANNOTATION]).toBeUndefined();
    expect(started.status?.readyReplicas).toBe(3);
  });

  it('refuses everything with NOT_CONNECTED when there is no session', async () => {
    const ops = createOperations({
      session: () => null,
      store: h.store,
      bus: h.bus,
      settings: h.settings,
    });
    const error = errorOf(await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 1 }, ops));
    expect(error.code).toBe('NOT_CONNECTED');
  });
});
