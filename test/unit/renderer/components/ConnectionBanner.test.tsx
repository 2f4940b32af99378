// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import type { Connection } from '../../../../shared/contract';
import { THROTTLING_NOTE } from '../../../../renderer/src/components/ConnectionBanner';
import { FakeBridge, liveConnection } from '../../../fixtures/fake-bridge';
import { makeApp } from '../../../fixtures/app-model';
import { renderApp } from '../../../fixtures/render';

afterEach(cleanup);

const live: Connection = liveConnection({ server: null });

describe('the connection banner', () => {
  it('says calmly that the cluster throttles while it does, and goes when it stops', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    await screen.findByRole('tab', { name: 'Overview' });
    expect(screen.queryByText(THROTTLING_NOTE)).toBeNull();

    bridge.emit('connection', { ...live, throttledSince: '2026-01-01T10:05:00Z' });
    const note = await screen.findByText(THROTTLING_NOTE);
    const banner = note.closest('.connection-banner');
    // A status, not an alert: nothing is wrong with what is shown, and nothing is to be done.
    expect(banner?.getAttribute('role')).toBe('status');
    expect(banner?.classList.contains('connection-banner--throttled')).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();

    bridge.emit('connection', live);
    await waitFor(() => expect(screen.queryByText(THROTTLING_NOTE)).toBeNull());
  });

  it('keeps the stale warning where throttling made what is shown out of date', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    await screen.findByRole('tab', { name: 'Overview' });
    bridge.emit('connection', {
      ...live,
      state: 'stale',
      error: {
        code: 'THROTTLED',
        message: 'The cluster is throttling requests; retrying after 1 s.',
      },
      throttledSince: '2026-01-01T10:05:00Z',
    });
    await screen.findByText('Cluster throttling requests.');
    expect(screen.getByRole('alert')).toBeTruthy();
  });

  it('says nothing could be read, and lists no "no apps", when the cluster never answered', async () => {
    const bridge = new FakeBridge([]);
    renderApp(bridge);
    await screen.findByText(/^No apps/);
    bridge.emit('connection', {
      ...live,
      state: 'error',
      syncedAt: null,
      error: {
        code: 'UNAUTHORIZED',
        message: 'The credential plugin of the kubeconfig failed: error: the login has expired.',
      },
    });
    await screen.findByText('Nothing could be read from the cluster yet.');
    expect(screen.queryByText(/Stale:/)).toBeNull();
    await screen.findByText(/could not be read yet: the cluster has not answered/);
    expect(screen.queryByText(/^No apps/)).toBeNull();
  });
});
