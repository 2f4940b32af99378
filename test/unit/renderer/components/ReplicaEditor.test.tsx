// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeActivity } from '../../../fixtures/activity';
import { makeApp } from '../../../fixtures/app-model';
import { emitWebChange, openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

/** The Scale tab with the replica editor of web open: web's region. */
async function editWebReplicas(bridge: FakeBridge): Promise<HTMLElement> {
  await openScale(bridge);
  const web = screen.getByRole('region', { name: 'web' });
  fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
  return web;
}

describe('the replica editor of the Scale tab', () => {
  it('refuses 11 and -1 and 2.5 with a message and Save disabled, and sends nothing', async () => {
    const bridge = new FakeBridge([makeApp()]);
    const web = await editWebReplicas(bridge);
    const input = within(web).getByLabelText('Replicas');
    const save = within(web).getByRole('button', { name: 'Save' });

    for (const [text, message] of [
      ['11', /from 0 to 10 \(the maximum set in Settings\); got 11/],
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
    const web = await editWebReplicas(bridge);
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
    const web = await editWebReplicas(bridge);
    fireEvent.change(within(web).getByLabelText('Replicas'), { target: { value: '5' } });
    // Someone else scales web to 4 meanwhile; the model follows from the watch.
    emitWebChange(bridge, app, {
      resourceVersion: '101',
      replicas: { desired: 4, ready: 2, updated: 4, available: 2 },
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
    const web = await editWebReplicas(bridge);
    fireEvent.click(within(web).getByRole('button', { name: 'One replica more' }));
    fireEvent.click(within(web).getByRole('button', { name: 'Save' }));

    await within(web).findByText('Changed by someone else');
    // The model still says 2; the cluster, as main read it when refusing, has 6.
    expect(within(web).getByText('2 of 2 ready')).toBeTruthy();
    expect(within(web).getByText('6 replicas')).toBeTruthy();
  });

  it('refuses before sending a change that passes the pod quota', async () => {
    const bridge = new FakeBridge([
      makeApp({ podRoom: { quotaUsed: 19, quotaHard: 20, nodesFree: null } }),
    ]);
    const web = await editWebReplicas(bridge);
    fireEvent.change(within(web).getByLabelText('Replicas'), { target: { value: '4' } });
    expect(within(web).getByText(/pod quota of namespace team-a allows 20 pods/)).toBeTruthy();
    expect((within(web).getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('notes that the process will stop, and leaves the memory change to the table', async () => {
    const web = await editWebReplicas(new FakeBridge([makeApp()]));
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
    const web = await editWebReplicas(bridge);
    fireEvent.change(within(web).getByLabelText('Replicas'), { target: { value: '6' } });
    fireEvent.click(within(web).getByRole('button', { name: 'Save' }));
    expect(await within(web).findByText('The pod quota of team-a is full.')).toBeTruthy();
    expect((within(web).getByLabelText('Replicas') as HTMLInputElement).value).toBe('6');
  });
});
