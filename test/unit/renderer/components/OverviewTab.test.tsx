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
