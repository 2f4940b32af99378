import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import { ReplicaPeaks } from '../../../main/model/replica-peaks';
import { makeApp, makePod } from '../../fixtures/app-model';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 0, 0);

/** The shop app with web's two replicas at `a` and `b` GiB. */
function shopAt(a: number, b: number) {
  const app = makeApp();
  const web = {
    ...app.processes[0]!,
    pods: [
      makePod({ name: 'web-0', memoryBytes: a * GIB }),
      makePod({ name: 'web-1', memoryBytes: b * GIB }),
    ],
  };
  return { ...app, processes: [web, app.processes[1]!] };
}

const WEB = new Set(['web']);

describe('per-replica peaks', () => {
  it('keeps the highest replica, not the mean of the process', () => {
    const peaks = new ReplicaPeaks();
    peaks.record(shopAt(6, 1), T0, WEB);
    peaks.record(shopAt(2, 2), T0 + MINUTE, WEB);
    expect(peaks.peak('team-a/shop', 'web', T0 + 2 * MINUTE)).toEqual({
      peakBytes: 6 * GIB,
      windowMs: 2 * MINUTE,
    });
  });

  it('records only the processes measured at that tick', () => {
    const peaks = new ReplicaPeaks();
    peaks.record(shopAt(6, 1), T0, new Set());
    expect(peaks.peak('team-a/shop', 'web', T0)).toEqual({ peakBytes: null, windowMs: 0 });
  });

  it('forgets peaks older than the span, and the window stops at the span', () => {
    const peaks = new ReplicaPeaks({ bucketMs: 5 * MINUTE, spanMs: 60 * MINUTE });
    peaks.record(shopAt(7, 1), T0, WEB);
    peaks.record(shopAt(3, 1), T0 + 31 * MINUTE, WEB);
    peaks.record(shopAt(2, 1), T0 + 90 * MINUTE, WEB);
    expect(peaks.peak('team-a/shop', 'web', T0 + 90 * MINUTE)).toEqual({
      peakBytes: 3 * GIB,
      windowMs: 60 * MINUTE,
    });
  });

  it('drops an app whose peaks all aged out', () => {
    const peaks = new ReplicaPeaks({ bucketMs: 5 * MINUTE, spanMs: 60 * MINUTE });
    peaks.record(shopAt(7, 1), T0, WEB);
    peaks.prune(T0 + 30 * MINUTE);
    expect(peaks.appCount).toBe(1);
    peaks.prune(T0 + 2 * 60 * MINUTE);
    expect(peaks.appCount).toBe(0);
  });

  it('ignores a tick older than the last one', () => {
    const peaks = new ReplicaPeaks({ bucketMs: 5 * MINUTE, spanMs: 60 * MINUTE });
    peaks.record(shopAt(1, 1), T0 + 30 * MINUTE, WEB);
    peaks.record(shopAt(7, 1), T0, WEB);
    expect(peaks.peak('team-a/shop', 'web', T0 + 30 * MINUTE).peakBytes).toBe(1 * GIB);
  });
});
