import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import { DAY_MS, roundUpLimit } from '../../../main/model/memory-advice';
import { until, useConnectedSandbox } from '../../fixtures/services';

/**
 * `app.memoryAdvice` from the history the session keeps of the sandbox's apps: the peak of one
 * replica over the ticks seen, plus the 15 % headroom setting, rounded up; the workers that fit
 * and 2-4 per core of the sandbox's 16-core nodes.
 */

const live = useConnectedSandbox();

describe('memory advice from a sandbox app', () => {
  it("rests on the highest replica of forecast's web over the ticks seen, and says to raise it", async () => {
    const { services, bus } = live.harness;
    // What the recorder sees at each tick: the highest web replica of forecast, read the same way.
    let highest = 0;
    let ticks = 0;
    const off = bus.on('samples', (samples) => {
      if (!samples['demo/forecast']?.memoryByProcess['web']) return;
      const app = services.session()?.getApp('demo/forecast');
      for (const pod of app?.processes.find((p) => p.name === 'web')?.pods ?? []) {
        highest = Math.max(highest, pod.memoryBytes ?? 0);
      }
      ticks++;
    });
    try {
      await until('three ticks with forecast measured', () => {
        live.sandbox.scrapeMetrics();
        return ticks >= 3;
      });
    } finally {
      off();
    }
    const advice = await services.handlers['app.memoryAdvice']({
      namespace: 'demo',
      app: 'forecast',
    });
    const web = advice.processes.find((p) => p.process === 'web')!;
    expect(advice.headroom).toBe(0.15);
    // Its peak is at least the highest seen while this test listened (it may have seen earlier ticks).
    expect(web.peakBytes).toBeGreaterThanOrEqual(highest);
    expect(web.recommendedLimitBytes).toBe(roundUpLimit(web.peakBytes! * 1.15));
    expect(web.windowMs).toBeGreaterThan(0);
    expect(web.windowMs).toBeLessThan(DAY_MS);
    // 4 workers of 1550 MiB and a 1 GiB base run at about 88 % of 8 GiB: 15 % more does not fit.
    expect(web.direction).toBe('raise');
    const app = services.session()!.getApp('demo/forecast')!;
    const perWorker = app.processes.find((p) => p.name === 'web')!.memoryPerWorkerBytes;
    expect(web.workers).toEqual({
      perWorkerBytes: perWorker,
      fitCount: perWorker === null ? null : Math.floor((8 * GIB) / (perWorker * 1.15)),
      cores: 16,
      perCoreRange: [32, 64],
    });
  });

  it('tells churn-report, stopped by its 8 GiB limit, to raise it past what killed it', async () => {
    const advice = await until('advice for churn-report', async () => {
      const answer = await live.harness.services.handlers['app.memoryAdvice']({
        namespace: 'demo',
        app: 'churn-report',
      });
      return answer.processes.find((p) => p.process === 'web')?.direction ? answer : undefined;
    });
    const web = advice.processes.find((p) => p.process === 'web')!;
    expect(web.direction).toBe('raise');
    // An OOMKilled replica reached its limit: 8 GiB x 1.15 = 9.2 GiB, rounded up to 9.5 GiB at least.
    expect(web.recommendedLimitBytes).toBeGreaterThanOrEqual(9.5 * GIB);
    expect(web.recommendedLimit).toMatch(/^\d+(Mi|Gi)$/);
  });

  it('is NOT_FOUND for an app that does not exist', async () => {
    await expect(
      live.harness.services.handlers['app.memoryAdvice']({ namespace: 'demo', app: 'no-such-app' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
