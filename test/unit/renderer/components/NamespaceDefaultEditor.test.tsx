// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { GIB, type App } from '../../../../shared/app-model';
import type { NamespaceMemoryDefaults } from '../../../../shared/namespace-memory-defaults';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeApp, makeProcess } from '../../../fixtures/app-model';
import { makeActivity } from '../../../fixtures/activity';
import { renderApp } from '../../../fixtures/render';

afterEach(cleanup);

const DEFAULTS: NamespaceMemoryDefaults = {
  namespace: 'team-a',
  limitRange: 'mem-defaults',
  resourceVersion: '7',
  defaultBytes: 8 * GIB,
  defaultRequestBytes: 2 * GIB,
  permission: { state: 'allowed', reason: null },
  appsOnDefault: [{ app: 'shop', processes: ['web', 'worker'], runningBytes: 8 * GIB }],
};

/** shop with web on the namespace default (8 GiB), as its pods run it. */
function onDefault(next: App['processes'][number]['memoryLimit']['next'] = null): App {
  const limit = { bytes: 8 * GIB, source: 'limitrange' as const, requestBytes: 2 * GIB, next };
  return makeApp({
    processes: [
      makeProcess({ name: 'web', memoryLimit: limit }),
      makeProcess({ name: 'worker', memoryLimit: limit }),
    ],
  });
}

async function openScaleTab(): Promise<HTMLElement> {
  fireEvent.click(await screen.findByRole('tab', { name: 'Scale' }));
  return screen.findByRole('region', { name: 'web' });
}

describe('the limit figure and the namespace default', () => {
  it('writes where the limit comes from next to it, and both values during a rollout', async () => {
    const app = onDefault();
    app.processes[1] = makeProcess({
      name: 'worker',
      memoryLimit: {
        bytes: 8 * GIB,
        source: 'container',
        requestBytes: null,
        next: { bytes: 12 * GIB, source: 'container', reason: 'rollout' },
      },
    });
    renderApp(new FakeBridge([app]));
    const web = await openScaleTab();
    expect(within(web).getByText('8 GiB, namespace default')).toBeTruthy();
    const worker = screen.getByRole('region', { name: 'worker' });
    expect(within(worker).getByText('8 GiB, set for this process')).toBeTruthy();
    expect(within(worker).getByTestId('next-limit').textContent).toBe(
      'Rolling out to 12 GiB, set for this process; replicas not replaced yet run 8 GiB.',
    );
    // A process with its own limit does not run on the namespace default.
    expect(
      within(worker).queryByRole('button', { name: 'Change the namespace default' }),
    ).toBeNull();
  });

  it('lists the apps on the default before saving, refuses a bad quantity, and sends what the admin saw', async () => {
    const bridge = new FakeBridge([onDefault()])
      .on('namespace.memoryDefaults', () => ({ ok: true, value: DEFAULTS }))
      .on('namespace.setMemoryDefault', (input) => ({
        ok: true,
        value: {
          operationId: 'op-1',
          activity: makeActivity({
            id: 'activity-1',
            kind: 'memory-default',
            app: '',
            process: null,
            from: '8Gi',
            to: input.limit,
            result: 'done',
            message: `New pods in team-a get ${input.limit} by default; running pods keep theirs until they are replaced.`,
          }),
          warnings: [],
        },
      }));
    renderApp(bridge);
    const web = await openScaleTab();
    fireEvent.click(within(web).getByRole('button', { name: 'Change the namespace default' }));
    const editor = await screen.findByRole('region', { name: 'Default memory limit of team-a' });
    await within(editor).findByText(/^Now 8 GiB per container/);
    expect(
      within(editor).getByText(/will take the new value only when its pods are replaced/),
    ).toBeTruthy();
    expect(within(editor).getByRole('listitem').textContent).toBe('shop (web, worker) runs 8 GiB');

    const input = within(editor).getByLabelText('New default');
    expect((input as HTMLInputElement).value).toBe('8Gi');
    const save = within(editor).getByRole('button', { name: 'Save default' });
    fireEvent.change(input, { target: { value: '12 GB' } });
    expect(save.hasAttribute('disabled')).toBe(true);
    expect(within(editor).getByText(/Kubernetes quantity such as 12Gi/)).toBeTruthy();
    fireEvent.change(input, { target: { value: '12Gi' } });
    fireEvent.click(save);
    await waitFor(() =>
      expect(bridge.callsOf('namespace.setMemoryDefault')).toEqual([
        { namespace: 'team-a', limit: '12Gi', expectedDefaultBytes: 8 * GIB },
      ]),
    );
    await within(editor).findByText(/New pods in team-a get 12Gi by default/);
    expect(within(editor).getByRole('button', { name: 'Undo (back to 8Gi)' })).toBeTruthy();
  });

  it('disables saving, saying why, for a user who may not update limitranges', async () => {
    const denied = {
      ...DEFAULTS,
      permission: { state: 'denied' as const, reason: 'You may not update limitranges.' },
    };
    const bridge = new FakeBridge([onDefault()]).on('namespace.memoryDefaults', () => ({
      ok: true,
      value: denied,
    }));
    renderApp(bridge);
    const web = await openScaleTab();
    fireEvent.click(within(web).getByRole('button', { name: 'Change the namespace default' }));
    const editor = await screen.findByRole('region', { name: 'Default memory limit of team-a' });
    await within(editor).findByText('You may not update limitranges.');
    fireEvent.change(within(editor).getByLabelText('New default'), { target: { value: '12Gi' } });
    expect(
      within(editor).getByRole('button', { name: 'Save default' }).hasAttribute('disabled'),
    ).toBe(true);
  });

  it('says on the Overview that the app runs the old default until it is restarted', async () => {
    renderApp(
      new FakeBridge([
        onDefault({ bytes: 12 * GIB, source: 'limitrange', reason: 'namespace-default' }),
      ]),
    );
    const notice = await screen.findByTestId('old-default-notice');
    expect(notice.textContent).toBe(
      'Runs the old default 8 GiB; the new default 12 GiB applies after a restart. Restart to apply it to web, worker.',
    );
    expect(screen.getByRole('button', { name: 'Restart' })).toBeTruthy();
  });
});
