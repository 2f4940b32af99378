import { AutoscalingV2Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentReplicas } from '../../fixtures/autoscalers';
import { eventually, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * The `mixed` namespace of the sandbox's seed: apps labelled by Helm, by hand and by Argo CD, the
 * seeded HPA and its controller (syncing every 200 ms here), and pods of other owners.
 */

let fx: SandboxFixture;
let v2: AutoscalingV2Api;

beforeAll(async () => {
  fx = await startTestSandbox({ hpaSyncIntervalMs: 200 });
  v2 = fx.admin.makeApiClient(AutoscalingV2Api);
});
afterAll(async () => {
  await fx?.sandbox.stop();
});

describe('the mixed namespace of the seed', () => {
  it('has a Helm release, a plain Deployment and an Argo CD app, none labelled part-of', async () => {
    const list = await fx.apps.listNamespacedDeployment({ namespace: 'mixed' });
    const byName = new Map(list.items.map((d) => [d.metadata?.name, d]));
    const web = byName.get('storefront-web');
    expect(web?.metadata?.labels).toMatchObject({
      'app.kubernetes.io/name': 'storefront',
      'app.kubernetes.io/instance': 'storefront',
    });
    expect(web?.metadata?.annotations?.['meta.helm.sh/release-name']).toBe('storefront');
    expect(byName.get('storefront-worker')?.spec?.template.spec?.containers[0]?.command?.[0]).toBe(
      'gunicorn',
    );
    expect(byName.get('plain')?.metadata?.labels).toEqual({ app: 'plain' });
    expect(byName.get('reports-web')?.metadata?.annotations).toMatchObject({
      'argocd.argoproj.io/tracking-id': 'reports:apps/Deployment:mixed/reports-web',
    });
    expect(byName.get('reports-web')?.metadata?.labels?.['app.kubernetes.io/instance']).toBe(
      'reports',
    );
    const partOf = list.items.filter((d) => d.metadata?.labels?.['app.kubernetes.io/part-of']);
    expect(partOf.map((d) => d.metadata?.name).sort()).toEqual(['checkout-web', 'checkout-worker']);
  });

  it('autoscales checkout web with an HPA of 2 to 5 on 70 % CPU, holding it at 2', async () => {
    const hpa = await eventually('the seeded HPA measured', async () => {
      const h = await v2.readNamespacedHorizontalPodAutoscaler({
        namespace: 'mixed',
        name: 'checkout-web',
      });
      return h.status?.currentMetrics?.length ? h : undefined;
    });
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'checkout-web' },
      minReplicas: 2,
      maxReplicas: 5,
    });
    expect(hpa.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(70);
    expect(hpa.status?.currentReplicas).toBe(2);
    expect(await deploymentReplicas(fx, 'mixed', 'checkout-web')).toBe(2);
  });

  it('has pods owned by a DaemonSet, by nobody, and by a StatefulSet the plain selector also matches', async () => {
    const pods = await fx.core.listNamespacedPod({ namespace: 'mixed' });
    const byName = new Map(pods.items.map((p) => [p.metadata?.name, p]));
    const daemon = byName.get('node-exporter-7xk2p');
    expect(daemon?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'DaemonSet',
      name: 'node-exporter',
      controller: true,
    });
    expect(daemon?.status?.phase).toBe('Running');
    const bare = byName.get('scratch-web');
    expect(bare?.metadata?.ownerReferences ?? []).toEqual([]);
    expect(bare?.status?.phase).toBe('Running');

    const plain = await fx.core.listNamespacedPod({
      namespace: 'mixed',
      labelSelector: 'app=plain',
    });
    // The plain Deployment's one pod, and the StatefulSet's (2 seeded; an HPA on it may add one).
    const owners = plain.items.map((p) => p.metadata?.ownerReferences?.[0]?.kind);
    expect(owners.filter((k) => k === 'ReplicaSet')).toHaveLength(1);
    expect(owners.filter((k) => k === 'StatefulSet').length).toBeGreaterThanOrEqual(2);
  });
});
