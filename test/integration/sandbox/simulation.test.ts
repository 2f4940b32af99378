import { CoreV1Api, Metrics, topPods, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  merge,
  patchContainer,
  strategic,
  useTestSandbox,
} from '../../fixtures/client-node-sandbox';
import { eventually, failure } from '../../fixtures/sandbox';

const fx = useTestSandbox();

const selector = (app: string, component = 'web') =>
  `app.kubernetes.io/part-of=${app},app.kubernetes.io/component=${component}`;

async function pods(namespace: string, app: string, component = 'web'): Promise<V1Pod[]> {
  return (await fx.core.listNamespacedPod({ namespace, labelSelector: selector(app, component) }))
    .items;
}

function oomKilled(pod: V1Pod): boolean {
  return pod.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled';
}

function ready(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

async function restart(namespace: string, deployment: string): Promise<void> {
  await fx.apps.patchNamespacedDeployment(
    {
      name: deployment,
      namespace,
      body: {
        spec: {
          template: {
            metadata: {
              annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() },
            },
          },
        },
      },
    },
    strategic,
  );
}

describe('memory, metrics and the OOM crash loop', () => {
  it('serves pod and node metrics that client-node Metrics and topPods read', async () => {
    const metrics = new Metrics(fx.admin);
    const podMetrics = await eventually('pod metrics for demo', async () => {
      const m = await metrics.getPodMetrics('demo');
      return m.items.length > 0 ? m : undefined;
    });
    const forecast = podMetrics.items.find((p) => p.metadata.name.startsWith('forecast-web-'));
    expect(forecast?.containers[0]?.usage.memory).toMatch(/^\d+Ki$/);
    const nodes = await metrics.getNodeMetrics();
    expect(nodes.items.map((n) => n.metadata.name)).toContain('sandbox-node-1');

    const top = await topPods(fx.core, metrics, 'demo');
    const forecastTop = top.find((p) => p.Pod.metadata?.name?.startsWith('forecast-web-'));
    const used = Number(forecastTop?.Memory.CurrentUsage ?? 0);
    const limit = Number(forecastTop?.Memory.LimitTotal ?? 0);
    // forecast runs close to its 8Gi default limit (from the LimitRange), but below it.
    expect(limit).toBe(8 * 1024 ** 3);
    expect(used / limit).toBeGreaterThan(0.8);
    expect(used / limit).toBeLessThan(1);
  });

  it('memory follows the gunicorn worker count: fewer workers, less memory', async () => {
    const metrics = new Metrics(fx.admin);
    const usage = async (prefix: string) => {
      const m = await metrics.getPodMetrics('demo');
      const items = m.items.filter((p) => p.metadata.name.startsWith(prefix));
      if (items.length === 0) return undefined;
      return (
        items.reduce(
          (n, p) => n + Number(p.containers[0]?.usage.memory.replace('Ki', '')) * 1024,
          0,
        ) / items.length
      );
    };
    const before = await eventually('forecast metrics', () => usage('forecast-web-'));
    await patchContainer(
      fx.apps,
      { name: 'forecast-web', namespace: 'demo' },
      {
        name: 'web',
        command: ['gunicorn', 'app:server', '--workers', '2', '--bind', '0.0.0.0:8050'],
      },
    );
    const after = await eventually('forecast pods with two workers to report metrics', async () => {
      const list = await pods('demo', 'forecast');
      const fresh = list.filter((p) => p.spec?.containers[0]?.command?.includes('2') && ready(p));
      if (fresh.length !== 2 || list.length !== 2) return undefined;
      const m = await metrics.getPodMetrics('demo');
      const items = m.items.filter((p) => fresh.some((f) => f.metadata?.name === p.metadata.name));
      if (items.length !== 2) return undefined;
      return (
        items.reduce(
          (n, p) => n + Number(p.containers[0]?.usage.memory.replace('Ki', '')) * 1024,
          0,
        ) / 2
      );
    });
    expect(after).toBeLessThan(before * 0.75);
  });

  it('shows the seeded churn-report as stopped by its memory limit, and a restart brings it back', async () => {
    const stopped = await pods('demo', 'churn-report');
    expect(stopped).toHaveLength(2);
    for (const pod of stopped) {
      const status = pod.status?.containerStatuses?.[0];
      expect(oomKilled(pod)).toBe(true);
      expect(status?.lastState?.terminated?.exitCode).toBe(137);
      expect(status?.restartCount).toBeGreaterThanOrEqual(5);
      expect(ready(pod)).toBe(false);
    }
    const d = await fx.apps.readNamespacedDeployment({
      name: 'churn-report-web',
      namespace: 'demo',
    });
    expect(d.status?.availableReplicas ?? 0).toBe(0);
    expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('False');

    await restart('demo', 'churn-report-web');
    const fresh = await eventually('fresh churn-report pods to be ready', async () => {
      const list = await pods('demo', 'churn-report');
      return list.length === 2 && list.every((p) => ready(p) && !oomKilled(p)) ? list : undefined;
    });
    // They stay up over several metric scrapes, each of which checks the memory limits: below
    // the limit now. A scrape is seen by the new timestamp of the node metrics it serves.
    const metrics = new Metrics(fx.admin);
    const scrapes = new Set<string>();
    await eventually('four more metric scrapes', async () => {
      for (const node of (await metrics.getNodeMetrics()).items) scrapes.add(node.timestamp);
      return scrapes.size > 4;
    });
    const later = await pods('demo', 'churn-report');
    expect(later.map((p) => p.metadata?.name).sort()).toEqual(
      fresh.map((p) => p.metadata?.name).sort(),
    );
    expect(later.every((p) => p.status?.containerStatuses?.[0]?.restartCount === 0)).toBe(true);
  });

  it('triggerOom sends an app into the OOMKilled crash loop', async () => {
    fx.sandbox.triggerOom('demo', 'pricing-api');
    const looping = await eventually('pricing-api to crash-loop', async () => {
      const list = await pods('demo', 'pricing-api');
      return list.every(
        (p) => oomKilled(p) && (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2,
      )
        ? list
        : undefined;
    });
    const waiting = looping
      .map((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason)
      .filter(Boolean);
    expect(waiting.every((r) => r === 'CrashLoopBackOff')).toBe(true);
    // Its own 2Gi limit is what it passed.
    expect(looping[0]?.spec?.containers[0]?.resources?.limits?.['memory']).toBe('2Gi');
    const events = await fx.core.listNamespacedEvent({
      namespace: 'demo',
      fieldSelector: `involvedObject.name=${looping[0]?.metadata?.name}`,
    });
    expect(events.items.some((e: CoreV1Event) => e.reason === 'BackOff')).toBe(true);
  });
});

describe('scheduling and the pod quota', () => {
  it('spreads replicas over nodes and refuses pods past the namespace quota, saying why on the Deployment', async () => {
    const quota = await fx.core.readNamespacedResourceQuota({
      name: 'pod-quota',
      namespace: 'demo',
    });
    const hard = Number(quota.spec?.hard?.['pods']);
    const used = Number(quota.status?.used?.['pods']);
    expect(hard).toBe(40);
    expect(used).toBeGreaterThan(0);
    const room = hard - used;
    // The seed's limits.memory cap would bind first (memory-kubectl.test.ts covers it): lift it.
    await fx.core.patchNamespacedResourceQuota(
      { name: 'pod-quota', namespace: 'demo', body: { spec: { hard: { 'limits.memory': null } } } },
      merge,
    );

    await fx.apps.patchNamespacedDeploymentScale(
      { name: 'sales-dash-worker', namespace: 'demo', body: { spec: { replicas: 1 + room + 3 } } },
      merge,
    );
    const blocked = await eventually('the quota to block the scale-up', async () => {
      const d = await fx.apps.readNamespacedDeployment({
        name: 'sales-dash-worker',
        namespace: 'demo',
      });
      const failureCondition = d.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
      return failureCondition?.status === 'True' ? { d, failureCondition } : undefined;
    });
    expect(blocked.failureCondition.reason).toBe('FailedCreate');
    expect(blocked.failureCondition.message).toContain('exceeded quota: pod-quota');
    const events = await fx.core.listNamespacedEvent({
      namespace: 'demo',
      fieldSelector: 'reason=FailedCreate',
    });
    expect(events.items[0]?.message).toContain(
      'forbidden: exceeded quota: pod-quota, requested: pods=1',
    );
    // Repeated refusals of the same ReplicaSet fold into one event.
    expect(new Set(events.items.map((e) => e.involvedObject.name)).size).toBe(events.items.length);
    // The namespace fills up to its quota exactly, and what fits runs.
    const workers = await eventually(
      'the workers that fit to be ready, with the quota full',
      async () => {
        const q = await fx.core.readNamespacedResourceQuota({
          name: 'pod-quota',
          namespace: 'demo',
        });
        const list = await pods('demo', 'sales-dash', 'worker');
        return q.status?.used?.['pods'] === '40' &&
          list.length > 1 &&
          list.length < 1 + room + 3 &&
          list.every(ready)
          ? list
          : undefined;
      },
    );
    expect(new Set(workers.map((p) => p.spec?.nodeName)).size).toBe(3);
    const full = await fx.core.readNamespacedResourceQuota({
      name: 'pod-quota',
      namespace: 'demo',
    });
    expect(full.status?.used?.['pods']).toBe('40');

    // A pod created directly gets the same 403.
    const direct = await failure(
      fx.core.createNamespacedPod({
        namespace: 'demo',
        body: {
          metadata: { name: 'one-more' },
          spec: { containers: [{ name: 'x', image: 'busybox' }] },
        },
      }),
    );
    expect(direct.code).toBe(403);
    expect(direct.body.message).toContain('exceeded quota');

    await fx.apps.patchNamespacedDeploymentScale(
      { name: 'sales-dash-worker', namespace: 'demo', body: { spec: { replicas: 1 } } },
      merge,
    );
    await eventually('the ReplicaFailure condition to clear', async () => {
      const d = await fx.apps.readNamespacedDeployment({
        name: 'sales-dash-worker',
        namespace: 'demo',
      });
      return (
        !d.status?.conditions?.some((c) => c.type === 'ReplicaFailure') &&
        d.status?.availableReplicas === 1
      );
    });
  });
});

describe('app endpoints through the service proxy', () => {
  it('answers for an app with ready pods and 503 for an app with none', async () => {
    const core = fx.admin.makeApiClient(CoreV1Api);
    // A healthy app still serves the odd 500 from its views (the load model's 0.2 %): asked again.
    const page = await eventually('the kpi-board page', () =>
      core.connectGetNamespacedServiceProxyWithPath({
        name: 'kpi-board:8050',
        namespace: 'analytics',
        path: '',
      }),
    );
    expect(String(page)).toContain('<title>kpi-board</title>');
    const health = await core.connectGetNamespacedServiceProxyWithPath({
      name: 'kpi-board',
      namespace: 'analytics',
      path: 'healthz',
    });
    expect(typeof health === 'string' ? JSON.parse(health) : health).toMatchObject({
      status: 'ok',
      app: 'kpi-board',
    });

    await fx.apps.patchNamespacedDeploymentScale(
      { name: 'kpi-board-web', namespace: 'analytics', body: { spec: { replicas: 0 } } },
      merge,
    );
    await eventually(
      'kpi-board to have no pods',
      async () => (await pods('analytics', 'kpi-board')).length === 0,
    );
    const down = await failure(
      core.connectGetNamespacedServiceProxyWithPath({
        name: 'kpi-board:8050',
        namespace: 'analytics',
        path: '',
      }),
    );
    expect(down.code).toBe(503);
  });
});
