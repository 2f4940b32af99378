import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import type { SessionPort } from '../../../main/operations/session-port';
import { createOperations } from '../../../main/operations';
import type { ActivityEntry } from '../../../shared/activity-entry';
import { strategic } from '../../fixtures/client-node-sandbox';
import { eventually } from '../../fixtures/sandbox';
import {
  NS,
  SHOP_WEB,
  TRACKING,
  errorOf,
  useHarness,
  valueOf,
} from '../../fixtures/operations-harness';

const h = useHarness();

const WEB_LIMIT = '{.spec.template.spec.containers[0].resources.limits.memory}';

async function webLimitByKubectl(): Promise<string> {
  return h.kubectl('get', 'deploy', 'shop-web', '-o', `jsonpath=${WEB_LIMIT}`);
}

/** Waits until the model shows web's template at `bytes` per replica, its rollout done. */
async function webSettledAt(bytes: number): Promise<void> {
  await h.waitFor(`shop web at ${bytes} bytes, settled`, () => {
    const web = h.app('shop').processes[0];
    return (
      web &&
      (web.memoryLimit.next?.bytes ?? web.memoryLimit.bytes) === bytes &&
      web.rollout.state === 'complete'
    );
  });
}

/** The activity entry of a change once it has settled (no longer pending). */
async function settledEntry(id: string): Promise<ActivityEntry> {
  return eventually(`entry ${id} settled`, async () => {
    const found = valueOf(await h.call('activity.list', { limit: 1000 })).find((e) => e.id === id);
    return found && found.result !== 'pending' ? found : undefined;
  });
}

describe('set a memory limit', () => {
  it('plans a raise: the new app maximum, a node that fits, the pods replaced, the command', async () => {
    const plan = valueOf(await h.call('process.planMemoryLimit', { ...SHOP_WEB, limit: '12Gi' }));
    expect(plan).toMatchObject({
      limit: '12Gi',
      limitBytes: 12 * GIB,
      currentBytes: 8 * GIB,
      replacesPods: 2,
      requestLowered: false,
      fitsNode: { fits: true },
      predictedOverLimit: false,
      command: `kubectl set resources deployment/shop-web -c web --limits=memory=12Gi -n ${NS} --context sandbox`,
    });
  });

  it('raises the limit through ScaleDesk as kubectl sees it, and Undo puts it back', async () => {
    const result = valueOf(
      await h.call('process.setMemoryLimit', {
        ...SHOP_WEB,
        limit: '12Gi',
        expectedLimitBytes: 8 * GIB,
      }),
    );
    expect(result.activity).toMatchObject({
      kind: 'memory-limit',
      from: '8Gi',
      to: '12Gi',
      result: 'pending',
    });
    expect((await h.outcome(result.operationId)).phase).toBe('done');
    expect(await webLimitByKubectl()).toBe('12Gi');
    // Nothing else of the container was touched.
    const container = (await h.deployment('shop-web')).spec?.template.spec?.containers[0];
    expect(container?.args).toContain('--workers');

    await webSettledAt(12 * GIB);
    const undone = valueOf(await h.call('activity.undo', { id: result.activity.id }));
    expect(undone.activity).toMatchObject({ kind: 'memory-limit', from: '12Gi', to: '8Gi' });
    expect((await h.outcome(undone.operationId)).phase).toBe('done');
    expect(await webLimitByKubectl()).toBe('8Gi');
    await webSettledAt(8 * GIB);
  });

  it.each([
    ['0', /more than 0/],
    ['8 GB', /Kubernetes quantity/],
    ['-1Gi', /Kubernetes quantity/],
    ['64Gi', /more than any node has/],
  ])('refuses %s with a message and sends nothing', async (limit, message) => {
    const writes = h.writes();
    const error = errorOf(await h.call('process.setMemoryLimit', { ...SHOP_WEB, limit }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
    expect(h.writes()).toBe(writes);
  });

  it('refuses a limit the namespace quota on limits.memory cannot take, before anything is sent', async () => {
    await h.core.createNamespacedResourceQuota({
      namespace: NS,
      body: { metadata: { name: 'memory-quota' }, spec: { hard: { 'limits.memory': '40Gi' } } },
    });
    try {
      await h.waitFor('the memory quota with its usage in the session', () =>
        h.live.memoryRoom
          .of(NS)
          .quotas.find((q) => q.resource === 'limits.memory' && q.usedBytes > 0),
      );
      // 28Gi used, web's 16Gi of it: with 2 × 16Gi, 44Gi.
      const plan = valueOf(await h.call('process.planMemoryLimit', { ...SHOP_WEB, limit: '16Gi' }));
      expect(plan.quota).toMatchObject({
        resource: 'limits.memory',
        hardBytes: 40 * GIB,
        afterBytes: 44 * GIB,
        fits: false,
      });
      const writes = h.writes();
      const error = errorOf(
        await h.call('process.setMemoryLimit', { ...SHOP_WEB, limit: '16Gi', force: true }),
      );
      expect(error.code).toBe('QUOTA_EXCEEDED');
      expect(error.message).toMatch(/quota on limits\.memory allows 40 GiB/);
      expect(h.writes()).toBe(writes);
    } finally {
      await h.core.deleteNamespacedResourceQuota({ name: 'memory-quota', namespace: NS });
    }
  });

  it('asks for an acknowledgement where a replica already uses more than the new limit', async () => {
    const used = await h.waitFor('web memory measured', () =>
      h.app('shop').processes[0]?.pods.every((p) => p.memoryBytes !== null)
        ? h.app('shop').processes[0]!.pods
        : null,
    );
    const below = Math.max(
      1,
      Math.floor(Math.min(...used.map((p) => p.memoryBytes!)) / 2 ** 20) - 1,
    );
    const writes = h.writes();
    const error = errorOf(
      await h.call('process.setMemoryLimit', { ...SHOP_WEB, limit: `${below}Mi` }),
    );
    expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'acknowledgeRisk' } });
    expect(h.writes()).toBe(writes);
  });

  it('is a CONFLICT naming the limit now where kubectl changed it since the admin read it', async () => {
    await h.kubectl('set', 'resources', 'deployment/shop-web', '-c', 'web', '--limits=memory=10Gi');
    await webSettledAt(10 * GIB);
    const writes = h.writes();
    const error = errorOf(
      await h.call('process.setMemoryLimit', {
        ...SHOP_WEB,
        limit: '12Gi',
        expectedLimitBytes: 8 * GIB,
      }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(
      /changed by someone else.*now 10 GiB per replica.*yours was 12Gi/,
    );
    expect(h.writes()).toBe(writes);
    expect(await webLimitByKubectl()).toBe('10Gi');
  });

  it('is written once a 409 on an old version is judged again and the limit is still the one seen', async () => {
    const before = structuredClone(h.live.getWorkload('Deployment', NS, 'shop-web'));
    await h.kubectl('annotate', 'deployment/shop-web', 'example.com/note=moved', '--overwrite');
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
      getWorkload: (kind, namespace, name) => {
        if (!staleRead) return live.getWorkload(kind, namespace, name);
        staleRead = false;
        return before;
      },
      onAppChange: (id, listener) => live.onAppChange(id, listener),
      probeEndpoint: (id) => live.probeEndpoint(id),
      memoryRoom: live.memoryRoom,
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
      await h.call(
        'process.setMemoryLimit',
        { ...SHOP_WEB, limit: '11Gi', expectedLimitBytes: 10 * GIB },
        ops,
      ),
    );
    // Refused once at the old version (409), judged again on the Deployment as it is: written.
    expect(h.writes() - writes).toBe(2);
    expect((await h.outcome(result.operationId)).phase).toBe('done');
    expect(await webLimitByKubectl()).toBe('11Gi');
  });

  it('ends superseded where someone else sets another limit on the container while it rolls out', async () => {
    const result = valueOf(await h.call('process.setMemoryLimit', { ...SHOP_WEB, limit: '9Gi' }));
    // As `kubectl set resources deployment/shop-web -c web --limits=memory=14Gi` writes it, at
    // once: before the new pods of ScaleDesk's change can be ready.
    await h.apps.patchNamespacedDeployment(
      {
        name: 'shop-web',
        namespace: NS,
        fieldManager: 'kubectl-set',
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: 'web', resources: { limits: { memory: '14Gi' } } }] },
            },
          },
        },
      },
      strategic,
    );
    const entry = await settledEntry(result.activity.id);
    expect(entry.result).toBe('superseded');
    // Named where the cluster was read to confirm it (managedFields); the watch's copy has none.
    expect(entry.message).toMatch(
      /^Superseded by (someone else \(field manager kubectl-set\)|a later change): web now has a memory limit of 14Gi per replica\.$/,
    );
    expect(await webLimitByKubectl()).toBe('14Gi');
    await webSettledAt(14 * GIB);
  });

  it("ends superseded where ScaleDesk's own next limit replaced it, and the next one done", async () => {
    const first = valueOf(await h.call('process.setMemoryLimit', { ...SHOP_WEB, limit: '10Gi' }));
    const second = valueOf(
      await h.call('process.setMemoryLimit', {
        ...SHOP_WEB,
        limit: '12Gi',
        expectedLimitBytes: 10 * GIB,
      }),
    );
    expect(await settledEntry(first.activity.id)).toMatchObject({
      result: 'superseded',
      message: 'Superseded by a later change: web now has a memory limit of 12Gi per replica.',
    });
    expect(await settledEntry(second.activity.id)).toMatchObject({
      result: 'done',
      message: 'web runs with a memory limit of 12Gi per replica.',
    });
    await webSettledAt(12 * GIB);
  });
});
