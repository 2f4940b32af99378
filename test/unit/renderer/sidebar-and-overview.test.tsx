// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge } from '../../fixtures/fake-bridge';
import { makeApp } from '../../fixtures/renderer-app-model';
import { renderApp } from '../../fixtures/render';

afterEach(cleanup);

function manyApps(count: number) {
  return Array.from({ length: count }, (_, index) =>
    makeApp({ name: `app-${String(index).padStart(4, '0')}` }),
  );
}

describe('the sidebar', () => {
  it('keeps a thousand apps fast by rendering only the rows in view', async () => {
    renderApp(new FakeBridge(manyApps(1000)));
    expect(await screen.findByText('1000 apps')).toBeTruthy();
    const rows = within(screen.getByRole('listbox', { name: 'Apps' })).getAllByRole('option');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('1000');
  });

  it('filters by the search text and moves through the list with the arrow keys', async () => {
    renderApp(new FakeBridge(manyApps(30)));
    const search = await screen.findByRole('searchbox', { name: 'Search apps' });
    fireEvent.change(search, { target: { value: 'app-001' } });
    const list = screen.getByRole('listbox', { name: 'Apps' });
    await waitFor(() => expect(within(list).getAllByRole('option')).toHaveLength(10));
    expect(screen.getByText('10 of 30 apps')).toBeTruthy();

    fireEvent.click(screen.getByRole('option', { name: /app-0010/ }));
    expect(screen.getByRole('heading', { level: 1, name: 'app-0010' })).toBeTruthy();
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(screen.getByRole('heading', { level: 1, name: 'app-0011' })).toBeTruthy();
    expect(screen.getByRole('option', { name: /app-0011/ }).getAttribute('aria-selected')).toBe(
      'true',
    );
  });

  it('redraws a row when its app changes and follows apps that come and go', async () => {
    const bridge = new FakeBridge([makeApp({ name: 'alpha' })]);
    renderApp(bridge);
    await screen.findByRole('option', { name: /alpha/ });
    bridge.emit('apps', {
      reset: false,
      removed: [],
      upserted: [
        makeApp({
          name: 'alpha',
          status: { kind: 'deploying', progress: 0.5, message: 'Rolling out' },
        }),
        makeApp({ name: 'beta' }),
      ],
    });
    const alpha = await screen.findByRole('option', { name: /alpha.*Deploying.*50%/ });
    expect(alpha).toBeTruthy();
    expect(screen.getByRole('option', { name: /beta/ })).toBeTruthy();
    bridge.emit('apps', { reset: false, removed: ['team-a/beta'], upserted: [] });
    await waitFor(() => expect(screen.queryByRole('option', { name: /beta/ })).toBeNull());
  });

  it('switches the namespace through the contract', async () => {
    const bridge = new FakeBridge([makeApp(), makeApp({ namespace: 'team-b' })]);
    renderApp(bridge);
    const select = await screen.findByLabelText('Namespace');
    await within(select).findByRole('option', { name: 'team-b' });
    fireEvent.change(select, { target: { value: 'team-b' } });
    await waitFor(() =>
      expect(bridge.callsOf('cluster.connect')).toEqual([
        { context: 'sandbox', namespace: 'team-b' },
      ]),
    );
  });
});

describe('the settings', () => {
  it('refuses a maximum of replicas out of range and saves a good one through the contract', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const max = within(dialog).getByLabelText('Maximum replicas per process');
    const save = within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    fireEvent.change(max, { target: { value: '0' } });
    expect(within(dialog).getByText('A whole number from 1 to 100.')).toBeTruthy();
    expect(save.disabled).toBe(true);
    fireEvent.change(max, { target: { value: '5' } });
    fireEvent.change(within(dialog).getByLabelText('Error rate alert above'), {
      target: { value: '2' },
    });
    fireEvent.click(save);
    await waitFor(() =>
      expect(bridge.callsOf('settings.set')).toEqual([
        { maxReplicas: 5, errorRateThreshold: 0.02 },
      ]),
    );
  });
});

describe('App Info', () => {
  it('moves between the Overview and Scale tabs with the arrow keys', async () => {
    renderApp(new FakeBridge([makeApp()]));
    const overview = await screen.findByRole('tab', { name: 'Overview' });
    expect(overview.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(overview, { key: 'ArrowRight' });
    const scale = screen.getByRole('tab', { name: 'Scale' });
    expect(scale.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(scale);
    expect(screen.getByRole('region', { name: 'web' })).toBeTruthy();
  });

  it('restarts only after a confirmation that names what restarts', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Restart' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Restart shop?' });
    expect(within(dialog).getByText(/web \(2 replicas\) and worker \(1 replica\)/)).toBeTruthy();
    expect(bridge.callsOf('app.restart')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restart' }));
    await waitFor(() =>
      expect(bridge.callsOf('app.restart')).toEqual([{ namespace: 'team-a', app: 'shop' }]),
    );
  });

  it('cancels a restart with Escape', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Restart' }));
    fireEvent.keyDown(screen.getByRole('alertdialog'), { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.callsOf('app.restart')).toEqual([]);
  });

  it('offers Start, not Restart, for an app scaled to zero', async () => {
    const bridge = new FakeBridge([
      makeApp({ status: { kind: 'scaled-to-zero', progress: null, message: 'No replica runs.' } }),
    ]);
    renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Start' }));
    expect(screen.queryByRole('button', { name: 'Restart' })).toBeNull();
    await waitFor(() => expect(bridge.callsOf('app.start')).toHaveLength(1));
  });

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
    });
    const banner = await screen.findByText('Cluster unreachable.');
    expect(banner).toBeTruthy();
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
    bridge.emit('settings', { ...defaults(), theme: 'dark' });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });
});

function defaults() {
  return {
    lastContext: null,
    lastNamespace: null,
    metricsIntervalSeconds: 15,
    maxReplicas: 10,
    theme: 'system' as const,
    latencyThresholdMs: 500,
    errorRateThreshold: 0.01,
    appUrls: {},
  };
}
