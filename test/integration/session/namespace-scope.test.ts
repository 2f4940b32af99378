import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../shared/contract';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import { LIST_PAGE_SIZE } from '../../../main/kube/paged-list';
import { ResourceWatch } from '../../../main/kube/resource-watch';
import { startSandbox, type Sandbox } from '../../../main/sandbox';
import { ClusterSession } from '../../../main/session/cluster-session';
import { HOLDS_A_SLOT } from '../../../main/session/node-placements';
import { EventBus } from '../../../main/transport/event-bus';
import { recordSandboxRequests, type ReceivedRequest } from '../../fixtures/sandbox-requests';
import { until } from '../../fixtures/services';

/**
 * Size: a one-namespace view asks the API server about that namespace (and the nodes) only, lists
 * in pages, and reads the rest of the cluster's pods (for the free node slots) only once the node
 * room is wanted; counted on the sandbox's side.
 */

const NS = 'demo';
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ metricsIntervalMs: 60_000, readyDelayMs: 100 });
});
afterAll(async () => {
  await sandbox?.stop();
});

function session(context = 'sandbox'): ClusterSession {
  return new ClusterSession({
    kubeConfig: kubeConfigForContext(loadKubeconfig([sandbox.kubeconfigPath]), context, [
      sandbox.kubeconfigPath,
    ]),
    contextName: context,
    namespace: NS,
    source: 'kubeconfig',
    kubeconfigPaths: [sandbox.kubeconfigPath],
    bus: new EventBus(),
    settings: () => SettingsSchema.parse({}),
    timing: { metricsIntervalMs: 60 * 60_000 },
  });
}

/**
 * A request about objects outside the namespace: a resource path (not discovery, not /version)
 * that is not under /namespaces/demo/, other than the nodes and the user's own access reviews.
 */
function outsideNamespace(request: ReceivedRequest): boolean {
  const parts = request.path.split('/').filter(Boolean);
  // /api/v1/<resource>... or /apis/<group>/<version>/<resource>...
  const rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : [];
  if (rest.length === 0) return false;
  if (rest[0] === 'namespaces' && rest[1] === NS && rest.length > 2) return false;
  return !['nodes', 'selfsubjectaccessreviews'].includes(rest[0] ?? '');
}

describe('a one-namespace session', () => {
  it('asks about nothing outside its namespace but the nodes, and lists in pages', async () => {
    const recorder = recordSandboxRequests(sandbox.port);
    const live = session();
    try {
      await live.start();
      await until('the apps of demo', () => live.listApps().length > 0);
      const outside = recorder.requests.filter(outsideNamespace);
      expect(outside.map((r) => `${r.method} ${r.path}?${r.query.toString()}`)).toEqual([]);
      const lists = recorder.requests.filter(
        (r) => r.method === 'GET' && r.query.get('watch') === null && r.path.endsWith('/pods'),
      );
      expect(lists.length).toBeGreaterThan(0);
      for (const list of recorder.requests.filter(
        (r) => r.query.get('watch') === null && /\/(deployments|pods|nodes|services)$/.test(r.path),
      )) {
        if (list.path.startsWith('/apis/metrics.k8s.io')) continue;
        expect(list.query.get('limit')).toBe(String(LIST_PAGE_SIZE));
      }
      // Node room is not known until wanted: no pod of another namespace was read.
      const app = live.listApps()[0]!;
      expect(app.podRoom.nodesFree).toBeNull();

      // The app on screen: the cluster's pod placements read once, paged and filtered.
      live.historyOf(app.id, '15m', 10);
      const room = await until('the node room of the app on screen', () => {
        const free = live.getApp(app.id)?.podRoom.nodesFree;
        return typeof free === 'number' ? free : undefined;
      });
      expect(room).toBeGreaterThan(0);
      const placements = recorder.requests.filter(outsideNamespace);
      expect(placements.map((r) => r.path)).toEqual(['/api/v1/pods']);
      expect(placements[0]?.query.get('fieldSelector')).toBe(HOLDS_A_SLOT);
      expect(placements[0]?.query.get('limit')).toBe(String(LIST_PAGE_SIZE));
      // Looked at again within 30 s: the placements are still fresh, nothing is asked.
      live.historyOf(app.id, '15m', 10);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(recorder.requests.filter(outsideNamespace)).toHaveLength(1);
    } finally {
      recorder.stop();
      await live.stop();
    }
  }, 30_000);
});

describe('paged lists against the API server', () => {
  it("gets every object over several pages and watches from the first page's version", async () => {
    const kubeConfig = kubeConfigForContext(loadKubeconfig([sandbox.kubeconfigPath]), 'sandbox', [
      sandbox.kubeconfigPath,
    ]);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const all = await core.listNamespacedPod({ namespace: NS });
    expect(all.items.length).toBeGreaterThan(4);
    const firstVersions: string[] = [];
    let synced: () => void = () => {};
    const listed = new Promise<void>((resolve) => (synced = resolve));
    const watch = new ResourceWatch<V1Pod>({
      kubeConfig,
      path: `/api/v1/namespaces/${NS}/pods`,
      type: 'V1Pod',
      list: async (page) => {
        const list = await core.listNamespacedPod({ namespace: NS, ...page });
        if (!page._continue) firstVersions.push(list.metadata?.resourceVersion ?? '');
        return list;
      },
      request: { resource: 'pods', namespace: NS },
      onEvent: () => {},
      onSynced: () => synced(),
      pageSize: 2,
    });
    const recorder = recordSandboxRequests(sandbox.port);
    try {
      watch.start();
      await listed;
      await until('the watch to start', () =>
        recorder.requests.some((r) => r.query.get('watch') === 'true'),
      );
      const names = new Set(all.items.map((p) => p.metadata?.name));
      for (const name of watch.items.keys()) expect(names.has(name.split('/')[1])).toBe(true);
      expect(watch.items.size).toBe(all.items.length);
      const pages = recorder.requests.filter((r) => r.query.get('watch') === null);
      expect(pages.length).toBe(Math.ceil(all.items.length / 2));
      expect(pages.slice(1).every((r) => r.query.get('continue') !== null)).toBe(true);
      const started = recorder.requests.find((r) => r.query.get('watch') === 'true');
      expect(started?.query.get('resourceVersion')).toBe(firstVersions[0]);
    } finally {
      recorder.stop();
      await watch.stop();
    }
  });
});
