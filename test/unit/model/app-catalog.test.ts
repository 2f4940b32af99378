import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { GIB, AppSchema, type App } from '../../../shared/app-model';
import {
  AppCatalog,
  appStatus,
  processOf,
  rolloutOf,
  selectorMatches,
  type CatalogContext,
} from '../../../main/model/app-catalog';
import { UNKNOWN_PERMISSIONS } from '../../../main/model/rbac-permissions';
import { deployment, pod } from '../../fixtures/kube-objects';

const MIB = 1024 ** 2;

function context(
  overrides: Partial<Omit<CatalogContext, 'memory'>> & { memory?: Map<string, number> } = {},
): CatalogContext {
  const memory = overrides.memory ?? new Map<string, number>();
  return {
    limitDefault: overrides.limitDefault ?? (() => null),
    podRoom: overrides.podRoom ?? (() => ({ quotaUsed: null, quotaHard: null, nodesFree: null })),
    permissions: overrides.permissions ?? (() => UNKNOWN_PERMISSIONS),
    endpoint: overrides.endpoint ?? (() => null),
    memory: (key) => memory.get(key),
  };
}

function catalogWith(
  deployments: V1Deployment[],
  pods: V1Pod[],
  ctx: CatalogContext = context(),
): AppCatalog {
  const catalog = new AppCatalog(ctx);
  for (const d of deployments) catalog.upsertDeployment(d);
  for (const p of pods) catalog.upsertPod(p);
  catalog.flush();
  return catalog;
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
    const catalog = catalogWith([worker, workspace, beat, web, other], []);

    const sales = app(catalog, 'shop/sales');
    expect(sales.processes.map((p) => p.name)).toEqual(['web', 'beat', 'worker']);
    expect(sales.workspace?.name).toBe('workspace');
    expect(catalog.get('shop/hr')?.processes.map((p) => p.name)).toEqual(['web']);
  });

  it('follows the procfile-index annotation over the web-first rule', () => {
    const web = deployment({ app: 'a', component: 'web', procfileIndex: 1 });
    const worker = deployment({ app: 'a', component: 'worker', procfileIndex: 0 });
    const catalog = catalogWith([web, worker], []);
    expect(app(catalog, 'shop/a').processes.map((p) => p.name)).toEqual(['worker', 'web']);
  });

  it('shows the Procfile line as the shell would and reads the gunicorn workers', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      command: ['gunicorn'],
      args: [
        'app:server',
        '--bind',
        '0.0.0.0:8000',
        '-w',
        '3',
        '--preload',
        '--log-format',
        '%(h)s %(r)s',
      ],
    });
    const shell = deployment({
      app: 'b',
      component: 'web',
      command: ['sh', '-c'],
      args: ['exec gunicorn app:server --workers=$WEB_CONCURRENCY'],
      env: { WEB_CONCURRENCY: '5' },
    });
    const worker = deployment({
      app: 'a',
      component: 'worker',
      command: ['celery'],
      args: ['-A', 'tasks', 'worker'],
    });
    const catalog = catalogWith([web, shell, worker], []);
    const [aWeb, aWorker] = app(catalog, 'shop/a').processes;
    expect(aWeb?.command).toBe(
      "gunicorn app:server --bind 0.0.0.0:8000 -w 3 --preload --log-format '%(h)s %(r)s'",
    );
    expect(aWeb?.workers).toEqual({ count: 3, spelling: '-w', preload: true });
    expect(aWorker?.workers).toBeNull();
    const bWeb = app(catalog, 'shop/b').processes[0];
    expect(bWeb?.command).toBe('exec gunicorn app:server --workers=$WEB_CONCURRENCY');
    expect(bWeb?.workers?.count).toBe(5);
  });

  it('attaches pods by their ReplicaSet owner, and by selector where there is no owner', () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 2 });
    const pods = [
      pod({ deployment: web, index: 0 }),
      pod({ deployment: web, index: 1, owned: false }),
    ];
    const catalog = catalogWith([web], pods);
    expect(app(catalog, 'shop/a').processes[0]?.pods.map((p) => p.name)).toEqual([
      'a-web-5d8f7c9b4-0',
      'a-web-5d8f7c9b4-1',
    ]);
  });

  it('adopts pods that arrived before their Deployment', () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 1 });
    const catalog = new AppCatalog(context());
    catalog.upsertPod(pod({ deployment: web, index: 0 }));
    expect(catalog.flush().upserted).toEqual([]);
    catalog.upsertDeployment(web);
    const { upserted } = catalog.flush();
    expect(upserted[0]?.processes[0]?.pods).toHaveLength(1);
  });

  it('reports pod details: node, readiness, restarts, waiting reason and last termination', () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 2 });
    const catalog = catalogWith(
      [web],
      [
        pod({ deployment: web, index: 0, node: 'n1' }),
        pod({
          deployment: web,
          index: 1,
          node: 'n2',
          ready: false,
          restarts: 4,
          waiting: 'CrashLoopBackOff',
          lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
        }),
      ],
    );
    const [first, second] = app(catalog, 'shop/a').processes[0]!.pods;
    expect(first).toMatchObject({
      node: 'n1',
      ready: true,
      restarts: 0,
      waitingReason: null,
      lastTermination: null,
    });
    expect(second).toMatchObject({
      node: 'n2',
      ready: false,
      restarts: 4,
      waitingReason: 'CrashLoopBackOff',
      lastTermination: {
        reason: 'OOMKilled',
        exitCode: 137,
        finishedAt: '2025-01-01T10:30:00.000Z',
      },
      createdAt: '2025-01-01T10:00:00.000Z',
    });
  });

  it('flushes only the apps that changed, and reports removed apps', () => {
    const a = deployment({ app: 'a', component: 'web' });
    const b = deployment({ app: 'b', component: 'web' });
    const catalog = catalogWith([a, b], []);
    catalog.upsertPod(pod({ deployment: a, index: 0 }));
    catalog.upsertPod(pod({ deployment: a, index: 1 }));
    catalog.upsertPod(pod({ deployment: a, index: 2 }));
    const burst = catalog.flush();
    expect(burst.upserted.map((x) => x.id)).toEqual(['shop/a']);
    catalog.deleteDeployment(b);
    expect(catalog.flush()).toEqual({ upserted: [], removed: ['shop/b'] });
  });

  it('moves a Deployment whose part-of label changes to its new app', () => {
    const web = deployment({ app: 'a', component: 'web' });
    const catalog = catalogWith([web], []);
    const moved = deployment({ app: 'z', component: 'web' });
    moved.metadata!.name = web.metadata!.name;
    catalog.upsertDeployment(moved);
    const changes = catalog.flush();
    expect(changes.removed).toEqual(['shop/a']);
    expect(changes.upserted.map((x) => x.id)).toEqual(['shop/z']);
  });
});

describe('app catalog: memory', () => {
  it("sums the limits of all replicas and the workspace: DOMAIN's 1 web at 2 replicas plus a workspace is 24 GiB", () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 2 });
    const workspace = deployment({
      app: 'a',
      component: 'workspace',
      command: ['jupyter'],
      args: ['lab'],
    });
    const catalog = catalogWith([web, workspace], []);
    const a = app(catalog, 'shop/a');
    expect(a.memory.maxBytes).toBe(24 * GIB);
    expect(a.processes[0]?.memoryLimit).toEqual({ bytes: 8 * GIB, source: 'default' });
  });

  it('takes the limit from the container, else the LimitRange default, else 8 GiB', () => {
    const own = deployment({ app: 'a', component: 'web', replicas: 3, memoryLimit: '1536Mi' });
    const ranged = deployment({
      app: 'a',
      component: 'worker',
      command: ['celery'],
      args: ['worker'],
    });
    const catalog = catalogWith([own, ranged], [], context({ limitDefault: () => 2 * GIB }));
    const [web, worker] = app(catalog, 'shop/a').processes;
    expect(web?.memoryLimit).toEqual({ bytes: 1536 * MIB, source: 'container' });
    expect(worker?.memoryLimit).toEqual({ bytes: 2 * GIB, source: 'limitrange' });
    expect(app(catalog, 'shop/a').memory.maxBytes).toBe(3 * 1536 * MIB + 2 * GIB);
  });

  it('sums memory in use per process and app, and divides per worker', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      replicas: 2,
      args: ['app:server', '--workers', '4'],
    });
    const workspace = deployment({
      app: 'a',
      component: 'workspace',
      command: ['jupyter'],
      args: ['lab'],
    });
    const pods = [
      pod({ deployment: web, index: 0 }),
      pod({ deployment: web, index: 1 }),
      pod({ deployment: workspace, index: 0 }),
    ];
    const memory = new Map([
      ['shop/a-web-5d8f7c9b4-0', 800 * MIB],
      ['shop/a-web-5d8f7c9b4-1', 1200 * MIB],
      ['shop/a-workspace-5d8f7c9b4-0', 500 * MIB],
    ]);
    const catalog = catalogWith([web, workspace], pods, context({ memory }));
    const a = app(catalog, 'shop/a');
    expect(a.processes[0]?.memoryUsedBytes).toBe(2000 * MIB);
    // (2000 MiB over 2 replicas) over 4 workers
    expect(a.processes[0]?.memoryPerWorkerBytes).toBe(250 * MIB);
    expect(a.memory.usedBytes).toBe(2500 * MIB);
  });

  it('has no usage, not zero, where metrics have nothing yet', () => {
    const web = deployment({ app: 'a', component: 'web' });
    const catalog = catalogWith([web], [pod({ deployment: web, index: 0 })]);
    expect(app(catalog, 'shop/a').memory.usedBytes).toBeNull();
    expect(app(catalog, 'shop/a').processes[0]?.memoryPerWorkerBytes).toBeNull();
  });
});

describe('app status', () => {
  const fine = (replicas = 2) => deployment({ app: 'a', component: 'web', replicas });

  it('is running when every replica is ready and rolled out', () => {
    const web = fine();
    const catalog = catalogWith(
      [web],
      [pod({ deployment: web, index: 0 }), pod({ deployment: web, index: 1 })],
    );
    expect(app(catalog, 'shop/a').status.kind).toBe('running');
  });

  it('is stopped by its memory limit when the containers were OOMKilled and keep restarting', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      replicas: 2,
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 0,
        availableReplicas: 0,
      },
    });
    const oom = {
      ready: false,
      restarts: 6,
      waiting: 'CrashLoopBackOff',
      lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
    };
    const catalog = catalogWith(
      [web],
      [pod({ deployment: web, index: 0, ...oom }), pod({ deployment: web, index: 1, ...oom })],
    );
    const status = app(catalog, 'shop/a').status;
    expect(status.kind).toBe('oom-stopped');
    expect(status.message).toMatch(/memory limit/);
    expect(status.message).toMatch(/8 GiB/);
  });

  it('is degraded, not stopped, while some replicas still serve next to an OOM-killed one', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      replicas: 2,
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
      },
    });
    const catalog = catalogWith(
      [web],
      [
        pod({ deployment: web, index: 0 }),
        pod({
          deployment: web,
          index: 1,
          ready: false,
          waiting: 'CrashLoopBackOff',
          lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
        }),
      ],
    );
    // 1 of 2 available looks like an unfinished rollout, but a crash loop will not finish it.
    const status = app(catalog, 'shop/a').status;
    expect(status.kind).toBe('degraded');
    expect(status.message).toMatch(/web: 1 replica\(s\) stopped by the memory limit/);
  });

  it('is scaled to zero when no process wants a replica', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      replicas: 0,
      status: { observedGeneration: 1, replicas: 0 },
      annotations: { 'scaledesk.io/replicas-before-stop': '3' },
    });
    const a = app(catalogWith([web], []), 'shop/a');
    expect(a.status.kind).toBe('scaled-to-zero');
    expect(a.processes[0]?.replicasBeforeStop).toBe(3);
    expect(a.memory.maxBytes).toBe(0);
  });

  it('is deploying with progress while new replicas come up', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      replicas: 4,
      generation: 3,
      status: {
        observedGeneration: 3,
        replicas: 5,
        updatedReplicas: 2,
        readyReplicas: 3,
        availableReplicas: 3,
      },
    });
    const status = app(catalogWith([web], []), 'shop/a').status;
    expect(status.kind).toBe('deploying');
    expect(status.progress).toBeCloseTo(0.5);
  });

  it('says why a rollout failed: the progress deadline, or the quota refusing pods', () => {
    const deadline = deployment({
      app: 'a',
      component: 'web',
      replicas: 2,
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "a-web-1" has timed out progressing.',
          },
        ],
      },
    });
    expect(rolloutOf(deadline)).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/progress deadline/),
    });
    const quota = deployment({
      app: 'b',
      component: 'web',
      replicas: 5,
      status: {
        observedGeneration: 1,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        conditions: [
          {
            type: 'ReplicaFailure',
            status: 'True',
            reason: 'FailedCreate',
            message:
              'pods "b-web-x" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10',
          },
        ],
      },
    });
    const status = app(catalogWith([quota], []), 'shop/b').status;
    expect(status.kind).toBe('degraded');
    expect(status.message).toMatch(/exceeded quota/);
  });

  it('judges the workspace apart: only scaled processes can stop the app', () => {
    const web = fine(1);
    const webProcess = processOf(web, [pod({ deployment: web, index: 0 })], context());
    expect(appStatus([webProcess], null).kind).toBe('running');
  });
});

describe('label selectors', () => {
  it('matches labels and expressions as Kubernetes does', () => {
    const labels = { app: 'a', tier: 'web' };
    expect(selectorMatches({ matchLabels: { app: 'a' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'b' } }, labels)).toBe(false);
    expect(
      selectorMatches(
        { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
        labels,
      ),
    ).toBe(true);
    expect(
      selectorMatches(
        { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] },
        labels,
      ),
    ).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels),
    ).toBe(true);
    expect(selectorMatches({}, labels)).toBe(false);
  });
});

describe('last change', () => {
  const at = (iso: string) => new Date(iso);
  /** web, created long ago, its Progressing condition last updated at `progressedAt`. */
  function web(options: { createdAt: string; progressedAt?: string; restartedAt?: string }) {
    const d = deployment({ app: 'a', component: 'web', replicas: 2 });
    d.metadata!.creationTimestamp = at(options.createdAt);
    d.status!.conditions = [
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        ...(options.progressedAt ? { lastUpdateTime: at(options.progressedAt) } : {}),
      },
    ];
    if (options.restartedAt) {
      d.spec!.template.metadata!.annotations = {
        'kubectl.kubernetes.io/restartedAt': options.restartedAt,
      };
    }
    return d;
  }
  /** A pod of `d` created at `createdAt`, of the ReplicaSet with `hash`. */
  function podAt(d: V1Deployment, index: number, createdAt: string, hash = '5d8f7c9b4') {
    const p = pod({ deployment: d, index });
    p.metadata!.name = `${d.metadata!.name}-${hash}-${index}`;
    p.metadata!.creationTimestamp = at(createdAt);
    p.metadata!.labels = { ...p.metadata!.labels, 'pod-template-hash': hash };
    p.metadata!.ownerReferences![0]!.name = `${d.metadata!.name}-${hash}`;
    return p;
  }

  it('dates from when the running pods were rolled out, not from a controller that came up after them', () => {
    // Seeded days ago; the deployment controller (re)started just now and stamped its condition.
    const d = web({ createdAt: '2026-01-01T09:00:00Z', progressedAt: '2026-03-10T12:00:00Z' });
    const catalog = catalogWith(
      [d],
      [podAt(d, 0, '2026-03-07T08:00:00Z'), podAt(d, 1, '2026-03-07T08:00:05Z')],
    );
    expect(app(catalog, 'shop/a').lastChangeAt).toBe('2026-03-07T08:00:00.000Z');
  });

  it('is bounded by the Progressing condition where the pods were replaced after the rollout', () => {
    const d = web({ createdAt: '2026-01-01T09:00:00Z', progressedAt: '2026-02-01T10:00:00Z' });
    // A node drain a month later replaced both pods: not a change of the app.
    const catalog = catalogWith(
      [d],
      [podAt(d, 0, '2026-03-01T07:00:00Z'), podAt(d, 1, '2026-03-01T07:01:00Z')],
    );
    expect(app(catalog, 'shop/a').lastChangeAt).toBe('2026-02-01T10:00:00.000Z');
  });

  it('dates a rollout in progress from its new pods, and a restart from its annotation', () => {
    const d = web({ createdAt: '2026-01-01T09:00:00Z', progressedAt: '2026-03-10T12:00:30Z' });
    const rolling = catalogWith(
      [d],
      [
        podAt(d, 0, '2026-02-01T08:00:00Z', 'old1234'),
        podAt(d, 1, '2026-03-10T12:00:00Z', 'new5678'),
      ],
    );
    expect(app(rolling, 'shop/a').lastChangeAt).toBe('2026-03-10T12:00:00.000Z');

    const restarted = web({
      createdAt: '2026-01-01T09:00:00Z',
      restartedAt: '2026-03-11T15:30:00Z',
    });
    const worker = deployment({ app: 'a', component: 'worker' });
    worker.metadata!.creationTimestamp = at('2026-01-01T09:00:00Z');
    const both = catalogWith([restarted, worker], []);
    expect(app(both, 'shop/a').lastChangeAt).toBe('2026-03-11T15:30:00.000Z');
  });

  it('falls back to when the Deployment was created where nothing else tells', () => {
    const d = web({ createdAt: '2026-01-01T09:00:00Z' });
    expect(app(catalogWith([d], []), 'shop/a').lastChangeAt).toBe('2026-01-01T09:00:00.000Z');
  });
});
