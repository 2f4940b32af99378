import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { procfileOrder, processOf } from '../../../main/model/process-model';
import type { Workload } from '../../../main/model/workload';
import { catalogContext } from '../../fixtures/catalog-context';
import { deployment, pod } from '../../fixtures/kube-objects';
import { asDeployment, asStatefulSet, statefulSet } from '../../fixtures/workloads';

/** Process names in Procfile order, each Deployment's process its component. */
const names = (deployments: V1Deployment[]) => {
  const workloads = deployments.map(asDeployment);
  const byWorkload = new Map<Workload, string>(
    workloads.map((w) => [w, w.object.metadata?.labels?.['app.kubernetes.io/component'] ?? '']),
  );
  return [...workloads].sort(procfileOrder(byWorkload)).map((w) => byWorkload.get(w));
};

/** The process of a Deployment, named by its component. */
const processOfDeployment = (d: V1Deployment, pods: Parameters<typeof processOf>[2] = []) =>
  processOf(
    asDeployment(d),
    d.metadata?.labels?.['app.kubernetes.io/component'] ?? '',
    pods,
    catalogContext(),
  );

describe('Procfile order', () => {
  it('puts web first, then the others by name', () => {
    const web = deployment({ app: 'a', component: 'web' });
    const worker = deployment({ app: 'a', component: 'worker' });
    const beat = deployment({ app: 'a', component: 'beat' });
    expect(names([worker, beat, web])).toEqual(['web', 'beat', 'worker']);
  });

  it('follows the procfile-index annotation over the web-first rule', () => {
    const web = deployment({ app: 'a', component: 'web', procfileIndex: 1 });
    const worker = deployment({ app: 'a', component: 'worker', procfileIndex: 0 });
    expect(names([web, worker])).toEqual(['worker', 'web']);
  });
});

describe('a process from its Deployment', () => {
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
    const aWeb = processOfDeployment(web);
    const aWorker = processOfDeployment(worker);
    expect(aWeb.command).toBe(
      "gunicorn app:server --bind 0.0.0.0:8000 -w 3 --preload --log-format '%(h)s %(r)s'",
    );
    expect(aWeb.workers).toEqual({ count: 3, spelling: '-w', preload: true, configFile: null });
    expect(aWorker.workers).toBeNull();
    const bWeb = processOfDeployment(shell);
    expect(bWeb.command).toBe('exec gunicorn app:server --workers=$WEB_CONCURRENCY');
    expect(bWeb.workers?.count).toBe(5);
  });

  it('reports pod details: node, readiness, restarts, waiting reason and last termination', () => {
    const web = deployment({ app: 'a', component: 'web', replicas: 2 });
    const pods = [
      pod({
        deployment: web,
        index: 1,
        node: 'n2',
        ready: false,
        restarts: 4,
        waiting: 'CrashLoopBackOff',
        lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
      }),
      pod({ deployment: web, index: 0, node: 'n1' }),
    ];
    // Listed by name, whatever order the watch delivered them in.
    const [first, second] = processOfDeployment(web, pods).pods;
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
});

describe('a process from its StatefulSet', () => {
  it('carries its kind, its replicas and a rollout judged by its revisions', () => {
    const db = statefulSet({
      name: 'shop-db',
      labels: { app: 'shop' },
      replicas: 3,
      status: {
        observedGeneration: 1,
        replicas: 3,
        readyReplicas: 3,
        updatedReplicas: 1,
        currentRevision: 'shop-db-rev1',
        updateRevision: 'shop-db-rev2',
      },
    });
    const process = processOf(asStatefulSet(db), 'db', [], catalogContext());
    expect(process).toMatchObject({
      name: 'db',
      workloadKind: 'StatefulSet',
      deployment: 'shop-db',
      command: 'gunicorn app:app --workers 2',
      workers: { count: 2 },
      replicas: { desired: 3, ready: 3, updated: 1 },
      rollout: { state: 'progressing', message: '1 of 3 replicas updated.' },
    });
  });
});
