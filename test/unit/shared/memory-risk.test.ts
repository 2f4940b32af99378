import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import { appRisks, processRisk, replicaRisk } from '../../../shared/memory-risk';
import { makeApp, makePod, makeProcess } from '../../fixtures/app-model';

const oomKilled = { reason: 'OOMKilled', exitCode: 137, finishedAt: null };

describe('a replica at risk', () => {
  const process = makeProcess({ name: 'web' });

  it('is above 90 % of its own limit', () => {
    const pod = makePod({ name: 'web-0', memoryBytes: 7.3 * GIB, memoryLimitBytes: 8 * GIB });
    expect(replicaRisk(pod, process)).toEqual({
      kind: 'near-limit',
      pod: 'web-0',
      usedBytes: 7.3 * GIB,
      limitBytes: 8 * GIB,
    });
    expect(replicaRisk({ ...pod, memoryBytes: 7.1 * GIB }, process)).toBeNull();
  });

  it('is judged against its own limit, not the process limit', () => {
    // The pod still runs the old 4 GiB while the process says 8 GiB (a rollout under way).
    const pod = makePod({ name: 'web-0', memoryBytes: 3.8 * GIB, memoryLimitBytes: 4 * GIB });
    expect(replicaRisk(pod, process)?.kind).toBe('near-limit');
  });

  it('falls back on the process limit where the pod has none in its spec', () => {
    const pod = makePod({ name: 'web-0', memoryBytes: 7.5 * GIB, memoryLimitBytes: null });
    expect(replicaRisk(pod, process)).toMatchObject({ kind: 'near-limit', limitBytes: 8 * GIB });
  });

  it('is restarting after an OOMKill (not ready, or backing off)', () => {
    const looping = makePod({
      name: 'web-0',
      ready: false,
      restarts: 3,
      memoryBytes: null,
      lastTermination: oomKilled,
    });
    expect(replicaRisk(looping, process)?.kind).toBe('oom-restarting');
    const backingOff = { ...looping, ready: true, waitingReason: 'CrashLoopBackOff' };
    expect(replicaRisk(backingOff, process)?.kind).toBe('oom-restarting');
  });

  it('is not at risk once it serves again after an old OOMKill', () => {
    const recovered = makePod({ name: 'web-0', restarts: 1, lastTermination: oomKilled });
    expect(replicaRisk(recovered, process)).toBeNull();
  });

  it('is not marked by stale memory figures, but still by an OOM restart', () => {
    const hot = makePod({ name: 'web-0', memoryBytes: 7.9 * GIB });
    expect(replicaRisk(hot, process, { memoryStale: true })).toBeNull();
    const looping = makePod({
      name: 'web-1',
      ready: false,
      restarts: 2,
      lastTermination: oomKilled,
    });
    expect(replicaRisk(looping, process, { memoryStale: true })?.kind).toBe('oom-restarting');
  });

  it('is not a replica that is leaving', () => {
    const leaving = makePod({ name: 'web-0', memoryBytes: 7.9 * GIB, terminating: true });
    expect(replicaRisk(leaving, process)).toBeNull();
  });
});

describe('a process and its app at risk', () => {
  it('marks the app whatever its total: one hot replica among idle ones', () => {
    const app = makeApp();
    const web = {
      ...app.processes[0]!,
      pods: [
        makePod({ name: 'web-0', memoryBytes: 7.4 * GIB }),
        makePod({ name: 'web-1', memoryBytes: 0.2 * GIB }),
      ],
    };
    const risky = { ...app, processes: [web, app.processes[1]!] };
    const risks = appRisks(risky);
    expect(risks.map((risk) => risk.process)).toEqual(['web']);
    expect(risks[0]!.message).toContain('web-0 uses 7.4 GiB, 93 % of its 8 GiB limit');
  });

  it('is no risk for a healthy app', () => {
    expect(appRisks(makeApp())).toEqual([]);
    expect(processRisk(makeProcess({ name: 'worker' }))).toBeNull();
  });
});
