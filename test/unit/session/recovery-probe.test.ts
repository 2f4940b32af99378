import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScaleDeskError } from '../../../shared/errors';
import { RecoveryProbe } from '../../../main/session/recovery-probe';

const INTERVAL_MS = 750;

const refused = new ScaleDeskError('UNREACHABLE', 'did not answer (ECONNREFUSED)', {
  code: 'ECONNREFUSED',
});

/** A probe over a cluster that answers or not as the test says, counting what it asked. */
function setup() {
  const cluster = { answers: false, throttleSeconds: null as number | null };
  const calls = { asked: 0, recovered: 0 };
  let waiting = true;
  const probe = new RecoveryProbe({
    intervalMs: INTERVAL_MS,
    ask: () => {
      calls.asked++;
      if (cluster.throttleSeconds !== null) {
        return Promise.resolve(
          new ScaleDeskError('THROTTLED', 'throttling', {
            retryAfterSeconds: cluster.throttleSeconds,
          }),
        );
      }
      return Promise.resolve(cluster.answers ? null : refused);
    },
    waiting: () => waiting,
    recovered: () => {
      calls.recovered++;
    },
  });
  return {
    probe,
    cluster,
    calls,
    setWaiting(value: boolean) {
      waiting = value;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the recovery probe', () => {
  it('asks nothing in a healthy idle minute', async () => {
    const { calls } = setup();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual({ asked: 0, recovered: 0 });
  });

  it('asks every interval while the cluster is down, and says so once it answers', async () => {
    const { probe, cluster, calls } = setup();
    probe.troubled();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 4);
    expect(calls).toEqual({ asked: 4, recovered: 0 });
    cluster.answers = true;
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(calls).toEqual({ asked: 5, recovered: 1 });
    // Answered: nothing more is asked until the next failure.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual({ asked: 5, recovered: 1 });
  });

  it('runs one round per session however many parts fail', async () => {
    const { probe, calls } = setup();
    for (let i = 0; i < 7; i++) probe.troubled();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 2);
    probe.troubled();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(calls.asked).toBe(3);
  });

  it('stops asking once nothing waits for the cluster any more', async () => {
    const { probe, calls, setWaiting } = setup();
    probe.troubled();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 2);
    setWaiting(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual({ asked: 2, recovered: 0 });
  });

  it('waits what a throttling cluster asks before asking again', async () => {
    const { probe, cluster, calls } = setup();
    cluster.throttleSeconds = 5;
    probe.troubled();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(calls.asked).toBe(1);
    await vi.advanceTimersByTimeAsync(4_900);
    expect(calls.asked).toBe(1);
    cluster.throttleSeconds = null;
    cluster.answers = true;
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual({ asked: 2, recovered: 1 });
  });

  it('takes any answer but not answering or throttling as the cluster answering', async () => {
    let recovered = 0;
    const probe = new RecoveryProbe({
      intervalMs: INTERVAL_MS,
      ask: () => Promise.resolve(new ScaleDeskError('FORBIDDEN', 'may not get /version')),
      waiting: () => true,
      recovered: () => {
        recovered++;
      },
    });
    probe.troubled();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(recovered).toBe(1);
  });

  it('asks nothing more once stopped', async () => {
    const { probe, calls } = setup();
    probe.troubled();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    probe.stop();
    probe.troubled();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.asked).toBe(1);
  });
});
