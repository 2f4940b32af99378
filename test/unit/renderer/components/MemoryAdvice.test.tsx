// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { GIB, type App } from '../../../../shared/app-model';
import type { AppMemoryAdvice, ProcessMemoryAdvice } from '../../../../shared/memory-advice';
import { FakeBridge, liveConnection } from '../../../fixtures/fake-bridge';
import { makeApp, makePod } from '../../../fixtures/app-model';
import { openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

const MI = 1024 ** 2;
const HOUR = 60 * 60_000;

function webAdvice(overrides: Partial<ProcessMemoryAdvice> = {}): ProcessMemoryAdvice {
  return {
    process: 'web',
    peakBytes: 8 * GIB,
    windowMs: 2 * HOUR,
    recommendedLimitBytes: 9728 * MI,
    recommendedLimit: '9728Mi',
    direction: 'raise',
    workers: { perWorkerBytes: 2 * GIB, fitCount: 3, cores: 2, perCoreRange: [4, 8] },
    ...overrides,
  };
}

function adviceOf(...processes: ProcessMemoryAdvice[]): AppMemoryAdvice {
  return { headroom: 0.15, processes };
}

/** shop stopped by its memory limit: web's replicas OOMKilled and restarting. */
function stoppedShop(overrides: Partial<App> = {}): App {
  const app = makeApp();
  const oom = { reason: 'OOMKilled', exitCode: 137, finishedAt: null };
  const web = {
    ...app.processes[0]!,
    replicas: { desired: 2, ready: 0, updated: 2, available: 0 },
    pods: [0, 1].map((i) =>
      makePod({ name: `shop-web-${i}`, ready: false, restarts: 3, lastTermination: oom }),
    ),
  };
  return makeApp({
    processes: [web, app.processes[1]!],
    status: { kind: 'oom-stopped', progress: null, message: 'web was OOMKilled.' },
    ...overrides,
  });
}

describe('the OOM banner', () => {
  it('offers the recommended limit and opens Edit Resources of that process with it filled in', async () => {
    const bridge = new FakeBridge([stoppedShop()]).on('app.memoryAdvice', () => ({
      ok: true,
      value: adviceOf(webAdvice()),
    }));
    const { store } = await openScale(bridge);
    const banner = screen.getByRole('alert', { name: /reached its memory limit/ });
    fireEvent.click(
      await within(banner).findByRole('button', { name: 'Raise the limit to 9.5 GiB' }),
    );
    expect(store.getState().resourceEditor).toEqual({
      appId: 'team-a/shop',
      process: 'web',
      limit: '9728Mi',
    });
    expect(bridge.callsOf('process.setMemoryLimit')).toEqual([]);
  });

  it('offers the workers that fit and sets the slider to them, sending nothing', async () => {
    const bridge = new FakeBridge([stoppedShop()]).on('app.memoryAdvice', () => ({
      ok: true,
      value: adviceOf(webAdvice()),
    }));
    await openScale(bridge);
    const banner = screen.getByRole('alert', { name: /reached its memory limit/ });
    fireEvent.click(await within(banner).findByRole('button', { name: 'Use 3 workers' }));
    const slider = within(screen.getByRole('region', { name: 'web' })).getByRole('slider', {
      name: 'Workers',
    });
    expect(slider.getAttribute('aria-valuenow')).toBe('3');
    expect(document.activeElement).toBe(slider);
    expect(bridge.callsOf('process.setWorkers')).toEqual([]);
  });

  it('says "ask an administrator" only to a user who may not patch the workload', async () => {
    const denied = { state: 'denied' as const, reason: 'You may not patch deployments in team-a.' };
    const app = stoppedShop({
      permissions: { scale: denied, patch: denied },
    });
    const bridge = new FakeBridge([app]).on('app.memoryAdvice', () => ({
      ok: true,
      value: adviceOf(webAdvice()),
    }));
    await openScale(bridge);
    const banner = screen.getByRole('alert', { name: /reached its memory limit/ });
    await within(banner).findByText(/Ask an administrator to raise the limit to 9.5 GiB/);
    expect(within(banner).queryByRole('button', { name: /Raise/ })).toBeNull();
    expect(within(banner).queryByRole('button', { name: /Use .* workers/ })).toBeNull();
  });
});

describe('the memory advice', () => {
  it('says the window it rests on, warns under a day, and opens the editor to lower', async () => {
    const bridge = new FakeBridge([makeApp()]).on('app.memoryAdvice', () => ({
      ok: true,
      value: adviceOf(
        webAdvice({
          peakBytes: 1 * GIB,
          recommendedLimitBytes: 1280 * MI,
          recommendedLimit: '1280Mi',
          direction: 'lower',
          windowMs: 2 * 24 * HOUR,
        }),
        webAdvice({
          process: 'worker',
          peakBytes: 0.5 * GIB,
          windowMs: 35 * 60_000,
          recommendedLimitBytes: 768 * MI,
          recommendedLimit: '768Mi',
          direction: 'keep',
          workers: null,
        }),
      ),
    }));
    const { store } = await openScale(bridge);
    const panel = await screen.findByRole('region', { name: 'Memory advice' });
    expect(within(panel).getByText(/Under a day of measurements: 35 min so far/)).toBeTruthy();
    expect(
      within(panel)
        .getByText(/web workers:/)
        .closest('p')?.textContent,
    ).toContain('3 workers fit under its 8 GiB limit with 15 % to spare');
    fireEvent.click(within(panel).getByRole('button', { name: 'Lower to 1.25 GiB' }));
    expect(store.getState().resourceEditor).toEqual({
      appId: 'team-a/shop',
      process: 'web',
      limit: '1280Mi',
    });
  });

  it('marks the workers that fit and the per-core band on the slider', async () => {
    const bridge = new FakeBridge([makeApp()]).on('app.memoryAdvice', () => ({
      ok: true,
      value: adviceOf(webAdvice()),
    }));
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    await within(web).findByText('3 workers fit under the 8 GiB limit with room to spare');
    expect(within(web).getByText(/4–8 for 2 CPU cores/)).toBeTruthy();
    expect(web.querySelector('.worker-slider__fit')).not.toBeNull();
    expect(web.querySelector('.worker-slider__per-core')).not.toBeNull();
  });
});

describe('the at-risk badge', () => {
  function hotShop(): App {
    const app = makeApp();
    const web = {
      ...app.processes[0]!,
      pods: [
        makePod({ name: 'shop-web-0', memoryBytes: 7.5 * GIB }),
        makePod({ name: 'shop-web-1', memoryBytes: 0.5 * GIB }),
      ],
    };
    return { ...app, processes: [web, app.processes[1]!] };
  }

  it('marks the app in the sidebar and the process card where one replica passes 90 % of its limit', async () => {
    await openScale(new FakeBridge([hotShop()]));
    const row = screen.getByRole('option', { name: /^shop/ });
    expect(within(row).getByText('At risk')).toBeTruthy();
    const web = screen.getByRole('region', { name: 'web' });
    expect(within(web).getByText('At risk')).toBeTruthy();
    expect(within(web).getByText('at risk')).toBeTruthy();
    expect(
      within(screen.getByRole('region', { name: 'worker' })).queryByText('At risk'),
    ).toBeNull();
  });

  it('does not mark it on stale memory figures', async () => {
    const bridge = new FakeBridge([hotShop()]).on('cluster.connection', () => ({
      ok: true,
      value: liveConnection({
        metrics: {
          state: 'failing',
          lastSampleAt: '2026-01-01T10:00:00Z',
          message: 'The metrics API did not answer.',
        },
      }),
    }));
    await openScale(bridge);
    await waitFor(() =>
      expect(
        screen.getByRole('region', { name: 'web' }).querySelector('.memory-figure--stale'),
      ).not.toBeNull(),
    );
    expect(screen.queryByText('At risk')).toBeNull();
  });
});
