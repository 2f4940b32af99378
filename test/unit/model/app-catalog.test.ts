import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { AppSchema, PART_OF_LABEL, type App } from '../../../shared/app-model';
import { AppCatalog } from '../../../main/model/app-catalog';
import { objectKey } from '../../../main/kube/object-key';
import { catalogContext } from '../../fixtures/catalog-context';
import { deployment, pod } from '../../fixtures/kube-objects';
import {
  foreignPod,
  labelledDeployment,
  statefulSet,
  statefulSetPod,
} from '../../fixtures/workloads';

/**
 * A catalog over stores the test fills as ResourceWatch does: each object in its store before
 * the catalog is told of it.
 */
function newCatalog(groupingLabel = PART_OF_LABEL) {
  const deployments = new Map<string, V1Deployment>();
  const statefulSets = new Map<string, V1StatefulSet>();
  const pods = new Map<string, V1Pod>();
  const catalog = new AppCatalog(
    { deployments, statefulSets, pods },
    catalogContext(),
    groupingLabel,
  );
  return {
    catalog,
    upsertDeployment(d: V1Deployment) {
      deployments.set(objectKey(d), d);
      catalog.upsertWorkload('Deployment', d);
    },
    deleteDeployment(d: V1Deployment) {
      deployments.delete(objectKey(d));
      catalog.deleteWorkload('Deployment', d);
    },
    upsertStatefulSet(s: V1StatefulSet) {
      statefulSets.set(objectKey(s), s);
      catalog.upsertWorkload('StatefulSet', s);
    },
    upsertPod(p: V1Pod) {
      pods.set(objectKey(p), p);
      catalog.upsertPod(p);
    },
  };
}

function catalogWith(deployments: V1Deployment[], pods: V1Pod[], sets: V1StatefulSet[] = []) {
  const watched = newCatalog();
  for (const d of deployments) watched.upsertDeployment(d);
  for (const s of sets) watched.upsertStatefulSet(s);
  for (const p of pods) watched.upsertPod(p);
  watched.catalog.flush();
  return watched;
}

function app(catalog: AppCatalog, id: string): App {
  const found = catalog.get(id);
  if (!found) throw new Error(`no app ${id}`);
  return AppSchema.parse(found);
}

describe('app catalog: discovery', () => {
  it('groups Deployments by part-of into apps, with processes in Procfile order and the workspace apart', () => {
    const web = deployment({ app: 'sales', component: 'web', replicas: 2 });
    const worker = deployment({
      app: 'sales',
      component: 'worker',
      command: ['celery'],
      args: ['-A', 'tasks', 'worker'],
    });
    const beat = deployment({
      app: 'sales',
      component: 'beat',
      command: ['celery'],
      args: ['-A', 'tasks', 'beat'],
    });
    const workspace = deployment({
      app: 'sales',
      component: 'workspace',
      command: ['jupyter'],
      args: ['lab'],
    });
    const other = deployment({ app: 'hr', component: 'web' });
    const { catalog } = catalogWith([worker, workspace, beat, web, other], []);

    const sales = app(catalog, 'shop/sales');
    expect(sales.processes.map((p) => p.name)).toEqual(['web', 'beat', 'worker']);
    expect(sales.workspace?.name).toBe('workspace');
    expect(sales.groupedBy).toEqual({ rule: 'grouping-label', key: PART_OF_LABEL });
    expect(catalog.get('shop/hr')?.processes.map((p) => p.name)).toEqual(['web']);
  });

  it('lists a plain Deployment of kubectl create deployment as an app of its own', () => {
    const plain = labelledDeployment({
      name: 'plain',
      labels: { app: 'plain' },
      container: 'nginx',
    });
    const { catalog } = catalogWith([plain], []);
    const found = app(catalog, 'shop/plain');
    expect(found.groupedBy).toEqual({ rule: 'app-label', key: 'app' });
    expect(found.processes.map((p) => [p.name, p.workloadKind, p.deployment])).toEqual([
      ['nginx', 'Deployment', 'plain'],
    ]);
  });

  it('groups two gunicorn Deployments of a Helm release into one app with two processes', () => {
    const helm = (component: string) =>
      labelledDeployment({
        name: `shop-${component}`,
        labels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop' },
        annotations: { 'meta.helm.sh/release-name': 'shop' },
      });
    const { catalog } = catalogWith([helm('worker'), helm('web')], []);
    expect(catalog.list().map((a) => a.id)).toEqual(['shop/shop']);
    const shop = app(catalog, 'shop/shop');
    expect(shop.groupedBy.rule).toBe('helm-release');
    expect(shop.processes.map((p) => p.name)).toEqual(['web', 'worker']);
  });

  it('reads a StatefulSet as a process, its pods by their owner, its rollout by its revisions', () => {
    const db = statefulSet({ name: 'shop-db', labels: { app: 'shop' }, replicas: 2 });
    const { catalog } = catalogWith([], [statefulSetPod(db, 1), statefulSetPod(db, 0)], [db]);
    const process = app(catalog, 'shop/shop').processes[0]!;
    expect(process).toMatchObject({
      name: 'db',
      workloadKind: 'StatefulSet',
      deployment: 'shop-db',
      replicas: { desired: 2, ready: 2, updated: 2, available: 2 },
      rollout: { state: 'complete' },
    });
    expect(process.pods.map((p) => p.name)).toEqual(['shop-db-0', 'shop-db-1']);
  });

  it("never counts a StatefulSet's pod for a Deployment whose selector matches its labels", () => {
    // chart-web selects app=chart; chart-db's pods carry app=chart too.
    const web = labelledDeployment({ name: 'chart-web', labels: { app: 'chart' }, replicas: 1 });
    const db = statefulSet({ name: 'chart-db', labels: { app: 'chart' }, replicas: 1 });
    const webPod = pod({ deployment: web, index: 0 });
    const memory = new Map([
      [objectKey(webPod), 100],
      ['shop/chart-db-0', 5000],
    ]);
    const deployments = new Map([[objectKey(web), web]]);
    const statefulSets = new Map([[objectKey(db), db]]);
    const pods = new Map<string, V1Pod>();
    const catalog = new AppCatalog(
      { deployments, statefulSets, pods },
      catalogContext({ memory }),
      PART_OF_LABEL,
    );
    catalog.upsertWorkload('Deployment', web);
    catalog.upsertWorkload('StatefulSet', db);
    for (const p of [webPod, statefulSetPod(db, 0)]) {
      pods.set(objectKey(p), p);
      catalog.upsertPod(p);
    }
    const chart = app(catalog, 'shop/chart');
    const byWorkload = Object.fromEntries(
      chart.processes.map((p) => [p.deployment, p.pods.map((x) => x.name)]),
    );
    expect(byWorkload).toEqual({
      'chart-web': [webPod.metadata!.name],
      'chart-db': ['chart-db-0'],
    });
    expect(chart.processes.find((p) => p.deployment === 'chart-web')?.memoryUsedBytes).toBe(100);
  });

  it('counts no pod of a DaemonSet, a Job or of nobody, even where the selector matches it', () => {
    const web = labelledDeployment({ name: 'plain', labels: { app: 'plain' } });
    const strays = [
      foreignPod({
        name: 'exporter-x',
        labels: { app: 'plain' },
        owner: { kind: 'DaemonSet', name: 'exporter' },
      }),
      foreignPod({
        name: 'migrate-x',
        labels: { app: 'plain' },
        owner: { kind: 'Job', name: 'migrate' },
      }),
      foreignPod({ name: 'scratch', labels: { app: 'plain' } }),
    ];
    const { catalog } = catalogWith([web], [pod({ deployment: web, index: 0 }), ...strays]);
    expect(app(catalog, 'shop/plain').processes[0]?.pods).toHaveLength(1);
    expect(strays.map((p) => catalog.isListed(p))).toEqual([false, false, false]);
  });

  it('adopts pods that arrived before their workload', () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 1 });
    const watched = newCatalog();
    watched.upsertPod(pod({ deployment: web, index: 0 }));
    expect(watched.catalog.flush().upserted).toEqual([]);
    watched.upsertDeployment(web);
    const { upserted } = watched.catalog.flush();
    expect(upserted[0]?.processes[0]?.pods).toHaveLength(1);
  });

  it('moves a pod whose controller changes (orphaned, then adopted by another)', () => {
    const db = statefulSet({ name: 'db', labels: { app: 'db' } });
    const next = statefulSet({ name: 'db-next', labels: { app: 'db' } });
    const watched = catalogWith([], [statefulSetPod(db, 0)], [db, next]);
    const moved = statefulSetPod(db, 0);
    moved.metadata!.ownerReferences![0]!.name = 'db-next';
    watched.upsertPod(moved);
    const processes = app(watched.catalog, 'shop/db').processes;
    expect(processes.find((p) => p.deployment === 'db')?.pods).toEqual([]);
    expect(processes.find((p) => p.deployment === 'db-next')?.pods).toHaveLength(1);
  });

  it('flushes only the apps that changed, and reports removed apps', () => {
    const a = deployment({ app: 'a', component: 'web' });
    const b = deployment({ app: 'b', component: 'web' });
    const watched = catalogWith([a, b], []);
    watched.upsertPod(pod({ deployment: a, index: 0 }));
    watched.upsertPod(pod({ deployment: a, index: 1 }));
    watched.upsertPod(pod({ deployment: a, index: 2 }));
    const burst = watched.catalog.flush();
    expect(burst.upserted.map((x) => x.id)).toEqual(['shop/a']);
    watched.deleteDeployment(b);
    expect(watched.catalog.flush()).toEqual({ upserted: [], removed: ['shop/b'] });
  });

  it('moves a Deployment whose part-of label changes to its new app', () => {
    const web = deployment({ app: 'a', component: 'web' });
    const watched = catalogWith([web], []);
    const moved = deployment({ app: 'z', component: 'web' });
    moved.metadata!.name = web.metadata!.name;
    watched.upsertDeployment(moved);
    const changes = watched.catalog.flush();
    expect(changes.removed).toEqual(['shop/a']);
    expect(changes.upserted.map((x) => x.id)).toEqual(['shop/z']);
  });

  it('regroups every workload when the grouping label changes', () => {
    const team = (name: string, app: string) =>
      labelledDeployment({
        name,
        labels: { 'team.example.com/app': 'billing', [PART_OF_LABEL]: app },
      });
    const watched = catalogWith([team('invoices', 'invoices'), team('ledger', 'ledger')], []);
    expect(watched.catalog.list().map((a) => a.id)).toEqual(['shop/invoices', 'shop/ledger']);
    expect(watched.catalog.regroup('team.example.com/app')).toBe(true);
    const changes = watched.catalog.flush();
    expect(changes.removed.sort()).toEqual(['shop/invoices', 'shop/ledger']);
    expect(changes.upserted.map((a) => a.id)).toEqual(['shop/billing']);
    expect(
      app(watched.catalog, 'shop/billing')
        .processes.map((p) => p.deployment)
        .sort(),
    ).toEqual(['invoices', 'ledger']);
    expect(watched.catalog.regroup('team.example.com/app')).toBe(false);
  });
});

describe('app catalog: namespaces', () => {
  it("marks only the namespace's own apps when a namespace changes, including one moved in", () => {
    const a = deployment({ app: 'a', component: 'web', namespace: 'shop' });
    const b = deployment({ app: 'b', component: 'web', namespace: 'shop-2' });
    const watched = catalogWith([a, b], []);
    watched.catalog.markNamespace('shop');
    expect(watched.catalog.flush().upserted.map((x) => x.id)).toEqual(['shop/a']);
    // A namespace whose name another's starts with is not the other's.
    watched.catalog.markNamespace('shop-2');
    expect(watched.catalog.flush().upserted.map((x) => x.id)).toEqual(['shop-2/b']);
    // An app that left its namespace (its last workload moved to another app) is not marked.
    const moved = deployment({ app: 'c', component: 'web', namespace: 'shop' });
    moved.metadata!.name = a.metadata!.name;
    watched.upsertDeployment(moved);
    watched.catalog.flush();
    watched.catalog.markNamespace('shop');
    expect(watched.catalog.flush()).toEqual({
      upserted: [expect.objectContaining({ id: 'shop/c' })],
      removed: [],
    });
    expect([...watched.catalog.namespaces()].sort()).toEqual(['shop', 'shop-2']);
    watched.deleteDeployment(b);
    watched.catalog.flush();
    expect([...watched.catalog.namespaces()]).toEqual(['shop']);
  });
});

describe('app catalog: reads', () => {
  it('changes nothing on a read: an app read before the flush is still sent by it', () => {
    const a = deployment({ app: 'a', component: 'web' });
    const b = deployment({ app: 'b', component: 'web' });
    const watched = catalogWith([a, b], []);
    watched.upsertPod(pod({ deployment: a, index: 0 }));
    watched.deleteDeployment(b);
    // The reader sees the change at once...
    expect(watched.catalog.get('shop/a')?.processes[0]?.pods).toHaveLength(1);
    expect(watched.catalog.get('shop/b')).toBeUndefined();
    expect(watched.catalog.list().map((x) => x.id)).toEqual(['shop/a']);
    // ...and the flush still has it to send.
    const changes = watched.catalog.flush();
    expect(changes.upserted.map((x) => x.id)).toEqual(['shop/a']);
    expect(changes.removed).toEqual(['shop/b']);
  });

  it('reads workloads from the stores it was given, keeping no copy of its own', () => {
    const web = deployment({ app: 'a', component: 'web' });
    const db = statefulSet({ name: 'a-web', labels: { app: 'a' } });
    const watched = catalogWith([web], [], [db]);
    expect(watched.catalog.workload('Deployment', 'shop', web.metadata!.name!)).toBe(web);
    // A StatefulSet may share a Deployment's name: the kind tells them apart.
    expect(watched.catalog.workload('StatefulSet', 'shop', 'a-web')).toBe(db);
    watched.deleteDeployment(web);
    expect(watched.catalog.workload('Deployment', 'shop', web.metadata!.name!)).toBeUndefined();
  });
});
