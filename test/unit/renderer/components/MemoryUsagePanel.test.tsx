// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
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
    expect(within(card).getByText('Limit 8 GiB per replica')).toBeTruthy();
  });

  it('shows used of maximum with its share, and says where metrics are missing', async () => {
    await openScale(new FakeBridge([makeApp({ memory: { usedBytes: null, maxBytes: 32 * GIB } })]));
    expect(screen.getByText('— of 32 GiB')).toBeTruthy();
    expect(screen.getByText('no metrics yet')).toBeTruthy();
  });
});
