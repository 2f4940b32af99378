import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { processOf } from '../../../main/model/process-model';
import { gunicornContainer, workersPatch } from '../../../main/operations/workers';
import { deployment } from '../../fixtures/kube-objects';

const base = '/spec/template/spec/containers/1';
const nameTest = { op: 'test', path: `${base}/name`, value: 'web' };

describe('the JSON patch of a worker change touches the count and nothing else', () => {
  it('replaces the args where the count is in the args', () => {
    const container: V1Container = {
      name: 'web',
      command: ['gunicorn'],
      args: ['--bind', '0.0.0.0:8050', '--workers', '4', 'app:server', '--timeout', '120'],
    };
    expect(workersPatch(1, container, 2)).toEqual({
      operations: [
        nameTest,
        {
          op: 'replace',
          path: `${base}/args`,
          value: ['--bind', '0.0.0.0:8050', '--workers', '2', 'app:server', '--timeout', '120'],
        },
      ],
      envChanges: {},
    });
  });

  it('replaces only the env value where WEB_CONCURRENCY sets the count', () => {
    const container: V1Container = {
      name: 'web',
      command: ['gunicorn', 'app:server'],
      env: [
        { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
        { name: 'WEB_CONCURRENCY', value: '2' },
      ],
    };
    expect(workersPatch(1, container, 3)).toEqual({
      operations: [nameTest, { op: 'replace', path: `${base}/env/1/value`, value: '3' }],
      envChanges: { WEB_CONCURRENCY: '3' },
    });
  });

  it('adds --workers to the command where no count is given and there are no args', () => {
    const container: V1Container = { name: 'web', command: ['gunicorn', 'app:server'] };
    expect(workersPatch(1, container, 3).operations).toEqual([
      nameTest,
      {
        op: 'replace',
        path: `${base}/command`,
        value: ['gunicorn', 'app:server', '--workers', '3'],
      },
    ]);
  });

  it('adds the args field where the container had only args in the image', () => {
    const container: V1Container = { name: 'web', args: ['gunicorn', 'app:server', '-w', '2'] };
    expect(workersPatch(1, container, 5).operations).toEqual([
      nameTest,
      { op: 'replace', path: `${base}/args`, value: ['gunicorn', 'app:server', '-w', '5'] },
    ]);
  });
});

describe('gunicornContainer finds the container that runs gunicorn', () => {
  it('skips a sidecar before it', () => {
    const deployment: V1Deployment = {
      spec: {
        selector: {},
        template: {
          spec: {
            containers: [
              { name: 'proxy', command: ['envoy', '-c', '/etc/envoy.yaml'] },
              { name: 'web', command: ['sh', '-c', 'exec gunicorn app:server -w 2'] },
            ],
          },
        },
      },
    };
    expect(gunicornContainer(deployment)?.index).toBe(1);
  });
  it('finds none in a celery worker', () => {
    const deployment: V1Deployment = {
      spec: {
        selector: {},
        template: {
          spec: { containers: [{ name: 'w', command: ['celery', '-A', 'tasks', 'worker'] }] },
        },
      },
    };
    expect(gunicornContainer(deployment)).toBeNull();
  });
});

describe('a Deployment whose first container is a sidecar', () => {
  /** cloud-sql-proxy listed first, the gunicorn container second. */
  function withSidecarFirst(): V1Deployment {
    const web = deployment({
      app: 'sales',
      component: 'web',
      args: ['app:server', '--workers', '3'],
    });
    web.spec!.template.spec!.containers.unshift({
      name: 'cloud-sql-proxy',
      image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2',
      args: ['--port=5432', 'project:region:instance'],
    });
    return web;
  }

  it('shows the gunicorn container in the model, and the workers patch edits that one', () => {
    const web = withSidecarFirst();
    const model = processOf({ kind: 'Deployment', object: web }, 'web', [], {
      limitDefault: () => null,
      memory: () => undefined,
    });
    expect(model.command).toBe('gunicorn app:server --workers 3');
    expect(model.workers).toEqual({
      count: 3,
      spelling: '--workers',
      preload: false,
      configFile: null,
    });

    const found = gunicornContainer(web);
    expect(found?.index).toBe(1);
    expect(found?.container.name).toBe('web');
    expect(workersPatch(found!.index, found!.container, 2).operations).toEqual([
      { op: 'test', path: '/spec/template/spec/containers/1/name', value: 'web' },
      {
        op: 'replace',
        path: '/spec/template/spec/containers/1/args',
        value: ['app:server', '--workers', '2'],
      },
    ]);
  });
});
