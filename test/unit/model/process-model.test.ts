import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { procfileOrder, processOf } from '../../../main/model/process-model';
import { catalogContext } from '../../fixtures/catalog-context';
import { deployment, pod } from '../../fixtures/kube-objects';

const names = (deployments: V1Deployment[]) =>
  [...deployments]
    .sort(procfileOrder)
    .map((d) => d.metadata?.labels?.['app.kubernetes.io/component']);

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
    const aWeb = processOf(web, [], catalogContext());
    const aWorker = processOf(worker, [], catalogContext());
    expect(aWeb.command).toBe(
      "gunicorn app:server --bind 0.0.0.0:8000 -w 3 --preload --log-format '%(h)s %(r)s'",
    );
    expect(aWeb.workers).toEqual({ count: 3, spelling: '-w', preload: true });
    expect(aWorker.workers).toBeNull();
    const bWeb = processOf(shell, [], catalogContext());
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
    const [first, second] = processOf(web, pods, catalogContext()).pods;
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
