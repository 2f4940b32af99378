// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ActivityEntry } from '../../../../shared/contract';
import type { App } from '../../../../shared/app-model';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeActivity } from '../../../fixtures/activity';
import { makeApp } from '../../../fixtures/app-model';
import { openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

/** The Scale tab of `app` whose activity log lists `entries`: the log's region. */
async function logOf(entries: ActivityEntry[], app: App = makeApp()) {
  const bridge = new FakeBridge([app]).on('activity.list', () => ({ ok: true, value: entries }));
  await openScale(bridge);
  return { bridge, log: screen.getByRole('region', { name: 'Activity' }) };
}

const workersChange = (overrides: Partial<ActivityEntry> = {}): ActivityEntry =>
  makeActivity({
    id: 'workers',
    kind: 'workers',
    from: 4,
    to: 6,
    command: 'kubectl patch deployment/shop-web --type=json',
    ...overrides,
  });

describe('Undo of a change that redeploys asks as the change did', () => {
  it('names the redeploy and the pods replaced, and sends nothing on Cancel', async () => {
    const { bridge, log } = await logOf([workersChange()]);
    fireEvent.click(await within(log).findByRole('button', { name: 'Undo' }));

    const dialog = screen.getByRole('alertdialog', { name: 'Undo: redeploy web with 4 workers?' });
    expect(
      within(dialog).getByText(
        'This is a redeploy: the 2 replicas of web are replaced one by one with new ones running gunicorn with 4 workers (now 6).',
      ),
    ).toBeTruthy();
    expect(within(dialog).getByText('Pods replaced: shop-web-abc-0, shop-web-abc-1.')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(bridge.callsOf('activity.undo')).toEqual([]);
  });

  it('sends the Undo once the admin confirms the redeploy', async () => {
    const { bridge, log } = await logOf([workersChange()]);
    fireEvent.click(await within(log).findByRole('button', { name: 'Undo' }));
    fireEvent.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Redeploy' }),
    );
    await waitFor(() => expect(bridge.callsOf('activity.undo')).toEqual([{ id: 'workers' }]));
  });

  it('asks before undoing a memory limit, naming both limits', async () => {
    const { log } = await logOf([
      makeActivity({ id: 'limit', kind: 'memory-limit', from: '8Gi', to: '12Gi' }),
    ]);
    fireEvent.click(await within(log).findByRole('button', { name: 'Undo' }));
    const dialog = screen.getByRole('alertdialog', {
      name: 'Undo: redeploy web with a memory limit of 8Gi?',
    });
    expect(within(dialog).getByText(/limited to 8Gi per replica \(now 12Gi\)/)).toBeTruthy();
  });

  it('says the config file decides again where ScaleDesk added the count', async () => {
    const app = makeApp();
    const web = app.processes[0]!;
    const withConfig: App = {
      ...app,
      processes: [
        {
          ...web,
          workers: {
            count: 6,
            spelling: '--workers',
            preload: false,
            configFile: 'gunicorn.conf.py',
          },
        },
        ...app.processes.slice(1),
      ],
    };
    const { log } = await logOf([workersChange({ from: null, to: 6 })], withConfig);
    expect(await within(log).findByText('web workers unset → 6 (redeploy)')).toBeTruthy();
    fireEvent.click(within(log).getByRole('button', { name: 'Undo' }));
    const dialog = screen.getByRole('alertdialog', {
      name: 'Undo: redeploy web with the worker count of its config file (gunicorn.conf.py)?',
    });
    expect(within(dialog).getByText(/The --workers 6 ScaleDesk added is removed/)).toBeTruthy();
  });

  it('undoes a replica count at once: nothing is replaced', async () => {
    const { bridge, log } = await logOf([makeActivity({ id: 'replicas' })]);
    fireEvent.click(await within(log).findByRole('button', { name: 'Undo' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await waitFor(() => expect(bridge.callsOf('activity.undo')).toEqual([{ id: 'replicas' }]));
  });
});

describe('Undo is offered for a change whose new pods were OOMKilled after it', () => {
  it('offers Undo for that failure, with its message', async () => {
    const message =
      "OOMKilled after the change: web's new pod shop-web-x was stopped by its memory limit of 8 GiB.";
    const { log } = await logOf([workersChange({ result: 'failed', message })]);
    expect(await within(log).findByText(message)).toBeTruthy();
    expect(within(log).getByRole('button', { name: 'Undo' })).toBeTruthy();
  });

  it('offers none for another failure, nor where the count before was not known', async () => {
    const { log } = await logOf([
      workersChange({ id: 'failed', result: 'failed', message: 'The rollout did not complete.' }),
    ]);
    expect(await within(log).findByText('The rollout did not complete.')).toBeTruthy();
    expect(within(log).queryByRole('button', { name: 'Undo' })).toBeNull();
    cleanup();

    const unknown = await logOf([workersChange({ from: 'unknown' })]);
    expect(await within(unknown.log).findByText('web workers unknown → 6 (redeploy)')).toBeTruthy();
    expect(within(unknown.log).queryByRole('button', { name: 'Undo' })).toBeNull();
  });
});
