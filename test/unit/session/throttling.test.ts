import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reportAnswer } from '../../../main/kube/request-retry';
import { Throttling } from '../../../main/session/throttling';

const START = new Date('2026-11-30T06:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

function throttledTimes(throttling: Throttling, times: number, everyMs: number): void {
  for (let i = 0; i < times; i++) {
    throttling.heard('throttled');
    vi.advanceTimersByTime(everyMs);
  }
}

describe('throttling tracker', () => {
  it('says nothing of one or two throttled answers: they are retried quietly', () => {
    const throttling = new Throttling(null);
    throttledTimes(throttling, 2, 1_000);
    expect(throttling.since()).toBeNull();
  });

  it('says the cluster throttles from the first of three throttled answers within 30 s', () => {
    const throttling = new Throttling(null);
    const changes = vi.fn();
    throttling.onChange(changes);
    throttledTimes(throttling, 3, 5_000);
    expect(throttling.since()).toBe(START.toISOString());
    expect(changes).toHaveBeenCalledTimes(1);
  });

  it('does not add up throttled answers further apart than the window', () => {
    const throttling = new Throttling(null);
    throttledTimes(throttling, 5, 16_000);
    expect(throttling.since()).toBeNull();
  });

  it('ends once requests went through again and none was throttled for 30 s', () => {
    const throttling = new Throttling(null);
    throttledTimes(throttling, 3, 1_000);
    throttling.heard('passed');
    vi.advanceTimersByTime(29_000 - 1_000);
    expect(throttling.since()).not.toBeNull();
    vi.advanceTimersByTime(1_000);
    expect(throttling.since()).toBeNull();
  });

  it('stays while throttled answers keep coming, even between answers that pass', () => {
    const throttling = new Throttling(null);
    for (let i = 0; i < 10; i++) {
      throttling.heard('throttled');
      vi.advanceTimersByTime(5_000);
      throttling.heard('passed');
      vi.advanceTimersByTime(5_000);
    }
    expect(throttling.since()).toBe(START.toISOString());
  });

  it('stays after a quiet spell with no request at all, until one goes through', () => {
    const throttling = new Throttling(null);
    throttledTimes(throttling, 3, 1_000);
    vi.advanceTimersByTime(60_000);
    expect(throttling.since()).not.toBeNull();
    throttling.heard('passed');
    expect(throttling.since()).toBeNull();
  });

  it("hears the answers to its own KubeConfig's requests only, until stopped", () => {
    const mine = new KubeConfig();
    const other = new KubeConfig();
    const throttling = new Throttling(mine);
    for (let i = 0; i < 3; i++) reportAnswer(other, 'throttled');
    expect(throttling.since()).toBeNull();
    for (let i = 0; i < 3; i++) reportAnswer(mine, 'throttled');
    expect(throttling.since()).not.toBeNull();
    throttling.stop();
    reportAnswer(mine, 'passed');
    vi.advanceTimersByTime(60_000);
    reportAnswer(mine, 'passed');
    expect(throttling.since()).not.toBeNull();
  });
});
