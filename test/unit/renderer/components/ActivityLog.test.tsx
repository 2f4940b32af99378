// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import type { Connection } from '../../../../shared/contract';
import { FakeBridge, liveConnection } from '../../../fixtures/fake-bridge';
import { makeActivity } from '../../../fixtures/activity';
import { makeApp } from '../../../fixtures/app-model';
import { openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

const live = (context: string, server: string): Connection =>
  liveConnection({ context, server, source: 'kubeconfig' });

describe('the activity log', () => {
  it('says a change a later one replaced is superseded, with what is there now, and offers no Undo', async () => {
    const bridge = new FakeBridge([makeApp()]).on('activity.list', () => ({
      ok: true,
      value: [
        makeActivity({
          id: 'overtaken',
          context: 'sandbox',
          from: 2,
          to: 6,
          result: 'superseded',
          message: 'Superseded by a later change: web now has 3 replicas.',
        }),
      ],
    }));
    await openScale(bridge);
    const log = screen.getByRole('region', { name: 'Activity' });
    expect(await within(log).findByText('Superseded')).toBeTruthy();
    expect(
      within(log).getByText('Superseded by a later change: web now has 3 replicas.'),
    ).toBeTruthy();
    expect(within(log).queryByRole('button', { name: 'Undo' })).toBeNull();
  });

  it("shows the connected context's changes only, and lists them again after a switch", async () => {
    const bridge = new FakeBridge([makeApp()]).on('activity.list', () => ({
      ok: true,
      value: [makeActivity({ id: 'here', context: 'sandbox' })],
    }));
    const { store } = await openScale(bridge);
    const log = screen.getByRole('region', { name: 'Activity' });
    expect(await within(log).findByRole('button', { name: 'Undo' })).toBeTruthy();
    const listedBefore = bridge.callsOf('activity.list').length;

    // The same app name in another context is another app: its log starts empty.
    bridge.on('activity.list', () => ({
      ok: true,
      value: [makeActivity({ id: 'there', context: 'prod', from: 3, to: 4 })],
    }));
    bridge.emit('connection', live('prod', 'https://prod.example:6443'));
    await waitFor(() => expect(bridge.callsOf('activity.list').length).toBe(listedBefore + 1));
    const logNow = () => screen.getByRole('region', { name: 'Activity' });
    await waitFor(() => expect(within(logNow()).getByText('web replicas 3 → 4')).toBeTruthy());
    expect(within(logNow()).queryByText('web replicas 2 → 3')).toBeNull();
    expect(store.getState().activity.map((e) => e.id)).toContain('here');
  });
});
