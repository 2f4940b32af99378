import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SettingsSchema } from '../../../shared/contract';
import { MetricsLoop } from '../../../main/session/metrics-loop';
import { EventBus } from '../../../main/transport/event-bus';

function setup(intervalMs: number) {
  const bus = new EventBus();
  const interval = { ms: intervalMs };
  const ticks: number[] = [];
  const loop = new MetricsLoop({
    intervalMs: () => interval.ms,
    sample: async () => {
      ticks.push(Date.now());
    },
    bus,
  });
  const changeInterval = (ms: number) => {
    interval.ms = ms;
    bus.emit('settings', SettingsSchema.parse({ metricsIntervalSeconds: ms / 1000 }));
  };
  return { loop, ticks, changeInterval };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('metrics loop', () => {
  it('samples at once, then at every interval', async () => {
    const { loop, ticks } = setup(15_000);
    loop.start();
    await loop.tick();
    await vi.advanceTimersByTimeAsync(45_000);
    expect(ticks).toEqual([0, 15_000, 30_000, 45_000]);
    await loop.stop();
  });

  it('takes up a shorter interval from the settings at once, timed from the last tick', async () => {
    const { loop, ticks, changeInterval } = setup(60_000);
    loop.start();
    await loop.tick();
    await vi.advanceTimersByTimeAsync(10_000);
    changeInterval(15_000);
    // Due 15 s after the last tick (at 0), not 60 s after it, nor 15 s after the change.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ticks).toEqual([0, 15_000]);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(ticks).toEqual([0, 15_000, 30_000]);
    await loop.stop();
  });

  it('samples no more once stopped, whatever the settings say', async () => {
    const { loop, ticks, changeInterval } = setup(15_000);
    loop.start();
    await loop.tick();
    await loop.stop();
    changeInterval(5_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticks).toEqual([0]);
  });
});
