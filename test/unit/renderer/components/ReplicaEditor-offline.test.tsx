// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { offlineQuestion } from '../../../../renderer/src/components/ReplicaEditor';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeApp } from '../../../fixtures/app-model';
import { openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

/** The Scale tab with the replica editor of `process` open, 0 typed: its region. */
async function typeZero(bridge: FakeBridge, process: string): Promise<HTMLElement> {
  await openScale(bridge);
  const region = screen.getByRole('region', { name: process });
  fireEvent.click(within(region).getByRole('button', { name: 'Edit Resources' }));
  fireEvent.change(within(region).getByLabelText('Replicas'), { target: { value: '0' } });
  return region;
}

describe('scaling the last running web replicas to 0 asks first', () => {
  it('asks, naming the app taken offline, and sends nothing on Cancel', async () => {
    const bridge = new FakeBridge([makeApp()]);
    const web = await typeZero(bridge, 'web');
    fireEvent.click(within(web).getByRole('button', { name: 'Save' }));

    const dialog = screen.getByRole('alertdialog', { name: 'Take shop offline?' });
    expect(
      within(dialog).getByText('This takes shop offline: web is its only web process.'),
    ).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.callsOf('process.setReplicas')).toEqual([]);
  });

  it('sends the change once the admin confirms', async () => {
    const bridge = new FakeBridge([makeApp()]);
    const web = await typeZero(bridge, 'web');
    // Enter in the field asks as Save does.
    fireEvent.keyDown(within(web).getByLabelText('Replicas'), { key: 'Enter' });
    const dialog = screen.getByRole('alertdialog', { name: 'Take shop offline?' });
    expect(bridge.callsOf('process.setReplicas')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Scale web to 0' }));
    await waitFor(() =>
      expect(bridge.callsOf('process.setReplicas')).toEqual([
        { namespace: 'team-a', app: 'shop', process: 'web', replicas: 0, expectedReplicas: 2 },
      ]),
    );
  });

  it('does not ask for a process that receives no requests', async () => {
    const bridge = new FakeBridge([makeApp()]);
    const worker = await typeZero(bridge, 'worker');
    fireEvent.click(within(worker).getByRole('button', { name: 'Save' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await waitFor(() => expect(bridge.callsOf('process.setReplicas')).toHaveLength(1));
  });

  it('asks only where web has replicas to lose and the count goes to 0', () => {
    const app = makeApp();
    const web = app.processes[0]!;
    expect(offlineQuestion(app, web, 1)).toBeNull();
    expect(offlineQuestion(app, web, 0)).toBe(
      'This takes shop offline: web is its only web process.',
    );
    const stopped = { ...web, replicas: { desired: 0, ready: 0, updated: 0, available: 0 } };
    expect(offlineQuestion(app, stopped, 0)).toBeNull();
  });
});
