import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestTimeoutError } from '../../../main/kube/cluster-errors';
import { appSamples } from '../../../main/session/app-sample';
import { METRICS_RECHECK_MS, PodMetrics } from '../../../main/session/pod-metrics';
import { makeApp } from '../../fixtures/app-model';

/**
 * The metrics state machine of one session, against a scripted metrics API: what each answer
 * makes of `metrics.state`, the figures and the requests, with time moved by fake timers.
 */

const INTERVAL_MS = 15_000;

/** What the metrics API answers next: figures, or a failure as client-node throws it. */
type Answer = Map<string, number> | Error;

function httpError(status: number): ApiException<undefined> {
  return new ApiException(status, 'Error occurred in metrics request', undefined, {});
}

function setup(namespace: string | null = 'shop') {
  const script: { answer: Answer } = { answer: new Map([['shop/web-1', 300 * 2 ** 20]]) };
  const metrics = new PodMetrics({
    kubeConfig: new KubeConfig(),
    namespace,
    contextName: 'prod',
    server: 'https://k8s.example.com',
    read: async () => {
      if (script.answer instanceof Error) throw script.answer;
      return new Map(script.answer);
    },
  });
  /** One metrics interval: time passes, then the loop asks. */
  const tick = async () => {
    vi.advanceTimersByTime(INTERVAL_MS);
    return metrics.refresh(5_000);
  };
  return { script, metrics, tick };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-30T10:42:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('pod metrics: whether the metrics API serves figures', () => {
  it('is unknown before the first read and ok with the time of a good one', async () => {
    const { metrics } = setup();
    expect(metrics.availability).toEqual({ state: 'unknown', lastSampleAt: null, message: null });
    expect(await metrics.refresh(5_000)).toEqual(['shop/web-1']);
    expect(metrics.availability).toEqual({
      state: 'ok',
      lastSampleAt: '2026-11-30T10:42:00.000Z',
      message: null,
    });
    expect(metrics.current).toBe(true);
    expect(metrics.memoryOf('shop/web-1')).toBe(300 * 2 ** 20);
  });

  it('says absent on a 404 (no metrics-server), drops the figures, and asks again only every 5 minutes', async () => {
    const { script, metrics, tick } = setup();
    await metrics.refresh(5_000);
    script.answer = httpError(404);
    expect(await tick()).toEqual(['shop/web-1']);
    expect(metrics.availability).toMatchObject({
      state: 'absent',
      lastSampleAt: '2026-11-30T10:42:00.000Z',
      message: expect.stringMatching(/^This cluster has no metrics-server/),
    });
    expect(metrics.memoryOf('shop/web-1')).toBeUndefined();
    expect(metrics.current).toBe(false);

    // 40 intervals of 15 s are 10 minutes: two more requests, not forty.
    const before = metrics.requests;
    for (let i = 0; i < 40; i++) await tick();
    expect(metrics.requests - before).toBe(2);
    expect(40 * INTERVAL_MS).toBe(2 * METRICS_RECHECK_MS);
  });

  it('finds metrics-server once installed at the next recheck', async () => {
    const { script, metrics, tick } = setup();
    script.answer = httpError(404);
    await metrics.refresh(5_000);
    expect(metrics.availability.state).toBe('absent');
    script.answer = new Map([['shop/web-1', 100]]);
    for (let i = 0; i < METRICS_RECHECK_MS / INTERVAL_MS - 1; i++) await tick();
    expect(metrics.availability.state).toBe('absent');
    expect(await tick()).toEqual(['shop/web-1']);
    expect(metrics.availability.state).toBe('ok');
  });

  it.each([
    ['a 503 (an unavailable APIService)', httpError(503)],
    ['a 500', httpError(500)],
    ['a timeout', new RequestTimeoutError(5_000)],
  ])(
    'says failing on %s, keeps the last figures with their time, asks at every interval and recovers by itself',
    async (_, failure) => {
      const { script, metrics, tick } = setup();
      await metrics.refresh(5_000);
      script.answer = failure;
      expect(await tick()).toBeNull();
      expect(metrics.availability).toMatchObject({
        state: 'failing',
        lastSampleAt: '2026-11-30T10:42:00.000Z',
        message: expect.stringMatching(/^The metrics API is not answering\./),
      });
      expect(metrics.current).toBe(false);
      expect(metrics.memoryOf('shop/web-1')).toBe(300 * 2 ** 20);

      const before = metrics.requests;
      await tick();
      await tick();
      expect(metrics.requests - before).toBe(2);
      expect(metrics.availability.lastSampleAt).toBe('2026-11-30T10:42:00.000Z');

      script.answer = new Map([['shop/web-1', 200 * 2 ** 20]]);
      expect(await tick()).toEqual(['shop/web-1']);
      expect(metrics.availability).toEqual({
        state: 'ok',
        lastSampleAt: '2026-11-30T10:43:00.000Z',
        message: null,
      });
      expect(metrics.current).toBe(true);
    },
  );

  it('says forbidden on a 403, naming what may not be read where, and asks again only rarely', async () => {
    const { script, metrics, tick } = setup();
    script.answer = httpError(403);
    await metrics.refresh(5_000);
    expect(metrics.availability.state).toBe('forbidden');
    expect(metrics.availability.message).toMatch(
      /^You may not read pods\.metrics\.k8s\.io in namespace "shop"/,
    );
    const before = metrics.requests;
    for (let i = 0; i < 10; i++) await tick();
    expect(metrics.requests).toBe(before);
  });

  it('names all namespaces where the session watches all of them', async () => {
    const { script, metrics } = setup(null);
    script.answer = httpError(403);
    await metrics.refresh(5_000);
    expect(metrics.availability.message).toMatch(/pods\.metrics\.k8s\.io in all namespaces/);
  });
});

describe('history samples while the metrics are not current', () => {
  it('carry no memory, so the chart shows a gap instead of old figures as new', () => {
    const app = makeApp();
    const current = appSamples([app], 1_000, true, () => null);
    expect(Object.keys(current[app.id]!.memoryByProcess).length).toBeGreaterThan(0);
    const stale = appSamples([app], 2_000, false, () => ({ latencyMs: 12, errorRate: 0 }));
    expect(stale[app.id]).toEqual({ at: 2_000, memoryByProcess: {}, latencyMs: 12, errorRate: 0 });
  });
});
