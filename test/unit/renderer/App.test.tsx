// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { FakeBridge } from '../../fixtures/fake-bridge';
import { makeApp } from '../../fixtures/app-model';
import { renderApp } from '../../fixtures/render';
import { makeSettings } from '../../fixtures/settings';

afterEach(cleanup);

describe('the window', () => {
  it('marks what is shown as stale when the cluster is unreachable, and retries', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    await screen.findByRole('tab', { name: 'Overview' });
    bridge.emit('connection', {
      state: 'stale',
      context: 'sandbox',
      namespace: null,
      source: 'sandbox',
      kubeconfigPaths: [],
      server: null,
      error: { code: 'UNREACHABLE', message: 'connect ECONNREFUSED 127.0.0.1:6443' },
      syncedAt: '2026-01-01T10:00:00Z',
      metrics: { state: 'ok', lastSampleAt: null, message: null },
      throttledSince: null,
    });
    await screen.findByText('Cluster unreachable.');
    expect(screen.getByText('Stale')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(bridge.callsOf('cluster.connect')).toEqual([{ context: 'sandbox', namespace: null }]),
    );
  });

  it('follows the theme setting over the OS', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    await screen.findByRole('tab', { name: 'Overview' });
    expect(document.documentElement.dataset.theme).toBeUndefined();
    bridge.emit('settings', makeSettings({ theme: 'dark' }));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });
});
