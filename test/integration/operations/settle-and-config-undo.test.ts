import { beforeAll, describe, expect, it } from 'vitest';
import { OOM_AFTER_CHANGE } from '../../../shared/undo-offer';
import { processDeployment } from '../../fixtures/kube-objects';
import { NS, errorOf, valueOf, useHarness } from '../../fixtures/operations-harness';

/**
 * The settle time against the sandbox, whose gunicorn memory model OOMs a replica whose workers
 * pass its limit: a worker count that does ends failed, "OOMKilled after the change", and can be
 * undone; one that does not is done only once its new pods have stayed ready for the setting.
 * And a count a config file sets: ScaleDesk adds `--workers N`, Undo removes exactly that.
 */

const h = useHarness();
const HEAVY = { namespace: NS, app: 'heavy', process: 'web' };
const CONFIGURED = { namespace: NS, app: 'configured', process: 'web' };

async function containerLine(name: string): Promise<string[]> {
  const container = (await h.deployment(name)).spec?.template.spec?.containers[0];
  return [...(container?.command ?? []), ...(container?.args ?? [])];
}

beforeAll(async () => {
  // One worker fits 2 GiB whatever the app's profile (at most 400 + 600 MiB); 12 never do.
  await h.apps.createNamespacedDeployment({
    namespace: NS,
    body: processDeployment({
      app: 'heavy',
      component: 'web',
      procfileIndex: 0,
      replicas: 1,
      container: {
        name: 'web',
        image: 'registry.sandbox.local/heavy:1',
        command: ['gunicorn', 'app:server', '--workers', '1'],
        resources: { limits: { memory: '2Gi' } },
      },
    }),
  });
  await h.apps.createNamespacedDeployment({
    namespace: NS,
    body: processDeployment({
      app: 'configured',
      component: 'web',
      procfileIndex: 0,
      replicas: 1,
      container: {
        name: 'web',
        image: 'registry.sandbox.local/configured:1',
        command: ['gunicorn'],
        args: ['-c', 'gunicorn.conf.py', 'app:server'],
        resources: { limits: { memory: '4Gi' } },
      },
    }),
  });
  await h.waitFor('heavy and configured in the model, ready', () =>
    ['heavy', 'configured'].every(
      (name) => h.live.getApp(`${NS}/${name}`)?.processes[0]?.replicas.ready === 1,
    ),
  );
}, 60_000);

describe('a worker count predicted to pass the limit', () => {
  it('is refused, nothing sent, until the admin acknowledges it', async () => {
    await h.waitFor('memory per worker of heavy', () => {
      const web = h.live.getApp(`${NS}/heavy`)?.processes[0];
      return web?.memoryPerWorkerBytes !== null && web?.memoryPerWorkerBytes !== undefined;
    });
    const refused = errorOf(await h.call('process.setWorkers', { ...HEAVY, workers: 60 }));
    expect(refused).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('Acknowledge it to save anyway'),
      details: expect.objectContaining({ field: 'acknowledgeRisk' }),
    });
    expect(await containerLine('heavy-web')).toEqual(['gunicorn', 'app:server', '--workers', '1']);
  });
});

describe('the settle time', () => {
  it('ends a worker count that OOMs within it failed, "OOMKilled after the change", and Undo brings the count back', async () => {
    h.settings.set({ settleSeconds: 10 });
    // The admin acknowledged the predicted pass over the limit (once memory per worker is known).
    const result = valueOf(
      await h.call('process.setWorkers', { ...HEAVY, workers: 12, acknowledgeRisk: true }),
    );
    const outcome = await h.outcome(result.operationId);
    expect(outcome.phase).toBe('failed');
    expect(outcome.message.startsWith(`${OOM_AFTER_CHANGE}: web's new pod heavy-web-`)).toBe(true);
    const [entry] = await h.ops['activity.list']({ limit: 1 });
    expect(entry).toMatchObject({ id: result.activity.id, result: 'failed', from: 1, to: 12 });

    h.settings.set({ settleSeconds: 1 });
    const undone = valueOf(await h.call('activity.undo', { id: result.activity.id }));
    expect(undone.activity).toMatchObject({ undoOf: result.activity.id, from: 12, to: 1 });
    expect((await h.outcome(undone.operationId)).phase).toBe('done');
    expect(await containerLine('heavy-web')).toEqual(['gunicorn', 'app:server', '--workers', '1']);
  }, 60_000);

  it('is done only once the new pods have stayed ready for the setting', async () => {
    h.settings.set({ settleSeconds: 3 });
    const sent = Date.now();
    const result = valueOf(await h.call('process.setWorkers', { ...HEAVY, workers: 2 }));
    await h.waitFor('the new pods ready, settling', () =>
      h
        .progressOf(result.operationId)
        .find((e) => e.message.startsWith('The new pods are ready; done once they have stayed up')),
    );
    const outcome = await h.outcome(result.operationId);
    expect(outcome).toMatchObject({ phase: 'done', message: 'web runs 2 workers per replica.' });
    expect(Date.now() - sent).toBeGreaterThanOrEqual(3_000);
  }, 60_000);
});

describe('a worker count set by a config file', () => {
  it("reads as the config file's, and Undo removes exactly the --workers ScaleDesk added", async () => {
    h.settings.set({ settleSeconds: 0 });
    const before = await containerLine('configured-web');
    expect(h.app('configured').processes[0]?.workers).toMatchObject({
      count: null,
      configFile: 'gunicorn.conf.py',
    });
    expect(h.app('configured').processes[0]?.memoryPerWorkerBytes).toBeNull();

    const result = valueOf(await h.call('process.setWorkers', { ...CONFIGURED, workers: 3 }));
    expect(result.activity).toMatchObject({ from: null, to: 3 });
    expect(result.warnings).toContain(
      '--workers 3 on the command line now overrides the count in gunicorn.conf.py; Undo removes it again.',
    );
    expect((await h.outcome(result.operationId)).phase).toBe('done');
    expect(await containerLine('configured-web')).toEqual([...before, '--workers', '3']);

    const undone = valueOf(await h.call('activity.undo', { id: result.activity.id }));
    expect(undone.activity).toMatchObject({ from: 3, to: null, undoOf: result.activity.id });
    const outcome = await h.outcome(undone.operationId);
    expect(outcome).toMatchObject({
      phase: 'done',
      message: "web's worker count is set by its config file (gunicorn.conf.py) again.",
    });
    expect(await containerLine('configured-web')).toEqual(before);
  }, 60_000);
});
