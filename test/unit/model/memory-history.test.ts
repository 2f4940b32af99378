import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../shared/contract';
import { MemoryHistory, downsample } from '../../../main/model/memory-history';

function sample(at: number, web: number, latencyMs: number | null = 100): Sample {
  return { at, memoryByProcess: { web, workspace: 1000 }, latencyMs, errorRate: 0 };
}

describe('downsampling', () => {
  it('returns short series untouched', () => {
    const samples = [sample(0, 1), sample(1, 2)];
    expect(downsample(samples, 10)).toEqual(samples);
  });

  it('keeps at most maxPoints and keeps the peaks and troughs of every series', () => {
    const samples: Sample[] = [];
    for (let i = 0; i < 1000; i++) samples.push(sample(i * 1000, 500 + (i % 10), 100));
    samples[637] = sample(637_000, 9_999, 2_500); // one spike in memory and latency
    samples[211] = sample(211_000, 3, 100); // one trough
    const out = downsample(samples, 50);
    expect(out.length).toBeLessThanOrEqual(50);
    const web = out.map((s) => s.memoryByProcess['web']!);
    expect(Math.max(...web)).toBe(9_999);
    expect(Math.min(...web)).toBe(3);
    expect(Math.max(...out.map((s) => s.latencyMs ?? 0))).toBe(2_500);
    // Time still runs forward.
    for (let i = 1; i < out.length; i++) expect(out[i]!.at).toBeGreaterThanOrEqual(out[i - 1]!.at);
    expect(out[0]!.at).toBe(0);
  });

  it('keeps a process that appears part way through', () => {
    const samples: Sample[] = [];
    for (let i = 0; i < 100; i++) {
      samples.push({
        at: i,
        memoryByProcess: i >= 50 ? { web: 1, worker: 7 } : { web: 1 },
        latencyMs: null,
        errorRate: null,
      });
    }
    const out = downsample(samples, 10);
    expect(out.some((s) => s.memoryByProcess['worker'] === 7)).toBe(true);
    expect(out[0]!.memoryByProcess['worker']).toBeUndefined();
    expect(out[0]!.latencyMs).toBeNull();
  });
});

describe('memory history', () => {
  it('answers the 15-minute, hour and whole windows, oldest first', () => {
    const history = new MemoryHistory();
    const start = 1_700_000_000_000;
    for (let i = 0; i < 240; i++) history.record('shop/a', sample(start + i * 15_000, i)); // one hour at 15 s
    const now = start + 239 * 15_000;
    const quarter = history.window('shop/a', '15m', 5000, now);
    // 15 minutes back inclusive: 61 samples at 15 s.
    expect(quarter).toHaveLength(61);
    expect(quarter[0]!.memoryByProcess['web']).toBe(179);
    expect(history.window('shop/a', '1h', 5000, now)).toHaveLength(240);
    expect(history.window('shop/a', 'all', 100, now).length).toBeLessThanOrEqual(100);
    expect(history.window('shop/other', '1h', 100, now)).toEqual([]);
  });

  it('keeps older samples as 5-minute peaks beyond the hour', () => {
    const history = new MemoryHistory();
    const start = 0;
    // Three hours at 15 s; a peak of 10,000 in the first hour.
    for (let i = 0; i < 720; i++)
      history.record('shop/a', sample(start + i * 15_000, i === 30 ? 10_000 : 100));
    const now = start + 719 * 15_000;
    const all = history.window('shop/a', 'all', 5000, now);
    // The last hour (inclusive) at full resolution, the two before in 5-minute buckets.
    expect(all.length).toBe(241 + 24);
    expect(Math.max(...all.map((s) => s.memoryByProcess['web']!))).toBe(10_000);
    expect(
      history.window('shop/a', '1h', 5000, now).every((s) => s.memoryByProcess['web'] === 100),
    ).toBe(true);
  });

  it('bounds the fine tier when the interval is short', () => {
    const history = new MemoryHistory({ fineMaxSamples: 100 });
    for (let i = 0; i < 1000; i++) history.record('shop/a', sample(i * 1000, 1));
    const last15 = history.window('shop/a', '15m', 5000, 999_000);
    // 100 fine samples plus the 5-minute buckets they were folded into
    expect(last15.length).toBeGreaterThanOrEqual(100);
    expect(last15.length).toBeLessThan(120);
  });

  it('forgets apps that are gone', () => {
    const history = new MemoryHistory();
    history.record('shop/a', sample(1, 1));
    history.record('shop/b', sample(1, 1));
    history.retain(new Set(['shop/b']));
    expect(history.window('shop/a', 'all', 10, 2)).toEqual([]);
    expect(history.window('shop/b', 'all', 10, 2)).toHaveLength(1);
  });
});
