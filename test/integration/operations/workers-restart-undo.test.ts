import { describe, expect, it } from 'vitest';
import { RESTARTED_AT_ANNOTATION } from '../../../shared/app-model';
import { PRELOAD_WARNING } from '../../../shared/worker-plan';
import {
  NS,
  POD_QUOTA,
  SHOP_WEB,
  SHOP_WORKER,
  errorOf,
  valueOf,
  useHarness,
} from '../../fixtures/operations-harness';
import { merge } from '../../fixtures/client-node-sandbox';

const h = useHarness();

async function podNames(app: string, component: string): Promise<string[]> {
  const pods = await h.core.listNamespacedPod({
    namespace: NS,
    labelSelector: `app.kubernetes.io/part-of=${app},app.kubernetes.io/component=${component}`,
  });
  return pods.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata?.name ?? '')
    .sort();
}

describe('set workers', () => {
  it('edits only the count in the args and rolls web over: new pods, same other flags', async () => {
    const before = await podNames('shop', 'web');
    const result = valueOf(await h.call('process.setWorkers', { ...SHOP_WEB, workers: 3 }));
    expect(result.activity).toMatchObject({ kind: 'workers', from: 4, to: 3, result: 'pending' });
    expect(result.activity.command).toMatch(/^kubectl patch deployment\/shop-web --type=json -p /);
    const outcome = await h.outcome(result.operationId);
    expect(outcome).toMatchObject({ phase: 'done', message: 'web runs 3 workers per replica.' });
    const phases = h.progressOf(result.operationId).map((e) => e.phase);
    expect(phases[0]).toBe('sent');
    expect(phases).toContain('rolling');

    const seen = await h.deployment('shop-web');
    const container = seen.spec?.template.spec?.containers[0];
    expect(container?.command).toEqual(['gunicorn']);
    expect(container?.args).toEqual([
      '--bind',
      '0.0.0.0:8050',
      '--workers',
      '3',
      'app:server',
      '--timeout',
      '120',
    ]);
    const after = await podNames('shop', 'web');
    expect(after).toHaveLength(2);
    expect(after.some((name) => before.includes(name))).toBe(false);
  });

  it('warns about --preload, and edits the count inside a sh -c script', async () => {
    const result = valueOf(
      await h.call('process.setWorkers', {
        namespace: NS,
        app: 'ledger',
        process: 'web',
        workers: 3,
      }),
    );
    expect(result.warnings).toContain(PRELOAD_WARNING);
    expect((await h.outcome(result.operationId)).phase).toBe('done');
    const container = (await h.deployment('ledger-web')).spec?.template.spec?.containers[0];
    expect(container?.command).toEqual([
      'sh',
      '-c',
      'exec gunicorn app:server --preload -w 3 --bind 0.0.0.0:8050',
    ]);
  });

  it('edits WEB_CONCURRENCY where that is how the count is set', async () => {
    const result = valueOf(
      await h.call('process.setWorkers', {
        namespace: NS,
        app: 'portal',
        process: 'web',
        workers: 2,
      }),
    );
    expect(result.activity.command).toBe(
      `kubectl set env deployment/portal-web -c web WEB_CONCURRENCY=2 -n ${NS} --context sandbox`,
    );
    expect((await h.outcome(result.operationId)).phase).toBe('done');
    const container = (await h.deployment('portal-web')).spec?.template.spec?.containers[0];
    expect(container?.command).toEqual(['gunicorn', 'portal.wsgi:application']);
    expect(container?.env).toEqual([{ name: 'WEB_CONCURRENCY', value: '2' }]);
  });

  it('refuses a process that is not gunicorn with INVALID_INPUT and sends nothing', async () => {
    const writes = h.writes();
    const error = errorOf(await h.call('process.setWorkers', { ...SHOP_WORKER, workers: 2 }));
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'worker does not run gunicorn, so it has no workers to set: celery -A tasks worker',
    });
    expect(h.writes()).toBe(writes);
  });

  it.each([
    [0, 'workers must be a whole number from 1 to 64; got 0'],
    [2.5, 'workers must be a whole number from 1 to 64; got 2.5'],
    ['3', 'workers must be a whole number from 1 to 64; got "3"'],
  ])('refuses %s workers and sends nothing', async (workers, message) => {
    const writes = h.writes();
    const error = errorOf(await h.call('process.setWorkers', { ...SHOP_WEB, workers }));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message });
    expect(h.writes()).toBe(writes);
  });

  it('detects a change made with kubectl between read and write', async () => {
    await h.waitFor('shop web settled', () => h.app('shop').processes[0]?.workers?.count === 3);
    const seen = h.app('shop').processes[0]!.workers!.count;
    await h.kubectl(
      'patch',
      'deployment/shop-web',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/args/3","value":"5"}]',
    );
    const writes = h.writes();
    const error = errorOf(
      await h.call('process.setWorkers', { ...SHOP_WEB, workers: 2, expectedWorkers: seen }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(
      /^The deployment of web was changed by someone else since you read it \(it now has 5 workers and 2 replicas\); yours was 2 workers\./,
    );
    expect(error.details).toMatchObject({ current: 5, yours: 2 });
    expect(h.writes()).toBe(writes);
    const args = (await h.deployment('shop-web')).spec?.template.spec?.containers[0]?.args;
    expect(args?.[3]).toBe('5');
  });

  it('writes over a newer count when asked to (force), and a change of replicas meanwhile is kept', async () => {
    await h.waitFor(
      'shop web at 5 workers',
      () => h.app('shop').processes[0]?.workers?.count === 5,
    );
    await h.kubectl('scale', 'deployment/shop-web', '--replicas=3');
    const result = valueOf(
      await h.call('process.setWorkers', {
        ...SHOP_WEB,
        workers: 2,
        expectedWorkers: 3,
        force: true,
      }),
    );
    expect(result.activity).toMatchObject({ from: 5, to: 2 });
    expect((await h.outcome(result.operationId)).phase).toBe('done');
    const seen = await h.deployment('shop-web');
    expect(seen.spec?.template.spec?.containers[0]?.args?.[3]).toBe('2');
    // The workers patch touches the command alone: someone else's replicas stay.
    expect(seen.spec?.replicas).toBe(3);

    // What the admin saw of the workers is all that is compared: the replicas moved, no conflict.
    await h.kubectl('scale', 'deployment/shop-web', '--replicas=2');
    const again = valueOf(
      await h.call('process.setWorkers', { ...SHOP_WEB, workers: 3, expectedWorkers: 2 }),
    );
    expect((await h.outcome(again.operationId)).phase).toBe('done');
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(2);
  });
});

describe('restart', () => {
  it("restarts the app's processes, not its workspace, as kubectl rollout restart does", async () => {
    await h.waitFor('shop settled', () => h.app('shop').status.kind === 'running');
    const webBefore = await podNames('shop', 'web');
    const workerBefore = await podNames('shop', 'worker');
    const workspaceBefore = await podNames('shop', 'workspace');
    const result = valueOf(await h.call('app.restart', { namespace: NS, app: 'shop' }));
    expect(result.activity).toMatchObject({ kind: 'restart', process: null });
    expect(result.activity.command).toBe(
      `kubectl rollout restart deployment/shop-web deployment/shop-worker -n ${NS} --context sandbox`,
    );
    expect((await h.outcome(result.operationId)).phase).toBe('done');

    for (const name of ['shop-web', 'shop-worker']) {
      const at = (await h.deployment(name)).spec?.template.metadata?.annotations?.[
        RESTARTED_AT_ANNOTATION
      ];
      expect(at).toBe(result.activity.to);
    }
    const workspace = await h.deployment('shop-workspace');
    expect(
      workspace.spec?.template.metadata?.annotations?.[RESTARTED_AT_ANNOTATION],
    ).toBeUndefined();
    const webAfter = await podNames('shop', 'web');
    expect(webAfter.some((n) => webBefore.includes(n))).toBe(false);
    expect((await podNames('shop', 'worker')).some((n) => workerBefore.includes(n))).toBe(false);
    expect(await podNames('shop', 'workspace')).toEqual(workspaceBefore);
  });

  it('restarts one process by name', async () => {
    const result = valueOf(await h.call('app.restart', SHOP_WORKER));
    expect(result.activity).toMatchObject({ kind: 'restart', process: 'worker' });
    expect((await h.outcome(result.operationId)).phase).toBe('done');
  });
});

describe('undo', () => {
  it('undoes a change of replicas with a new entry, once', async () => {
    await h.waitFor('shop settled', () => h.app('shop').status.kind === 'running');
    const change = valueOf(
      await h.call('process.setReplicas', {
        namespace: NS,
        app: 'portal',
        process: 'web',
        replicas: 2,
      }),
    );
    expect((await h.outcome(change.operationId)).phase).toBe('done');
    await h.waitFor('portal web at 2', () => h.app('portal').processes[0]?.replicas.desired === 2);

    const undo = valueOf(await h.call('activity.undo', { id: change.activity.id }));
    expect(undo.activity).toMatchObject({
      kind: 'replicas',
      from: 2,
      to: 1,
      undoOf: change.activity.id,
    });
    expect((await h.outcome(undo.operationId)).phase).toBe('done');
    expect((await h.deployment('portal-web')).spec?.replicas).toBe(1);

    const again = errorOf(await h.call('activity.undo', { id: change.activity.id }));
    expect(again.code).toBe('INVALID_INPUT');
    expect(again.message).toMatch(/^This change was already undone at /);
    const list = valueOf(await h.call('activity.list', { limit: 2 }));
    expect(list.map((e) => e.id)).toEqual([undo.activity.id, change.activity.id]);
  });

  it('does not undo over a later change', async () => {
    const change = valueOf(
      await h.call('process.setReplicas', {
        namespace: NS,
        app: 'portal',
        process: 'web',
        replicas: 2,
      }),
    );
    expect((await h.outcome(change.operationId)).phase).toBe('done');
    await h.kubectl('scale', 'deployment/portal-web', '--replicas=3');
    await h.waitFor('portal web at 3', () => h.app('portal').processes[0]?.replicas.desired === 3);
    const writes = h.writes();
    const error = errorOf(await h.call('activity.undo', { id: change.activity.id }));
    expect(error).toMatchObject({
      code: 'CONFLICT',
      message:
        'web now has 3 replicas, not the 2 this change set: undoing it would overwrite a later change.',
    });
    expect(h.writes()).toBe(writes);
  });

  it('undoes a change of workers', async () => {
    const change = valueOf(
      await h.call('process.setWorkers', {
        namespace: NS,
        app: 'portal',
        process: 'web',
        workers: 4,
      }),
    );
    expect((await h.outcome(change.operationId)).phase).toBe('done');
    await h.waitFor(
      'portal at 4 workers',
      () => h.app('portal').processes[0]?.workers?.count === 4,
    );
    const undo = valueOf(await h.call('activity.undo', { id: change.activity.id }));
    expect(undo.activity).toMatchObject({
      kind: 'workers',
      from: 4,
      to: 2,
      undoOf: change.activity.id,
    });
    expect((await h.outcome(undo.operationId)).phase).toBe('done');
    const env = (await h.deployment('portal-web')).spec?.template.spec?.containers[0]?.env;
    expect(env).toEqual([{ name: 'WEB_CONCURRENCY', value: '2' }]);
  });

  it('refuses to undo a restart', async () => {
    const [restart] = valueOf(await h.call('activity.list', { limit: 1000 })).filter(
      (e) => e.kind === 'restart',
    );
    const error = errorOf(await h.call('activity.undo', { id: restart!.id }));
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      message:
        'Only changes of replicas, workers, a memory limit or an autoscaler can be undone; this was a restart.',
    });
  });
});

describe('an app stopped by its memory limit', () => {
  it('is reported as stopped, and Start brings it back', async () => {
    await h.waitFor('ledger settled', () => h.app('ledger').status.kind === 'running');
    h.sandbox.triggerOom(NS, 'ledger');
    const stopped = await h.waitFor('ledger stopped by its memory limit', () => {
      const app = h.app('ledger');
      return app.status.kind === 'oom-stopped' ? app : null;
    });
    expect(stopped.processes[0]?.pods[0]?.lastTermination?.reason).toBe('OOMKilled');

    const result = valueOf(await h.call('app.start', { namespace: NS, app: 'ledger' }));
    expect(result.activity).toMatchObject({ kind: 'start', from: 'oom-stopped', to: 'running' });
    expect(result.warnings[0]).toMatch(/^ledger was stopped by its memory limit/);
    expect(await h.outcome(result.operationId)).toMatchObject({ phase: 'done' });
    await h.waitFor('ledger running', () => h.app('ledger').status.kind === 'running');
    const seen = await h.deployment('ledger-web');
    expect(seen.status?.readyReplicas).toBe(1);
  });

  it('refuses Start for an app with nothing stopped', async () => {
    const error = errorOf(await h.call('app.start', { namespace: NS, app: 'portal' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/^portal has nothing stopped/);
  });
});

describe('a rollout that cannot complete', () => {
  it('fails with the reason when the pod quota leaves no room for the new pods', async () => {
    await h.waitFor('shop settled', () => h.app('shop').status.kind === 'running');
    const used = h.app('shop').podRoom.quotaUsed ?? 0;
    await h.core.patchNamespacedResourceQuota(
      { name: 'pod-quota', namespace: NS, body: { spec: { hard: { pods: String(used) } } } },
      merge,
    );
    try {
      const result = valueOf(await h.call('app.restart', SHOP_WEB));
      const outcome = await h.outcome(result.operationId);
      expect(outcome.phase).toBe('failed');
      expect(outcome.message).toMatch(/^The namespace pod quota refused new pods of web/);
      const [entry] = valueOf(await h.call('activity.list', { limit: 1 }));
      expect(entry).toMatchObject({ id: result.activity.id, result: 'failed' });
    } finally {
      await h.core.patchNamespacedResourceQuota(
        {
          name: 'pod-quota',
          namespace: NS,
          body: { spec: { hard: { pods: String(POD_QUOTA) } } },
        },
        merge,
      );
    }
  });
});
