import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Watch, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merge, strategic, useTestSandbox } from '../../fixtures/client-node-sandbox';
import { hasKubectl, kubectlFor, type Kubectl } from '../../fixtures/kubectl';
import { eventually } from '../../fixtures/sandbox';

/**
 * apps/v1 StatefulSets in the sandbox, through the real kubectl and client-node: a gunicorn web
 * process run as a StatefulSet `web` (app `shop`, behind a headless Service `shop`), applied,
 * scaled up and down, rolled, patched, and pushed past its memory limit. The tests run in order
 * and share the one StatefulSet.
 */

if (!hasKubectl)
  console.warn('kubectl is not installed: the StatefulSet tests against the sandbox are skipped');

const fx = useTestSandbox();
const NS = 'demo';
const SELECTOR = 'app.kubernetes.io/part-of=shop,app.kubernetes.io/component=web';
let kubectl: Kubectl;

const MANIFEST = `apiVersion: v1
kind: Service
metadata:
  name: shop
  namespace: ${NS}
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/part-of: shop
    app.kubernetes.io/component: web
  ports:
    - name: http
      port: 8050
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: ${NS}
spec:
  serviceName: shop
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/part-of: shop
      app.kubernetes.io/component: web
  template:
    metadata:
      labels:
        app.kubernetes.io/part-of: shop
        app.kubernetes.io/component: web
    spec:
      containers:
        - name: web
          image: registry.sandbox.local/demo/shop:1
          command: [gunicorn, app:server, --workers, "3", --bind, 0.0.0.0:8050]
          ports:
            - containerPort: 8050
`;

interface PodEvent {
  type: string;
  name: string;
  ready: boolean;
  deleting: boolean;
}

/** Watches the shop's pods while `during` runs, and hands back what was seen, in order. */
async function watchPods(during: () => Promise<void>): Promise<PodEvent[]> {
  const seen: PodEvent[] = [];
  const req = await new Watch(fx.admin).watch(
    `/api/v1/namespaces/${NS}/pods`,
    { labelSelector: SELECTOR },
    (type, pod: V1Pod) => {
      seen.push({
        type,
        name: pod.metadata?.name ?? '',
        ready:
          pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        deleting: pod.metadata?.deletionTimestamp !== undefined,
      });
    },
    () => undefined,
  );
  try {
    await during();
  } finally {
    req.abort();
  }
  return seen;
}

/** The order in which pods were first seen terminating. */
function deletionOrder(seen: PodEvent[]): string[] {
  const order: string[] = [];
  for (const e of seen) if (e.deleting && !order.includes(e.name)) order.push(e.name);
  return order;
}

async function livePods(): Promise<V1Pod[]> {
  const list = await fx.core.listNamespacedPod({ namespace: NS, labelSelector: SELECTOR });
  return list.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

function readSet(): Promise<V1StatefulSet> {
  return fx.apps.readNamespacedStatefulSet({ name: 'web', namespace: NS });
}

/** The StatefulSet once its rollout is complete as kubectl rollout status judges it. */
function rolledOut(): Promise<V1StatefulSet> {
  return eventually('the StatefulSet to finish rolling out', async () => {
    const set = await readSet();
    const s = set.status;
    const want = set.spec?.replicas ?? 1;
    return s &&
      (s.observedGeneration ?? 0) >= (set.metadata?.generation ?? 1) &&
      (s.readyReplicas ?? 0) === want &&
      (s.updatedReplicas ?? 0) === want &&
      s.replicas === want &&
      s.currentRevision === s.updateRevision
      ? set
      : undefined;
  });
}

describe.skipIf(!hasKubectl)('StatefulSets in the sandbox', () => {
  beforeAll(() => {
    kubectl = kubectlFor(() => fx.sandbox.kubeconfigPath);
  });
  afterAll(() => kubectl?.dispose());

  it('apply -f creates a StatefulSet that get sts, api-resources and rollout status know', async () => {
    const file = join(fx.sandbox.kubeconfigPath, '..', 'shop.yaml');
    writeFileSync(file, MANIFEST);
    const applied = await kubectl.ok('apply', '-f', file);
    expect(applied).toContain('service/shop created');
    expect(applied).toContain('statefulset.apps/web created');
    const status = await kubectl.ok('rollout', 'status', 'sts/web', '--timeout=60s');
    expect(status).toContain('partitioned roll out complete: 1 new pods have been updated');

    const lines = (await kubectl.ok('get', 'sts')).trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+AGE$/);
    expect(lines[1]).toMatch(/^web\s+1\/1\s+\d+s$/);
    const wide = await kubectl.ok('get', 'statefulsets.apps', '-o', 'wide');
    expect(wide).toMatch(/^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES$/m);
    expect(wide).toContain('registry.sandbox.local/demo/shop:1');
    const resources = await kubectl.ok('api-resources', '--api-group=apps');
    expect(resources).toMatch(/^statefulsets\s+sts\s+apps\/v1\s+true\s+StatefulSet$/m);
    // The same apply again changes nothing.
    expect(await kubectl.ok('apply', '-f', file)).toContain('statefulset.apps/web unchanged');
  });

  it('scale --replicas=3 makes web-1 then web-2, each once the one before is Ready, owned by the StatefulSet', async () => {
    const seen = await watchPods(async () => {
      expect(await kubectl.ok('scale', 'sts/web', '--replicas=3')).toContain(
        'statefulset.apps/web scaled',
      );
      await rolledOut();
    });
    const added = (name: string) => seen.findIndex((e) => e.type === 'ADDED' && e.name === name);
    const firstReady = (name: string) => seen.findIndex((e) => e.name === name && e.ready);
    expect(added('web-1')).toBeGreaterThan(firstReady('web-0'));
    expect(added('web-2')).toBeGreaterThan(firstReady('web-1'));
    expect(firstReady('web-1')).toBeGreaterThan(-1);

    const set = await readSet();
    const pods = await livePods();
    expect(pods.map((p) => p.metadata?.name)).toEqual(['web-0', 'web-1', 'web-2']);
    for (const pod of pods) {
      expect(pod.metadata?.ownerReferences).toEqual([
        expect.objectContaining({
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'web',
          uid: set.metadata?.uid,
          controller: true,
        }),
      ]);
      expect(pod.metadata?.labels).toMatchObject({
        'app.kubernetes.io/part-of': 'shop',
        'statefulset.kubernetes.io/pod-name': pod.metadata?.name,
        'controller-revision-hash': set.status?.updateRevision,
      });
      expect(pod.spec?.hostname).toBe(pod.metadata?.name);
      expect(pod.spec?.subdomain).toBe('shop');
    }
  });

  it('rollout status finishes after a template change, replacing pods from the highest ordinal down', async () => {
    const before = await readSet();
    const seen = await watchPods(async () => {
      await kubectl.ok('set', 'env', 'sts/web', 'GREETING=hello');
      const status = await kubectl.ok('rollout', 'status', 'sts/web', '--timeout=60s');
      expect(status).toContain('partitioned roll out complete: 3 new pods have been updated');
    });
    expect(deletionOrder(seen)).toEqual(['web-2', 'web-1', 'web-0']);
    const set = await readSet();
    expect(set.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 1);
    expect(set.status).toMatchObject({
      observedGeneration: set.metadata?.generation,
      replicas: 3,
      readyReplicas: 3,
      updatedReplicas: 3,
      currentReplicas: 3,
      availableReplicas: 3,
    });
    expect(set.status?.updateRevision).not.toBe(before.status?.updateRevision);
    expect(set.status?.currentRevision).toBe(set.status?.updateRevision);
    for (const pod of await livePods()) {
      expect(pod.metadata?.labels?.['controller-revision-hash']).toBe(set.status?.updateRevision);
      expect(pod.spec?.containers[0]?.env).toEqual([{ name: 'GREETING', value: 'hello' }]);
    }
    const history = await kubectl.ok('rollout', 'history', 'sts/web');
    expect(history).toMatch(/^1\s+<none>$/m);
    expect(history).toMatch(/^2\s+<none>$/m);
  });

  it('rollout restart replaces every pod', async () => {
    const before = new Set((await livePods()).map((p) => p.metadata?.uid));
    expect(await kubectl.ok('rollout', 'restart', 'sts/web')).toContain(
      'statefulset.apps/web restarted',
    );
    await kubectl.ok('rollout', 'status', 'sts/web', '--timeout=60s');
    const after = await livePods();
    expect(after).toHaveLength(3);
    for (const pod of after) {
      expect(before.has(pod.metadata?.uid)).toBe(false);
      expect(pod.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    }
  });

  it('rollout undo goes back to the template before the restart, from its ControllerRevision', async () => {
    expect(await kubectl.ok('rollout', 'undo', 'sts/web')).toContain(
      'statefulset.apps/web rolled back',
    );
    await kubectl.ok('rollout', 'status', 'sts/web', '--timeout=60s');
    const set = await rolledOut();
    expect(
      set.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
    ).toBeUndefined();
    for (const pod of await livePods()) {
      expect(pod.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
      expect(pod.spec?.containers[0]?.env).toEqual([{ name: 'GREETING', value: 'hello' }]);
    }
    // The template of revision 2 came back as revision 4; 1 and 3 stay in the history.
    const history = await kubectl.ok('rollout', 'history', 'sts/web');
    expect(history.match(/^\d+(?=\s+<none>$)/gm)).toEqual(['1', '3', '4']);
  });

  it('takes the three patch types and the scale subresource through client-node', async () => {
    const scale = await fx.apps.readNamespacedStatefulSetScale({ name: 'web', namespace: NS });
    expect(scale.spec?.replicas).toBe(3);
    expect(scale.status?.selector).toBe(
      'app.kubernetes.io/component=web,app.kubernetes.io/part-of=shop',
    );
    await fx.apps.patchNamespacedStatefulSet(
      {
        name: 'web',
        namespace: NS,
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: 'web', env: [{ name: 'MODE', value: 'x' }] }] },
            },
          },
        },
      },
      strategic,
    );
    let set = await readSet();
    expect(set.spec?.template.spec?.containers[0]?.env).toEqual([
      { name: 'GREETING', value: 'hello' },
      { name: 'MODE', value: 'x' },
    ]);
    await fx.apps.patchNamespacedStatefulSet({
      name: 'web',
      namespace: NS,
      body: [
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/image',
          value: 'registry.sandbox.local/demo/shop:2',
        },
      ],
    });
    await fx.apps.patchNamespacedStatefulSet(
      { name: 'web', namespace: NS, body: { metadata: { labels: { tier: 'frontend' } } } },
      merge,
    );
    set = await rolledOut();
    expect(set.metadata?.labels).toEqual({ tier: 'frontend' });
    for (const pod of await livePods()) {
      expect(pod.spec?.containers[0]?.image).toBe('registry.sandbox.local/demo/shop:2');
    }
  });

  it('scale down removes the highest ordinal first, one at a time', async () => {
    const seen = await watchPods(async () => {
      await fx.apps.patchNamespacedStatefulSetScale(
        { name: 'web', namespace: NS, body: { spec: { replicas: 1 } } },
        merge,
      );
      await eventually('only web-0 to be left', async () => {
        const list = await fx.core.listNamespacedPod({ namespace: NS, labelSelector: SELECTOR });
        return list.items.length === 1 && list.items[0]?.metadata?.name === 'web-0';
      });
    });
    expect(deletionOrder(seen)).toEqual(['web-2', 'web-1']);
    const web1Gone = seen.findIndex((e) => e.type === 'DELETED' && e.name === 'web-1');
    const web2Gone = seen.findIndex((e) => e.type === 'DELETED' && e.name === 'web-2');
    const web1Deleting = seen.findIndex((e) => e.name === 'web-1' && e.deleting);
    // web-1 is asked to go only once web-2 has gone.
    expect(web1Deleting).toBeGreaterThan(web2Gone);
    expect(web1Gone).toBeGreaterThan(web1Deleting);
    expect((await kubectl.ok('get', 'sts', 'web')).trim().split('\n')[1]).toMatch(/^web\s+1\/1\s/);
  });

  it('runs gunicorn pods under the memory model: metrics, and OOMKilled past the memory limit', async () => {
    await fx.apps.patchNamespacedStatefulSetScale(
      { name: 'web', namespace: NS, body: { spec: { replicas: 2 } } },
      merge,
    );
    await rolledOut();
    const top = await eventually('kubectl top to show the shop pods', async () => {
      const r = await kubectl.run('top', 'pod', '-l', SELECTOR);
      return r.code === 0 && r.stdout.includes('web-1') ? r.stdout : undefined;
    });
    expect(top).toMatch(/^web-0\s+\d+m\s+\d+Mi/m);
    // The LimitRange default (8Gi) is the limit; a surge past it kills the container.
    const pod = (await livePods())[0];
    expect(pod?.spec?.containers[0]?.resources?.limits?.['memory']).toBe('8Gi');
    fx.sandbox.triggerOom(NS, 'shop');
    const killed = await eventually('web-0 to be OOMKilled', async () => {
      const p = await fx.core.readNamespacedPod({ name: 'web-0', namespace: NS });
      const c = p.status?.containerStatuses?.[0];
      return c?.lastState?.terminated?.reason === 'OOMKilled' ? c : undefined;
    });
    expect(killed.lastState?.terminated?.exitCode).toBe(137);
    expect(killed.restartCount).toBeGreaterThan(0);
  });

  it('delete takes the pods and the revisions with the StatefulSet', async () => {
    await kubectl.ok('delete', 'sts', 'web');
    await eventually('the shop pods and revisions to be gone', async () => {
      const pods = await fx.core.listNamespacedPod({ namespace: NS, labelSelector: SELECTOR });
      const revisions = await fx.apps.listNamespacedControllerRevision({
        namespace: NS,
        labelSelector: SELECTOR,
      });
      return pods.items.length === 0 && revisions.items.length === 0;
    });
  });
});
