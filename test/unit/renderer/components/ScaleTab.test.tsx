// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { GIB } from '../../../../shared/app-model';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeActivity } from '../../../fixtures/activity';
import { makeApp, makeProcess } from '../../../fixtures/app-model';
import { renderApp } from '../../../fixtures/render';

afterEach(cleanup);

async function openScale(bridge: FakeBridge) {
  const view = renderApp(bridge);
  fireEvent.click(await screen.findByRole('tab', { name: 'Scale' }));
  return view;
}

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

  it('refuses 11 and -1 and 2.5 with a message and Save disabled, and sends nothing', async () => {
    const bridge = new FakeBridge([makeApp()]);
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
    const input = within(web).getByLabelText('Replicas');
    const save = within(web).getByRole('button', { name: 'Save' });

    for (const [text, message] of [
      ['11', /cannot be more than 10/],
      ['-1', /cannot be negative/],
      ['2.5', /whole number/],
      ['three', /must be a number/],
    ] as const) {
      fireEvent.change(input, { target: { value: text } });
      expect(within(web).getByText(message)).toBeTruthy();
      expect((save as HTMLButtonElement).disabled).toBe(true);
      fireEvent.click(save);
    }
    expect(bridge.callsOf('process.setReplicas')).toEqual([]);
  });

  it('shows the effect before saving, then sends the change with the count the admin saw', async () => {
    const bridge = new FakeBridge([makeApp()]);
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
    fireEvent.click(within(web).getByRole('button', { name: 'One replica more' }));

    expect((within(web).getByLabelText('Replicas') as HTMLInputElement).value).toBe('3');
    // 32 GiB now, one more 8 GiB replica: 40 GiB; quota 20 with 4 used: 16 left, 15 after.
    expect(within(web).getByText('40 GiB')).toBeTruthy();
    expect(within(web).getByText('15')).toBeTruthy();
    expect(
      within(web).getByRole('button', {
        name: 'Copy command: kubectl scale deployment/shop-web --replicas=3 -n team-a --context sandbox',
      }),
    ).toBeTruthy();

    const save = within(web).getByRole('button', { name: 'Save' });
    fireEvent.click(save);
    // Feedback in the same frame: busy before main has answered.
    expect(save.getAttribute('aria-busy')).toBe('true');
    await waitFor(() =>
      expect(bridge.callsOf('process.setReplicas')).toEqual([
        {
          namespace: 'team-a',
          app: 'shop',
          process: 'web',
          replicas: 3,
          expectedReplicas: 2,
        },
      ]),
    );
    // Progress follows from the operation events until the replicas are ready.
    bridge.emit('operation', {
      operationId: 'op-1',
      appId: 'team-a/shop',
      process: 'web',
      phase: 'rolling',
      progress: 0.5,
      message: '2 of 3 replicas ready',
    });
    expect(await within(web).findByText('2 of 3 replicas ready')).toBeTruthy();
    bridge.emit('operation', {
      operationId: 'op-1',
      appId: 'team-a/shop',
      process: 'web',
      phase: 'failed',
      progress: 0.66,
      message: 'a replica cannot be scheduled: no node has room',
    });
    expect(await within(web).findByText(/Not done: a replica cannot be scheduled/)).toBeTruthy();
  });

  it('keeps what was typed on a conflict, shows the value now, and applies anyway with force', async () => {
    const app = makeApp();
    const bridge = new FakeBridge([app]).fail('process.setReplicas', {
      code: 'CONFLICT',
      message: 'web of shop was changed by someone else since you read it.',
    });
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
    fireEvent.change(within(web).getByLabelText('Replicas'), { target: { value: '5' } });
    // Someone else scales web to 4 meanwhile; the model follows from the watch.
    const [web0, worker] = app.processes;
    bridge.emit('apps', {
      reset: false,
      removed: [],
      upserted: [
        {
          ...app,
          processes: [
            {
              ...web0!,
              resourceVersion: '101',
              replicas: { desired: 4, ready: 2, updated: 4, available: 2 },
            },
            worker!,
          ],
        },
      ],
    });
    await within(web).findByText('2 of 4 ready');
    fireEvent.click(within(web).getByRole('button', { name: 'Save' }));

    await within(web).findByText('Changed by someone else');
    expect(within(web).getByText('4 replicas')).toBeTruthy();
    expect((within(web).getByLabelText('Replicas') as HTMLInputElement).value).toBe('5');
    // What the admin saw when they typed, not what the model shows now: main judges the rest.
    expect(bridge.callsOf('process.setReplicas')[0]?.expectedReplicas).toBe(2);

    bridge.on('process.setReplicas', () => ({
      ok: true,
      value: {
        operationId: 'op-9',
        activity: makeActivity({
          id: 'x',
          context: null,
          from: 4,
          to: 5,
          result: 'pending',
          command: 'kubectl scale deployment/shop-web --replicas=5 -n team-a',
        }),
        warnings: [],
      },
    }));
    fireEvent.click(within(web).getByRole('button', { name: 'Apply anyway' }));
    await waitFor(() =>
      expect(bridge.callsOf('process.setReplicas')[1]).toMatchObject({
        replicas: 5,
        expectedReplicas: 2,
        force: true,
      }),
    );
  });

  it('names the value main read on a conflict, where the model has not caught up with it yet', async () => {
    const bridge = new FakeBridge([makeApp()]).fail('process.setReplicas', {
      code: 'CONFLICT',
      message: 'web was changed to 6 replicas by someone else; yours was 3. Nothing was written.',
      details: { current: 6, yours: 3 },
    });
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
    fireEvent.click(within(web).getByRole('button', { name: 'One replica more' }));
    fireEvent.click(within(web).getByRole('button', { name: 'Save' }));

    await within(web).findByText('Changed by someone else');
    // The model still says 2; the cluster, as main read it when refusing, has 6.
    expect(within(web).getByText('2 of 2 ready')).toBeTruthy();
    expect(within(web).getByText('6 replicas')).toBeTruthy();
  });

  it("sends a second change of workers with the count ScaleDesk's own first change left", async () => {
    const app = makeApp();
    const bridge = new FakeBridge([app]);
    await openScale(bridge);
    const web = () => screen.getByRole('region', { name: 'web' });
    const redeploy = async (key: string) => {
      fireEvent.keyDown(within(web()).getByRole('slider', { name: 'Workers' }), { key });
      fireEvent.click(within(web()).getByRole('button', { name: 'Save and redeploy' }));
      fireEvent.click(
        within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Redeploy' }),
      );
    };

    await redeploy('ArrowLeft');
    await waitFor(() => expect(bridge.callsOf('process.setWorkers')).toHaveLength(1));
    // The first change lands: the model shows web at 3 workers.
    const [web0, worker] = app.processes;
    bridge.emit('apps', {
      reset: false,
      removed: [],
      upserted: [
        {
          ...app,
          processes: [{ ...web0!, workers: { ...web0!.workers!, count: 3 } }, worker!],
        },
      ],
    });
    await waitFor(() =>
      expect(
        within(web()).getByRole('slider', { name: 'Workers' }).getAttribute('aria-valuenow'),
      ).toBe('3'),
    );

    await redeploy('ArrowLeft');
    await waitFor(() =>
      expect(bridge.callsOf('process.setWorkers').map((call) => call.expectedWorkers)).toEqual([
        4, 3,
      ]),
    );
    expect(bridge.callsOf('process.setWorkers')[1]?.workers).toBe(2);
  });

  it('refuses before sending a change that passes the pod quota', async () => {
    const bridge = new FakeBridge([
      makeApp({ podRoom: { quotaUsed: 19, quotaHard: 20, nodesFree: null } }),
    ]);
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
    fireEvent.change(within(web).getByLabelText('Replicas'), { target: { value: '4' } });
    expect(within(web).getByText(/pod quota of namespace team-a allows 20 pods/)).toBeTruthy();
    expect((within(web).getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('notes that the process will stop, and leaves the memory change to the table', async () => {
    await openScale(new FakeBridge([makeApp()]));
    const web = screen.getByRole('region', { name: 'web' });
    fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
    fireEvent.change(within(web).getByLabelText('Replicas'), { target: { value: '0' } });
    expect(
      within(web).getByText(
        'web will stop: no replica will run. Start brings back its 2 replicas.',
      ),
    ).toBeTruthy();
    expect(within(web).queryByText(/The app's maximum memory goes/)).toBeNull();
  });

  it('shows a quota refusal from main next to the editor and keeps the value', async () => {
    const bridge = new FakeBridge([makeApp()]).fail('process.setReplicas', {
      code: 'QUOTA_EXCEEDED',
      message: 'The pod quota of team-a is full.',
    });
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
    fireEvent.change(within(web).getByLabelText('Replicas'), { target: { value: '6' } });
    fireEvent.click(within(web).getByRole('button', { name: 'Save' }));
    expect(await within(web).findByText('The pod quota of team-a is full.')).toBeTruthy();
    expect((within(web).getByLabelText('Replicas') as HTMLInputElement).value).toBe('6');
  });

  it('disables the controls of a viewer and says which permission is missing', async () => {
    const reason = 'You may not patch deployments/scale in team-a.';
    const bridge = new FakeBridge([
      makeApp({
        permissions: {
          scale: { allowed: false, reason },
          patch: { allowed: false, reason: 'You may not patch deployments in team-a.' },
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

  it('moves the workers with the arrow keys, estimates memory, and redeploys after a confirmation', async () => {
    const bridge = new FakeBridge([makeApp()]);
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    const slider = within(web).getByRole('slider', { name: 'Workers' });
    expect(slider.getAttribute('aria-valuenow')).toBe('4');
    fireEvent.keyDown(slider, { key: 'ArrowLeft' });
    expect(slider.getAttribute('aria-valuenow')).toBe('3');
    // 0.5 GiB per worker measured now.
    expect(within(web).getByText('about 1.5 GiB')).toBeTruthy();

    fireEvent.click(within(web).getByRole('button', { name: 'Save and redeploy' }));
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText(/This is a redeploy/)).toBeTruthy();
    expect(bridge.callsOf('process.setWorkers')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Redeploy' }));
    await waitFor(() =>
      expect(bridge.callsOf('process.setWorkers')).toEqual([
        { namespace: 'team-a', app: 'shop', process: 'web', workers: 3, expectedWorkers: 4 },
      ]),
    );
  });

  it('warns where the workers would pass the memory limit, and about --preload', async () => {
    const app = makeApp();
    const web = makeProcess({
      ...app.processes[0]!,
      name: 'web',
      workers: { count: 4, spelling: '--workers', preload: true },
      memoryPerWorkerBytes: 1.5 * GIB,
    });
    await openScale(new FakeBridge([{ ...app, processes: [web, app.processes[1]!] }]));
    const card = screen.getByRole('region', { name: 'web' });
    expect(within(card).getByText(/--preload is on/)).toBeTruthy();
    expect(within(card).getByText(/--preload is on/).className).toContain(
      'worker-slider__warning--preload',
    );
    const slider = within(card).getByRole('slider', { name: 'Workers' });
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(within(card).getByText(/past its 8 GiB memory limit/)).toBeTruthy();
    expect(within(card).getByText(/past its 8 GiB memory limit/).className).toContain(
      'worker-slider__warning--danger',
    );
    expect(within(card).getByText(/--preload is on/).className).not.toContain(
      'worker-slider__warning--danger',
    );
  });

  it('shows memory as a meter of used against the maximum', async () => {
    await openScale(
      new FakeBridge([makeApp({ memory: { usedBytes: 5.2 * GIB, maxBytes: 24 * GIB } })]),
    );
    const meter = screen.getByRole('meter', { name: 'Memory used' });
    expect(meter.getAttribute('aria-valuemax')).toBe(String(24 * GIB));
    expect(meter.getAttribute('aria-valuenow')).toBe(String(5.2 * GIB));
    expect(screen.getByText('5.2 GiB of 24 GiB')).toBeTruthy();
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
    expect(within(banner).getByText(/Ask an administrator for a higher memory limit/)).toBeTruthy();
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

describe('the memory panel', () => {
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
