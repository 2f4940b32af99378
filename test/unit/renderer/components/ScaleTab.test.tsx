// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeActivity } from '../../../fixtures/activity';
import { makeApp } from '../../../fixtures/app-model';
import { openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

describe('the Scale tab', () => {
  it('shows one region per process in Procfile order with its command, readiness and nodes', async () => {
    await openScale(new FakeBridge([makeApp()]));
    const regions = screen
      .getAllByRole('region')
      .filter((r) => ['web', 'worker'].includes(r.getAttribute('aria-label') ?? ''));
    expect(regions.map((region) => region.getAttribute('aria-label'))).toEqual(['web', 'worker']);
    const web = screen.getByRole('region', { name: 'web' });
    expect(within(web).getByText('gunicorn app:server --workers 4')).toBeTruthy();
    expect(within(web).getByText('2 of 2 ready')).toBeTruthy();
    expect(within(web).getByRole('cell', { name: 'node-a' })).toBeTruthy();
    expect(within(web).getByRole('cell', { name: 'node-b' })).toBeTruthy();
    expect(within(web).getByText('Spread over 2 nodes')).toBeTruthy();
  });

  it('disables the controls of a viewer and says which permission is missing', async () => {
    const reason = 'You may not patch deployments/scale in team-a.';
    const bridge = new FakeBridge([
      makeApp({
        permissions: {
          scale: { state: 'denied', reason },
          patch: { state: 'denied', reason: 'You may not patch deployments in team-a.' },
        },
      }),
    ]);
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    const edit = within(web).getByRole('button', { name: 'Edit Resources' }) as HTMLButtonElement;
    expect(edit.disabled).toBe(true);
    expect(within(web).getByText(reason)).toBeTruthy();
    const slider = within(web).getByRole('slider', { name: 'Workers' });
    expect(slider.getAttribute('aria-disabled')).toBe('true');
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(slider.getAttribute('aria-valuenow')).toBe('4');
  });

  it('asks main for a downsampled history for the chart window chosen', async () => {
    const bridge = new FakeBridge([makeApp()]);
    await openScale(bridge);
    await waitFor(() => expect(bridge.callsOf('apps.history').length).toBeGreaterThan(0));
    fireEvent.click(screen.getByRole('radio', { name: '1 hour' }));
    await waitFor(() =>
      expect(bridge.callsOf('apps.history').at(-1)).toEqual({
        namespace: 'team-a',
        app: 'shop',
        window: '1h',
        maxPoints: 300,
      }),
    );
  });

  it('explains an app stopped by its memory limit, leads to the slider, and starts it', async () => {
    const bridge = new FakeBridge([
      makeApp({
        status: { kind: 'oom-stopped', progress: null, message: 'web was OOMKilled.' },
      }),
    ]);
    await openScale(bridge);
    const banner = screen.getByRole('alert', { name: /stopped: it reached its memory limit/ });
    expect(within(banner).getByText(/Arrow/)).toBeTruthy();
    expect(within(banner).getByText(/aggregations in the database/)).toBeTruthy();
    // The admin may patch the workload: the ways out are actions, not "ask an administrator".
    expect(within(banner).queryByText(/Ask an administrator/)).toBeNull();
    fireEvent.click(within(banner).getByRole('button', { name: 'Use fewer workers' }));
    expect(document.activeElement).toBe(screen.getByRole('slider', { name: 'Workers' }));
    fireEvent.click(within(banner).getByRole('button', { name: 'Start' }));
    await waitFor(() =>
      expect(bridge.callsOf('app.start')).toEqual([{ namespace: 'team-a', app: 'shop' }]),
    );
  });

  it('offers Undo for the last change of replicas', async () => {
    const bridge = new FakeBridge([makeApp()]).on('activity.list', () => ({
      ok: true,
      value: [
        makeActivity({ id: 'new', at: '2026-01-01T10:05:00Z', context: null }),
        makeActivity({
          id: 'old',
          context: null,
          from: 1,
          to: 2,
          command: 'kubectl scale deployment/shop-web --replicas=2 -n team-a',
        }),
      ],
    }));
    await openScale(bridge);
    const log = screen.getByRole('region', { name: 'Activity' });
    const undo = await within(log).findAllByRole('button', { name: 'Undo' });
    expect(undo).toHaveLength(1);
    fireEvent.click(undo[0]!);
    await waitFor(() => expect(bridge.callsOf('activity.undo')).toEqual([{ id: 'new' }]));
  });
});
