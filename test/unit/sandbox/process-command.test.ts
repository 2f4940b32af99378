import { describe, expect, it } from 'vitest';
import { processShape } from '../../../main/sandbox/process-command';
import { peakMemoryBytes, steadyMemoryBytes } from '../../../main/sandbox/memory-model';

const gunicorn = (...args: string[]) => ({
  name: 'web',
  command: ['gunicorn', 'app:server', ...args],
});

describe('the process command', () => {
  it('reads every spelling of the gunicorn worker count', () => {
    expect(processShape(gunicorn('--workers', '4')).workers).toBe(4);
    expect(processShape(gunicorn('--workers=3')).workers).toBe(3);
    expect(processShape(gunicorn('-w', '5')).workers).toBe(5);
    expect(processShape(gunicorn('-w2')).workers).toBe(2);
    expect(
      processShape({ ...gunicorn(), env: [{ name: 'WEB_CONCURRENCY', value: '6' }] }).workers,
    ).toBe(6);
    expect(processShape(gunicorn()).workers).toBe(1);
  });

  it('lets the flag win over WEB_CONCURRENCY, as gunicorn does', () => {
    expect(
      processShape({ ...gunicorn('-w', '2'), env: [{ name: 'WEB_CONCURRENCY', value: '6' }] })
        .workers,
    ).toBe(2);
  });

  it('finds the command split over command and args, or inside sh -c', () => {
    expect(
      processShape({
        name: 'web',
        command: ['gunicorn'],
        args: ['app:server', '--workers', '4', '--preload'],
      }),
    ).toEqual({ program: 'gunicorn', workers: 4, preload: true });
    expect(
      processShape({ name: 'web', command: ['/bin/sh', '-c', 'gunicorn app:server -w 3'] }).workers,
    ).toBe(3);
  });

  it('reads celery concurrency', () => {
    expect(
      processShape({ name: 'worker', command: ['celery', '-A', 'tasks', 'worker', '-c', '4'] }),
    ).toEqual({ program: 'celery', workers: 4, preload: false });
  });
});

describe('the memory model', () => {
  const profile = { baseMiB: 200, perWorkerMiB: 300 };
  it('grows with workers, and less per worker with --preload', () => {
    const four = steadyMemoryBytes(profile, { program: 'gunicorn', workers: 4, preload: false });
    const two = steadyMemoryBytes(profile, { program: 'gunicorn', workers: 2, preload: false });
    const fourPreloaded = steadyMemoryBytes(profile, {
      program: 'gunicorn',
      workers: 4,
      preload: true,
    });
    expect(four).toBe((200 + 4 * 300) * 1024 * 1024);
    expect(two).toBeLessThan(four);
    expect(fourPreloaded).toBeLessThan(four);
    expect(
      peakMemoryBytes(profile, { program: 'gunicorn', workers: 4, preload: false }),
    ).toBeGreaterThan(four);
  });
});
