import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { AppSchema, type App } from '../../../shared/app-model';
import { AppCatalog } from '../../../main/model/app-catalog';
import { objectKey } from '../../../main/model/object-key';
import { catalogContext } from '../../fixtures/catalog-context';
import { deployment, pod } from '../../fixtures/kube-objects';

/**
 * A catalog over stores the test fills as ResourceWatch does: each object in its store before
 * the catalog is told of it.
 */
function newCatalog() {
  const deployments = new Map<string, V1Deployment>();
  const pods = new Map<string, V1Pod>();
  const catalog = new AppCatalog({ deployments, pods }, catalogContext());
  return {
    catalog,
    upsertDeployment(d: V1Deployment) {
      deployments.set(objectKey(d), d);
      catalog.upsertDeployment(d);
    },
    deleteDeployment(d: V1Deployment) {
      deployments.delete(objectKey(d));
      catalog.deleteDeployment(d);
    },
    upsertPod(p: V1Pod) {
      pods.set(objectKey(p), p);
      catalog.upsertPod(p);
    },
  };
}

function catalogWith(deployments: V1Deployment[], pods: V1Pod[]) {
  const watched = newCatalog();
  for (const d of deployments) watched.upsertDeployment(d);
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
    expect(catalog.get('shop/hr')?.processes.map((p) => p.name)).toEqual(['web']);
  });

  it('attaches pods by their ReplicaSet owner, and by selector where there is no owner', () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 2 });
    const pods = [
      pod({ deployment: web, index: 0 }),
      pod({ deployment: web, index: 1, owned: false }),
    ];
    const { catalog } = catalogWith([web], pods);
    expect(app(catalog, 'shop/a').processes[0]?.pods.map((p) => p.name)).toEqual([
      'a-web-5d8f7c9b4-0',
      'a-web-5d8f7c9b4-1',
    ]);
  });

  it('adopts pods that arrived before their Deployment', () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 1 });
    const watched = newCatalog();
    watched.upsertPod(pod({ deployment: web, index: 0 }));
    expect(watched.catalog.flush().upserted).toEqual([]);
    watched.upsertDeployment(web);
    const { upserted } = watched.catalog.flush();
    expect(upserted[0]?.processes[0]?.pods).toHaveLength(1);
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

  it('reads Deployments from the store it was given, keeping no copy of its own', () => {
    const web = deployment({ app: 'a', component: 'web' });
    const watched = catalogWith([web], []);
    expect(watched.catalog.deployment('shop', web.metadata!.name!)).toBe(web);
    watched.deleteDeployment(web);
    expect(watched.catalog.deployment('shop', web.metadata!.name!)).toBeUndefined();
  });
});
