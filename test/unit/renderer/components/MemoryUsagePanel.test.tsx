// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import type { Connection, MetricsAvailability, Sample } from '../../../../shared/contract';
import { memoryGaps } from '../../../../renderer/src/components/MemoryChart';
import { METRICS_SERVER_INSTALL } from '../../../../renderer/src/components/MetricsServerHelp';
import { formatClock } from '../../../../renderer/src/format/time';
import { GIB } from '../../../../shared/app-model';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeApp, makeProcess } from '../../../fixtures/app-model';
import { openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

describe('the memory panel', () => {
  it('shows memory as a meter of used against the maximum', async () => {
    await openScale(
      new FakeBridge([makeApp({ memory: { usedBytes: 5.2 * GIB, maxBytes: 24 * GIB } })]),
    );
    const meter = screen.getByRole('meter', { name: 'Memory used' });
    expect(meter.getAttribute('aria-valuemax')).toBe(String(24 * GIB));
    expect(meter.getAttribute('aria-valuenow')).toBe(String(5.2 * GIB));
    expect(screen.getByText('5.2 GiB of 24 GiB')).toBeTruthy();
  });

  it('says nothing is running for an app scaled to zero, not that metrics are missing', async () => {
    const web = makeProcess({
      name: 'web',
      replicas: { desired: 0, ready: 0, updated: 0, available: 0 },
      replicasBeforeStop: 1,
      memoryUsedBytes: null,
    });
    await openScale(
      new FakeBridge([
        makeApp({
          processes: [web],
          workspace: null,
          memory: { usedBytes: null, maxBytes: 0 },
          status: { kind: 'scaled-to-zero', progress: null, message: 'Scaled to zero.' },
        }),
      ]),
    );
    const meter = screen.getByRole('meter', { name: 'Memory used' });
    expect(meter.getAttribute('aria-valuetext')).toMatch(/^Nothing running/);
    expect(screen.queryByText(/No metrics yet/i)).toBeNull();
    const card = screen.getByRole('region', { name: 'web' });
    expect(within(card).getByText('Scaled to zero')).toBeTruthy();
    expect(card.querySelector('.process-card__memory')?.textContent).toBe(
      'Limit 8 GiB per replica, built-in default',
    );
  });

  it('shows used of maximum with its share, and says where metrics are missing', async () => {
    await openScale(new FakeBridge([makeApp({ memory: { usedBytes: null, maxBytes: 32 * GIB } })]));
    expect(screen.getByText('— of 32 GiB')).toBeTruthy();
    expect(screen.getByText('no metrics yet')).toBeTruthy();
  });
});

/** Main's connection as it comes after a metrics read: live, with the metrics state given. */
function connectionWith(metrics: MetricsAvailability): Connection {
  return {
    state: 'live',
    context: 'sandbox',
    namespace: 'demo',
    source: 'sandbox',
    kubeconfigPaths: [],
    server: 'https://127.0.0.1:6443',
    error: null,
    syncedAt: '2026-11-30T10:45:00Z',
    metrics,
    throttledSince: null,
  };
}

async function openWithMetrics(app: ReturnType<typeof makeApp>, metrics: MetricsAvailability) {
  const bridge = new FakeBridge([app]).on('cluster.connection', () => ({
    ok: true,
    value: connectionWith(metrics),
  }));
  await openScale(bridge);
  return bridge;
}

describe('the memory panel where the metrics API is missing or failing', () => {
  it('says the cluster has no metrics-server, on the gauge and the chart, with the command that adds it', async () => {
    await openWithMetrics(makeApp({ memory: { usedBytes: null, maxBytes: 32 * GIB } }), {
      state: 'absent',
      lastSampleAt: null,
      message: 'This cluster has no metrics-server: ...',
    });
    const panel = screen.getByRole('region', { name: 'Memory Usage' });
    await within(panel).findByText('This cluster has no metrics-server');
    expect(
      within(panel).getByText('This cluster has no metrics-server: memory in use cannot be shown.'),
    ).toBeTruthy();
    expect(within(panel).queryByText(/no metrics yet/i)).toBeNull();
    expect(within(panel).getByTestId('kubectl-command').textContent).toBe(METRICS_SERVER_INSTALL);
    expect(
      within(panel).getByRole('button', { name: `Copy command: ${METRICS_SERVER_INSTALL}` }),
    ).toBeTruthy();
    expect(within(panel).getByText(/Helm chart/)).toBeTruthy();
    const meter = within(panel).getByRole('meter', { name: 'Memory used' });
    expect(meter.getAttribute('aria-valuetext')).toBe(
      'No metrics-server in this cluster, maximum 32 GiB',
    );
  });

  it('marks the last figures stale with their time while the metrics API fails', async () => {
    const lastSampleAt = '2026-11-30T10:42:07Z';
    await openWithMetrics(makeApp({ memory: { usedBytes: 5.2 * GIB, maxBytes: 24 * GIB } }), {
      state: 'failing',
      lastSampleAt,
      message: 'The metrics API is not answering. ...',
    });
    const panel = screen.getByRole('region', { name: 'Memory Usage' });
    const note = `Memory as of ${formatClock(lastSampleAt)}, the metrics API is not answering`;
    await within(panel).findByText(`${note}.`);
    expect(within(panel).getByText('5.2 GiB of 24 GiB')).toBeTruthy();
    const meter = within(panel).getByRole('meter', { name: 'Memory used' });
    expect(meter.getAttribute('aria-valuetext')).toBe(`5.2 GiB of 24 GiB. ${note}`);
    expect(
      within(panel).getByRole('columnheader', { name: `Used, as of ${formatClock(lastSampleAt)}` }),
    ).toBeTruthy();
  });

  it('says the user may not read the metrics where a 403 forbids it', async () => {
    const message =
      'You may not read pods.metrics.k8s.io in namespace "demo", so memory in use cannot be shown.';
    await openWithMetrics(makeApp({ memory: { usedBytes: null, maxBytes: 24 * GIB } }), {
      state: 'forbidden',
      lastSampleAt: null,
      message,
    });
    const panel = screen.getByRole('region', { name: 'Memory Usage' });
    expect(await within(panel).findAllByText(message)).toHaveLength(2);
    expect(within(panel).getByText('not allowed')).toBeTruthy();
  });
});

describe('gaps in the memory chart', () => {
  const sample = (at: number, measured: boolean): Sample => ({
    at,
    memoryByProcess: measured ? { web: 100 } : {},
    latencyMs: null,
    errorRate: null,
  });

  it('runs from the last measured sample to the next one, or to the last sample while open', () => {
    expect(
      memoryGaps([
        sample(1, true),
        sample(2, false),
        sample(3, false),
        sample(4, true),
        sample(5, false),
        sample(6, false),
      ]),
    ).toEqual([
      { from: 1, to: 4 },
      { from: 4, to: 6 },
    ]);
  });

  it('is no gap before the first measured sample, nor where every sample is measured', () => {
    expect(memoryGaps([sample(1, false), sample(2, true), sample(3, true)])).toEqual([]);
  });
});
