import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, failure, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * Memory limits in the sandbox through client-node over HTTPS, as ScaleDesk writes them: a
 * quota refusal's Status, a LimitRange updated under its resourceVersion, and the gunicorn
 * memory model holding each replica to its own pod's limit, so only a raised limit (not a
 * restart) ends an OOM loop caused by the workers' steady use.
 */

let fx: SandboxFixture;
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

beforeAll(async () => {
  fx = await startTestSandbox();
});
afterAll(async () => {
  await fx?.sandbox.stop();
});

async function webPods(app: string): Promise<V1Pod[]> {
  const list = await fx.core.listNamespacedPod({
    namespace: 'demo',
    labelSelector: `app.kubernetes.io/part-of=${app},app.kubernetes.io/component=web`,
  });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

function limitOf(pod: V1Pod): string | undefined {
  return pod.spec?.containers[0]?.resources?.limits?.['memory'];
}

function oomKilled(pod: V1Pod): boolean {
  return (pod.status?.containerStatuses ?? []).some(
    (c) => c.lastState?.terminated?.reason === 'OOMKilled',
  );
}

function patchWeb(app: string, container: Record<string, unknown>): Promise<unknown> {
  return fx.apps.patchNamespacedDeployment(
    {
      name: `${app}-web`,
      namespace: 'demo',
      body: { spec: { template: { spec: { containers: [{ name: 'web', ...container }] } } } },
    },
    strategic,
  );
}

describe('memory limits with client-node', () => {
  it('gets the quota’s 403 Forbidden Status for a pod past the demo limits.memory quota', async () => {
    const refused = await failure(
      fx.core.createNamespacedPod({
        namespace: 'demo',
        body: {
          metadata: { name: 'too-much' },
          spec: {
            containers: [{ name: 'web', image: 'x:1', resources: { limits: { memory: '128Gi' } } }],
          },
        },
      }),
    );
    expect(refused.code).toBe(403);
    expect(refused.body.reason).toBe('Forbidden');
    expect(refused.body.message).toBe(
      'pods "too-much" is forbidden: exceeded quota: pod-quota, requested: limits.memory=128Gi, used: limits.memory=132Gi, limited: limits.memory=256Gi',
    );
  });

  it('updates a LimitRange under its resourceVersion, 409 for a stale one', async () => {
    const range = await fx.core.readNamespacedLimitRange({
      name: 'memory-defaults',
      namespace: 'analytics',
    });
    const updated = await fx.core.replaceNamespacedLimitRange({
      name: 'memory-defaults',
      namespace: 'analytics',
      body: {
        ...range,
        spec: {
          limits: [
            {
              type: 'Container',
              _default: { memory: '12Gi' },
              defaultRequest: { memory: '256Mi' },
            },
          ],
        },
      },
    });
    expect(updated.spec?.limits[0]?._default?.['memory']).toBe('12Gi');
    const stale = await failure(
      fx.core.replaceNamespacedLimitRange({
        name: 'memory-defaults',
        namespace: 'analytics',
        body: range,
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
  });

  it('keeps OOMKilling a process whose workers pass its limit after a restart, until its limit is raised', async () => {
    // forecast: 1024 + 5 x 1550 MiB = 8774 MiB steady, past its 8Gi.
    await patchWeb('forecast', {
      command: ['gunicorn', 'app:server', '--workers', '5', '--bind', '0.0.0.0:8050'],
    });
    await eventually(
      'the 5-worker pods are OOMKilled at 8Gi',
      async () => {
        const pods = await webPods('forecast');
        const fiveWorkers = pods.filter((p) => p.spec?.containers[0]?.command?.includes('5'));
        return (
          fiveWorkers.length > 0 &&
          fiveWorkers.every((p) => limitOf(p) === '8Gi') &&
          fiveWorkers.some(oomKilled)
        );
      },
      20_000,
    );
    await patchWeb('forecast', { resources: { limits: { memory: '12Gi' } } });
    const healthy = await eventually(
      'two 12Gi pods ready',
      async () => {
        const pods = await webPods('forecast');
        return pods.length === 2 &&
          pods.every((p) => limitOf(p) === '12Gi' && p.status?.containerStatuses?.[0]?.ready)
          ? pods
          : undefined;
      },
      20_000,
    );
    // Several metrics intervals (each checks memory against the limit) later, still up.
    await new Promise((r) => setTimeout(r, 1000));
    const later = await webPods('forecast');
    expect(later.map((p) => p.metadata?.uid).sort()).toEqual(
      healthy.map((p) => p.metadata?.uid).sort(),
    );
    expect(later.some(oomKilled)).toBe(false);
  });
});
