// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeApp } from '../../../fixtures/app-model';
import { renderApp } from '../../../fixtures/render';

afterEach(cleanup);

describe('the Overview tab', () => {
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
});

describe('the Overview tab as a read-only user', () => {
  it('says the endpoint cannot be checked, with why, instead of answering', async () => {
    const message = 'Cannot check this app: you may not use services/proxy in namespace team-a.';
    const bridge = new FakeBridge([
      makeApp({
        endpoint: {
          state: 'cannot-check',
          latencyMs: null,
          errorRate: null,
          checkedAt: '2026-01-01T10:00:00Z',
          message,
        },
      }),
    ]);
    renderApp(bridge);
    const endpoint = await screen.findByRole('region', { name: 'Endpoint' });
    expect(within(endpoint).getByText('Cannot check')).toBeTruthy();
    expect(within(endpoint).queryByText('Answering')).toBeNull();
    expect(within(endpoint).getByText(message)).toBeTruthy();
    expect(
      within(endpoint).getAllByText('Not measured: the cluster does not let you reach the app.'),
    ).toHaveLength(2);
  });

  it('disables Restart where patching is denied, and keeps it usable where it is unknown, saying so', async () => {
    const denied = 'You may not patch deployments in namespace "team-a".';
    const bridge = new FakeBridge([
      makeApp({
        permissions: {
          scale: { state: 'denied', reason: 'no' },
          patch: { state: 'denied', reason: denied },
        },
      }),
    ]);
    renderApp(bridge);
    const restart = (await screen.findByRole('button', { name: 'Restart' })) as HTMLButtonElement;
    expect(restart.disabled).toBe(true);
    expect(screen.getByText(denied)).toBeTruthy();
    cleanup();

    const unknown =
      'Not checked yet whether you may patch deployments in namespace "team-a": the cluster will judge the change.';
    renderApp(
      new FakeBridge([
        makeApp({
          permissions: {
            scale: { state: 'unknown', reason: 'not yet' },
            patch: { state: 'unknown', reason: unknown },
          },
        }),
      ]),
    );
    const usable = (await screen.findByRole('button', { name: 'Restart' })) as HTMLButtonElement;
    expect(usable.disabled).toBe(false);
    expect(usable.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(usable.getAttribute('aria-describedby')!)?.textContent).toBe(
      unknown,
    );
  });
});
