// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge, liveConnection } from '../../../fixtures/fake-bridge';
import { makeApp } from '../../../fixtures/app-model';
import { renderApp } from '../../../fixtures/render';

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
    await screen.findByRole('option', { name: /alpha.*Deploying.*50%/ });
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

describe('the empty app list', () => {
  it('says what the namespace holds instead and why none of it is listed', async () => {
    const bridge = new FakeBridge([]).on('cluster.namespaceSummary', () => ({
      ok: true,
      value: {
        namespace: 'mixed',
        workloads: 0,
        pods: 4,
        unlisted: [
          { kind: 'DaemonSet', owners: 1, pods: 3 },
          { kind: null, owners: 0, pods: 1 },
        ],
        statefulSetsUnreadable: false,
      },
    }));
    renderApp(bridge);
    // The fake connection watches every namespace.
    expect(await screen.findByText('No apps in the namespaces you can see.')).toBeTruthy();
    expect(
      await screen.findByText(
        'Found 3 pods of a DaemonSet and 1 bare pod (no owner) in the namespaces you can see; ScaleDesk lists Deployments and StatefulSets.',
      ),
    ).toBeTruthy();
  });

  it('says only that nothing matches where the search hides every app', async () => {
    renderApp(new FakeBridge([makeApp({ name: 'alpha' })]));
    fireEvent.change(await screen.findByRole('searchbox', { name: 'Search apps' }), {
      target: { value: 'zzz' },
    });
    expect(await screen.findByText('No app matches the search.')).toBeTruthy();
    expect(screen.queryByText(/No apps in/)).toBeNull();
  });
});

describe('the sidebar footer', () => {
  it("shows ScaleDesk's version from app.info, and the sandbox note stays", async () => {
    renderApp(new FakeBridge([makeApp()]));
    expect(await screen.findByText('ScaleDesk 0.1.0')).toBeTruthy();
    expect(screen.getByText('No kubeconfig found: showing the sandbox cluster.')).toBeTruthy();
  });

  it('marks every memory figure stale, with its time, while the metrics API is not answering', async () => {
    const bridge = new FakeBridge([makeApp({ name: 'alpha' })]);
    renderApp(bridge);
    const row = await screen.findByRole('option', { name: /alpha/ });
    const figure = () => row.querySelector('.app-row__memory')!;
    expect(figure().classList.contains('memory-figure--stale')).toBe(false);

    const lastSampleAt = '2026-01-01T10:42:00Z';
    bridge.emit(
      'connection',
      liveConnection({
        metrics: { state: 'failing', lastSampleAt, message: 'the metrics API answered 503' },
      }),
    );
    await waitFor(() => expect(figure().classList.contains('memory-figure--stale')).toBe(true));
    expect(figure().getAttribute('title')).toMatch(/as of .*the metrics API is not answering/);
    // The Overview tab's memory says the same.
    fireEvent.click(row);
    expect(await screen.findAllByText(/^Memory, as of /)).not.toHaveLength(0);
  });
});
