import { describe, expect, it } from 'vitest';
import { literalEnv, processContainerIndex } from '../../../shared/process-container';

describe("the process's container is the one that runs gunicorn", () => {
  const proxy = { args: ['--port=5432', 'project:region:instance'] };
  const web = { command: ['sh', '-c', 'exec gunicorn app:server -w 2'] };
  const celery = { command: ['celery', '-A', 'tasks', 'worker'] };

  it('passes over a sidecar listed before it', () => {
    expect(processContainerIndex([proxy, web])).toBe(1);
  });

  it('is the first container where none runs gunicorn', () => {
    expect(processContainerIndex([celery, proxy])).toBe(0);
  });

  it('is none in a template without containers', () => {
    expect(processContainerIndex([])).toBe(-1);
  });
});

describe('literalEnv keeps the values written in the template', () => {
  it('leaves out variables whose value comes from elsewhere', () => {
    expect(
      literalEnv({
        env: [
          { name: 'WEB_CONCURRENCY', value: '3' },
          { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          { name: 'BOTH', value: '1', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
      }),
    ).toEqual({ WEB_CONCURRENCY: '3' });
  });
});
