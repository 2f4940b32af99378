import { describe, expect, it } from 'vitest';
import { GIB, type Pod } from '../../../shared/app-model';
import { appStatus, isCrashLooping, isOomLooping } from '../../../shared/app-status';
import { makePod, makeProcess } from '../../fixtures/app-model';

const oomKilled: Partial<Pod> = {
  ready: false,
  lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: null },
};

describe('pods that keep failing', () => {
  it('counts an OOM-killed pod that is not serving as looping, back-off showing or not', () => {
    expect(isOomLooping(makePod({ name: 'p', ...oomKilled }))).toBe(true);
    expect(isOomLooping(makePod({ name: 'p', ...oomKilled, ready: true }))).toBe(false);
    expect(isCrashLooping(makePod({ name: 'p', ...oomKilled }))).toBe(true);
  });

  it('counts a pod in CrashLoopBackOff, but not one that is leaving', () => {
    expect(isCrashLooping(makePod({ name: 'p', waitingReason: 'CrashLoopBackOff' }))).toBe(true);
    const leaving = makePod({ name: 'p', waitingReason: 'CrashLoopBackOff', terminating: true });
    expect(isCrashLooping(leaving)).toBe(false);
    expect(isOomLooping(makePod({ name: 'p', ...oomKilled, terminating: true }))).toBe(false);
  });
});

describe('app status', () => {
  it('counts ready replicas in words', () => {
    expect(appStatus([makeProcess({ name: 'web' })], null).message).toBe(
      'Running: 1 replica ready.',
    );
    const web = makeProcess({
      name: 'web',
      replicas: { desired: 3, ready: 3, updated: 3, available: 3 },
    });
    expect(appStatus([web], null).message).toBe('Running: 3 replicas ready.');
  });

  it('names the limit of a process stopped by it, as the renderer writes memory', () => {
    const web = makeProcess({
      name: 'web',
      replicas: { desired: 1, ready: 0, updated: 1, available: 0 },
      pods: [makePod({ name: 'web-0', ...oomKilled, memoryLimitBytes: 1.5 * GIB })],
      memoryLimit: { bytes: 1.5 * GIB, source: 'container', requestBytes: null, next: null },
    });
    expect(appStatus([web], null)).toMatchObject({
      kind: 'oom-stopped',
      message: expect.stringContaining('web (limit 1.5 GiB per replica) was OOMKilled'),
    });
  });

  it('says the limit the OOM-killed replica was killed at: its own, not one it would get next', () => {
    const web = makeProcess({
      name: 'web',
      replicas: { desired: 1, ready: 0, updated: 1, available: 0 },
      pods: [makePod({ name: 'web-0', ...oomKilled, memoryLimitBytes: 8 * GIB })],
      memoryLimit: {
        bytes: 12 * GIB,
        source: 'container',
        requestBytes: null,
        next: null,
      },
    });
    expect(appStatus([web], null).message).toContain('web (limit 8 GiB per replica) was OOMKilled');
  });

  it('is degraded by crash-looping pods even mid-rollout', () => {
    const worker = makeProcess({
      name: 'worker',
      replicas: { desired: 2, ready: 0, updated: 1, available: 0 },
      pods: [
        makePod({ name: 'worker-0', waitingReason: 'CrashLoopBackOff' }),
        makePod({ name: 'worker-1', waitingReason: 'CrashLoopBackOff' }),
      ],
      rollout: { state: 'progressing', progress: 0, message: '1 of 2 new replicas started.' },
    });
    expect(appStatus([makeProcess({ name: 'web' }), worker], null)).toEqual({
      kind: 'degraded',
      progress: null,
      message: 'worker: 2 replicas crash-looping.',
    });
  });
});
