import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  merge,
  patchContainer,
  strategic,
  useTestSandbox,
} from '../../fixtures/client-node-sandbox';
import { eventually, failure } from '../../fixtures/sandbox';

/** Writes to the sandbox API (scale, patches, dry runs), through @kubernetes/client-node. */

const fx = useTestSandbox();

async function readyDeployment(name: string, namespace = 'demo'): Promise<V1Deployment> {
  return eventually(`deployment ${name} to finish rolling out`, async () => {
    const d = await fx.apps.readNamespacedDeployment({ name, namespace });
    const want = d.spec?.replicas ?? 1;
    const s = d.status ?? {};
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    return (d.metadata?.generation ?? 0) <= (s.observedGeneration ?? 0) &&
      (s.updatedReplicas ?? 0) === want &&
      (s.replicas ?? 0) === want &&
      (s.availableReplicas ?? 0) === want &&
      progressing?.reason === 'NewReplicaSetAvailable'
      ? d
      : undefined;
  });
}

describe('sandbox API with @kubernetes/client-node', () => {
  it('scales through the scale subresource, and pods follow', async () => {
    const scale = await fx.apps.patchNamespacedDeploymentScale(
      { name: 'inventory-web', namespace: 'demo', body: { spec: { replicas: 3 } } },
      merge,
    );
    expect(scale.spec?.replicas).toBe(3);
    expect(scale.status?.selector).toContain('app.kubernetes.io/part-of=inventory');
    const d = await readyDeployment('inventory-web');
    expect(d.status?.readyReplicas).toBe(3);
    const pods = await fx.core.listNamespacedPod({
      namespace: 'demo',
      labelSelector: 'app.kubernetes.io/part-of=inventory,app.kubernetes.io/component=web',
    });
    const live = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
    expect(live).toHaveLength(3);
    // Pods are named like real ones: <deployment>-<template hash>-<5 chars>, owned by a ReplicaSet.
    for (const p of live) {
      expect(p.metadata?.name).toMatch(/^inventory-web-[a-z0-9]{6,10}-[a-z0-9]{5}$/);
      expect(p.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
    }
    expect(new Set(live.map((p) => p.spec?.nodeName)).size).toBe(3);

    await fx.apps.replaceNamespacedDeploymentScale({
      name: 'inventory-web',
      namespace: 'demo',
      body: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'inventory-web', namespace: 'demo' },
        spec: { replicas: 1 },
      },
    });
    await eventually('inventory-web to shrink to one pod', async () => {
      const list = await fx.core.listNamespacedPod({
        namespace: 'demo',
        labelSelector: 'app.kubernetes.io/part-of=inventory,app.kubernetes.io/component=web',
      });
      return list.items.length === 1;
    });
  });

  it('rolls pods over when the restartedAt template annotation is patched, as kubectl rollout restart does', async () => {
    const before = await fx.core.listNamespacedPod({
      namespace: 'demo',
      labelSelector: 'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
    });
    const oldNames = new Set(before.items.map((p) => p.metadata?.name));
    const original = await fx.apps.readNamespacedDeployment({
      name: 'sales-dash-web',
      namespace: 'demo',
    });
    const restartedAt = new Date().toISOString();
    const patched = await fx.apps.patchNamespacedDeployment(
      {
        name: 'sales-dash-web',
        namespace: 'demo',
        body: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } },
            },
          },
        },
      },
      strategic,
    );
    expect(patched.metadata?.generation).toBe((original.metadata?.generation ?? 0) + 1);
    // The strategic merge kept the containers and the labels.
    expect(patched.spec?.template.spec?.containers[0]?.args).toEqual(
      original.spec?.template.spec?.containers[0]?.args,
    );
    expect(patched.spec?.template.metadata?.labels).toEqual(
      original.spec?.template.metadata?.labels,
    );

    const done = await readyDeployment('sales-dash-web');
    expect(done.status?.observedGeneration).toBe(patched.metadata?.generation);
    const after = await eventually('old pods to terminate', async () => {
      const list = await fx.core.listNamespacedPod({
        namespace: 'demo',
        labelSelector: 'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
      });
      return list.items.length === 2 ? list.items : undefined;
    });
    for (const pod of after) {
      expect(oldNames.has(pod.metadata?.name)).toBe(false);
      expect(pod.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe(restartedAt);
    }
    const sets = await fx.apps.listNamespacedReplicaSet({
      namespace: 'demo',
      labelSelector: 'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
    });
    expect(sets.items.length).toBe(2);
    expect(sets.items.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2]);
  });

  it('merges containers by name in a strategic merge patch and replaces lists in a merge patch', async () => {
    await patchContainer(
      fx.apps,
      { name: 'kpi-board-worker', namespace: 'analytics' },
      { name: 'worker', env: [{ name: 'LOG_LEVEL', value: 'debug' }] },
    );
    const d = await fx.apps.readNamespacedDeployment({
      name: 'kpi-board-worker',
      namespace: 'analytics',
    });
    const c = d.spec?.template.spec?.containers[0];
    expect(c?.image).toContain('kpi-board');
    expect(c?.command?.[0]).toBe('celery');
    expect(c?.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);

    const jsonPatched = await fx.apps.patchNamespacedDeployment({
      name: 'kpi-board-worker',
      namespace: 'analytics',
      body: [
        { op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: 'info' },
      ],
    });
    expect(jsonPatched.spec?.template.spec?.containers[0]?.env?.[0]?.value).toBe('info');
  });

  it('checks but does not write a dryRun=All request', async () => {
    const before = await fx.apps.readNamespacedDeployment({
      name: 'ml-explorer-workspace',
      namespace: 'analytics',
    });
    const preview = await fx.apps.patchNamespacedDeploymentScale(
      {
        name: 'ml-explorer-workspace',
        namespace: 'analytics',
        body: { spec: { replicas: 0 } },
        dryRun: 'All',
      },
      merge,
    );
    expect(preview.spec?.replicas).toBe(0);
    const created = await fx.apps.createNamespacedDeployment({
      namespace: 'analytics',
      dryRun: 'All',
      body: { metadata: { name: 'preview-only' }, spec: before.spec! },
    });
    expect(created.metadata?.name).toBe('preview-only');
    const after = await fx.apps.readNamespacedDeployment({
      name: 'ml-explorer-workspace',
      namespace: 'analytics',
    });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(
      (
        await failure(
          fx.apps.readNamespacedDeployment({ name: 'preview-only', namespace: 'analytics' }),
        )
      ).code,
    ).toBe(404);
    const invalid = await failure(
      fx.apps.patchNamespacedDeploymentScale(
        {
          name: 'ml-explorer-workspace',
          namespace: 'analytics',
          body: { spec: { replicas: -3 } },
          dryRun: 'All',
        },
        merge,
      ),
    );
    expect(invalid.code).toBe(422);
  });
});
