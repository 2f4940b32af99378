import { describe, expect, it } from 'vitest';
import { GIB } from '../../../../shared/app-model';
import { niceTicks, timeTicks } from '../../../../renderer/src/components/chart-scale';

describe('chart axes', () => {
  it('puts the value axis on round steps with little room wasted above the limit', () => {
    // A 24 GiB app: the axis ends at 25 GiB, not 30 or 40.
    expect(niceTicks(24 * GIB * 1.04, GIB)).toEqual({
      top: 25 * GIB,
      ticks: [0, 5, 10, 15, 20, 25].map((n) => n * GIB),
    });
    expect(niceTicks(40 * GIB * 1.04, GIB).top).toBe(50 * GIB);
    expect(niceTicks(100)).toEqual({ top: 100, ticks: [0, 25, 50, 75, 100] });
    expect(niceTicks(625).top).toBe(750);
  });

  it('labels a minute of samples with distinct times, seconds included', () => {
    const from = Date.parse('2026-01-01T10:14:07Z');
    const { ticks, seconds } = timeTicks(from, from + 50_000);
    expect(seconds).toBe(true);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.every((tick) => tick % 15_000 === 0)).toBe(true);
    expect(ticks[0]).toBeGreaterThanOrEqual(from);
  });

  it('uses round minutes and hours for longer windows, at most six ticks', () => {
    const from = Date.parse('2026-01-01T10:00:00Z');
    const quarter = timeTicks(from, from + 15 * 60_000);
    expect(quarter.seconds).toBe(false);
    expect(quarter.ticks.length).toBeLessThanOrEqual(6);
    expect(quarter.ticks[1]! - quarter.ticks[0]!).toBe(5 * 60_000);
    const day = timeTicks(from, from + 24 * 3_600_000);
    expect(day.ticks.length).toBeLessThanOrEqual(6);
    expect(day.ticks[1]! - day.ticks[0]!).toBe(6 * 3_600_000);
  });

  it('has a tick for a single sample', () => {
    expect(timeTicks(1_000, 1_000).ticks).toEqual([1_000]);
  });
});
