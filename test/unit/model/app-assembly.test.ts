import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { GIB, AppSchema, type App, type Grouping } from '../../../shared/app-model';
import { appStatus } from '../../../shared/app-status';
import { buildApp, type CatalogContext } from '../../../main/model/app-assembly';
import { podWorkload } from '../../../main/model/app-grouping';
import { processOf } from '../../../main/model/process-model';
import type { Workload } from '../../../main/model/workload';
import { catalogContext } from '../../fixtures/catalog-context';
import { deployment, pod } from '../../fixtures/kube-objects';
import { asDeployment } from '../../fixtures/workloads';

const MIB = 1024 ** 2;

/** App `a` of namespace shop from its Deployments, each pod with the Deployment owning it. */
function appA(
  deployments: V1Deployment[],
  pods: V1Pod[] = [],
  ctx: CatalogContext = catalogContext(),
): App {
  const podsOf = ({ object }: Workload) =>
    pods.filter((p) => podWorkload(p)?.name === object.metadata?.name);
  const grouping: Grouping = { rule: 'grouping-label', key: 'app.kubernetes.io/part-of' };
  return AppSchema.parse(
    buildApp('shop', 'a', grouping, deployments.map(asDeployment), podsOf, ctx),
  );
}

const jupyterWorkspace = () =>
  deployment({ app: 'a', component: 'workspace', command: ['jupyter'], args: ['lab'] });

describe('app memory', () => {
  it("sums the limits of all replicas and the workspace: DOMAIN's 1 web at 2 replicas plus a workspace is 24 GiB", () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 2 });
    const workspace = jupyterWorkspace();
    const a = appA([web, workspace]);
    expect(a.memory.maxBytes).toBe(24 * GIB);
    expect(a.processes[0]?.memoryLimit).toEqual({
      bytes: 8 * GIB,
      source: 'default',
      requestBytes: null,
      next: null,
    });
    expect(a.workspace?.name).toBe('workspace');
  });

  it('takes the limit from the container, else the LimitRange default, else 8 GiB', () => {
    const own = deployment({ app: 'a', component: 'web', replicas: 3, memoryLimit: '1536Mi' });
    const ranged = deployment({
      app: 'a',
      component: 'worker',
      command: ['celery'],
      args: ['worker'],
    });
    const a = appA([own, ranged], [], catalogContext({ limitDefault: () => 2 * GIB }));
    const [web, worker] = a.processes;
    expect(web?.memoryLimit).toEqual({
      bytes: 1536 * MIB,
      source: 'container',
      requestBytes: 1536 * MIB,
      next: null,
    });
    expect(worker?.memoryLimit).toEqual({
      bytes: 2 * GIB,
      source: 'limitrange',
      requestBytes: 2 * GIB,
      next: null,
    });
    expect(a.memory.maxBytes).toBe(3 * 1536 * MIB + 2 * GIB);
  });

  it('sums memory in use per process and app, and divides per worker', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      replicas: 2,
      args: ['app:server', '--workers', '4'],
    });
    const workspace = jupyterWorkspace();
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
    const a = appA([web, workspace], pods, catalogContext({ memory }));
    expect(a.processes[0]?.memoryUsedBytes).toBe(2000 * MIB);
    // (2000 MiB over 2 replicas) over 4 workers
    expect(a.processes[0]?.memoryPerWorkerBytes).toBe(250 * MIB);
    expect(a.memory.usedBytes).toBe(2500 * MIB);
  });

  it('counts the limit each replica really runs: pods admitted at 8 GiB under a 12 GiB default', () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 3 });
    const admitted = (index: number) => {
      const p = pod({ deployment: web, index });
      p.spec!.containers = [{ name: 'main', resources: { limits: { memory: '8Gi' } } }];
      return p;
    };
    // Two replicas run; the third, not created yet, would get the namespace default now.
    const a = appA(
      [web],
      [admitted(0), admitted(1)],
      catalogContext({ limitDefault: () => 12 * GIB }),
    );
    expect(a.processes[0]?.memoryLimit).toMatchObject({
      bytes: 8 * GIB,
      next: { bytes: 12 * GIB, reason: 'namespace-default' },
    });
    expect(a.processes[0]?.pods.map((p) => p.memoryLimitBytes)).toEqual([8 * GIB, 8 * GIB]);
    expect(a.memory.maxBytes).toBe(8 * GIB + 8 * GIB + 12 * GIB);
  });

  it('says an OOM-stopped app was killed at the limit its pods run, not the default set since', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      replicas: 2,
      status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 0 },
    });
    const oomAt8 = (index: number) => {
      const p = pod({
        deployment: web,
        index,
        ready: false,
        restarts: 4,
        waiting: 'CrashLoopBackOff',
        lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
      });
      p.spec!.containers = [{ name: 'main', resources: { limits: { memory: '8Gi' } } }];
      return p;
    };
    const a = appA([web], [oomAt8(0), oomAt8(1)], catalogContext({ limitDefault: () => 12 * GIB }));
    expect(a.status.kind).toBe('oom-stopped');
    expect(a.status.message).toContain('web (limit 8 GiB per replica)');
  });

  it('has no usage, not zero, where metrics have nothing yet', () => {
    const web = deployment({ app: 'a', component: 'web' });
    const a = appA([web], [pod({ deployment: web, index: 0 })]);
    expect(a.memory.usedBytes).toBeNull();
    expect(a.processes[0]?.memoryPerWorkerBytes).toBeNull();
  });
});

describe('app status from the cluster objects', () => {
  const fine = (replicas = 2) => deployment({ app: 'a', component: 'web', replicas });
  /** web at 2 replicas, both updated, `ready` of them ready and available. */
  const rolledOutWithReady = (ready: number) =>
    deployment({
      app: 'a',
      component: 'web',
      replicas: 2,
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: ready,
        availableReplicas: ready,
      },
    });

  it('is running when every replica is ready and rolled out', () => {
    const web = fine();
    const a = appA([web], [pod({ deployment: web, index: 0 }), pod({ deployment: web, index: 1 })]);
    expect(a.status.kind).toBe('running');
  });

  it('is stopped by its memory limit when the containers were OOMKilled and keep restarting', () => {
    const web = rolledOutWithReady(0);
    const oom = {
      ready: false,
      restarts: 6,
      waiting: 'CrashLoopBackOff',
      lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
    };
    const status = appA(
      [web],
      [pod({ deployment: web, index: 0, ...oom }), pod({ deployment: web, index: 1, ...oom })],
    ).status;
    expect(status.kind).toBe('oom-stopped');
    expect(status.message).toMatch(/memory limit/);
    expect(status.message).toMatch(/8 GiB/);
  });

  it('is degraded, not stopped, while some replicas still serve next to an OOM-killed one', () => {
    const web = rolledOutWithReady(1);
    const pods = [
      pod({ deployment: web, index: 0 }),
      pod({
        deployment: web,
        index: 1,
        ready: false,
        waiting: 'CrashLoopBackOff',
        lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
      }),
    ];
    // 1 of 2 available looks like an unfinished rollout, but a crash loop will not finish it.
    const status = appA([web], pods).status;
    expect(status.kind).toBe('degraded');
    expect(status.message).toMatch(/web: 1 replica stopped by the memory limit/);
  });

  it('is scaled to zero when no process wants a replica', () => {
    const web = deployment({
      app: 'a',
      component: 'web',
      replicas: 0,
      status: { observedGeneration: 1, replicas: 0 },
      annotations: { 'scaledesk.io/replicas-before-stop': '3' },
    });
    const a = appA([web]);
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
    const status = appA([web]).status;
    expect(status.kind).toBe('deploying');
    expect(status.progress).toBeCloseTo(0.5);
  });

  it('is degraded, saying why, where the quota refuses new pods', () => {
    const quota = deployment({
      app: 'a',
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
    const status = appA([quota]).status;
    expect(status.kind).toBe('degraded');
    expect(status.message).toMatch(/exceeded quota/);
  });

  it('judges the workspace apart: only scaled processes can stop the app', () => {
    const web = fine(1);
    const webProcess = processOf(
      asDeployment(web),
      'web',
      [pod({ deployment: web, index: 0 })],
      catalogContext(),
    );
    expect(appStatus([webProcess], null).kind).toBe('running');
  });
});
