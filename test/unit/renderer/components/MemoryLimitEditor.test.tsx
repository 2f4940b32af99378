// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { GIB } from '../../../../shared/app-model';
import type { MemoryLimitPlan } from '../../../../shared/memory-limit-plan';
import { makeActivity } from '../../../fixtures/activity';
import { makeApp } from '../../../fixtures/app-model';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

/** What main would plan for web of shop at `limit` (12Gi: 2 replicas of 8 GiB now). */
function planOf(limit: string, overrides: Partial<MemoryLimitPlan> = {}): MemoryLimitPlan {
  return {
    limit,
    limitBytes: 12 * GIB,
    currentBytes: 8 * GIB,
    requestBytes: null,
    requestLowered: false,
    appMaxBytes: 40 * GIB,
    replacesPods: 2,
    fitsNode: { fits: true, largestFreeBytes: 24 * GIB },
    quota: null,
    predictedOverLimit: false,
    notes: ['Saving replaces the 2 pods of web, as a rolling update.'],
    command: `kubectl set resources deployment/shop-web -c web --limits=memory=${limit} -n team-a --context sandbox`,
    ...overrides,
  };
}

function bridgeWith(plan: (limit: string) => MemoryLimitPlan): FakeBridge {
  return new FakeBridge([makeApp()])
    .on('process.planMemoryLimit', (input) => ({ ok: true, value: plan(input.limit) }))
    .on('process.setMemoryLimit', (input) => ({
      ok: true,
      value: {
        operationId: 'op-1',
        activity: makeActivity({
          id: 'a-1',
          kind: 'memory-limit',
          process: 'web',
          from: '8Gi',
          to: input.limit,
          result: 'pending',
        }),
        warnings: [],
      },
    }));
}

async function editWebMemory(bridge: FakeBridge) {
  const view = await openScale(bridge);
  const web = screen.getByRole('region', { name: 'web' });
  fireEvent.click(within(web).getByRole('button', { name: 'Edit Resources' }));
  const editor = within(web).getByRole('group', { name: 'Memory limit of web' });
  return { ...view, web, editor };
}

describe('the memory limit editor of Edit Resources', () => {
  it('shows main’s plan as the admin types, then confirms the pods replaced and sends the limit seen', async () => {
    const bridge = bridgeWith((limit) => planOf(limit));
    const { editor } = await editWebMemory(bridge);
    const input = within(editor).getByLabelText('Memory limit per replica');
    const save = within(editor).getByRole('button', { name: 'Save limit' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    fireEvent.change(input, { target: { value: '1' } });
    fireEvent.change(input, { target: { value: '12Gi' } });
    // One plan for the pause after typing, not one per keystroke.
    await waitFor(() => expect(within(editor).getByText('40 GiB')).toBeTruthy());
    expect(bridge.callsOf('process.planMemoryLimit')).toEqual([
      { namespace: 'team-a', app: 'shop', process: 'web', limit: '12Gi' },
    ]);
    expect(
      within(editor).getByRole('button', {
        name: 'Copy command: kubectl set resources deployment/shop-web -c web --limits=memory=12Gi -n team-a --context sandbox',
      }),
    ).toBeTruthy();

    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    const dialog = await screen.findByRole('alertdialog', { name: 'Replace 2 pods of web?' });
    expect(bridge.callsOf('process.setMemoryLimit')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Set 12Gi and replace 2 pods' }));
    await waitFor(() =>
      expect(bridge.callsOf('process.setMemoryLimit')).toEqual([
        {
          namespace: 'team-a',
          app: 'shop',
          process: 'web',
          limit: '12Gi',
          expectedLimitBytes: 8 * GIB,
        },
      ]),
    );
  });

  it('refuses "8 GB" at once with the quantity rule, and asks main nothing', async () => {
    const bridge = bridgeWith((limit) => planOf(limit));
    const { editor } = await editWebMemory(bridge);
    fireEvent.change(within(editor).getByLabelText('Memory limit per replica'), {
      target: { value: '8 GB' },
    });
    expect(within(editor).getByRole('alert').textContent).toMatch(/without spaces or "GB"/);
    expect(
      (within(editor).getByRole('button', { name: 'Save limit' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    expect(bridge.callsOf('process.planMemoryLimit')).toEqual([]);
  });

  it('keeps Save off with the reason where the namespace quota cannot take the limit', async () => {
    const quota = {
      resource: 'limits.memory' as const,
      usedBytes: 20 * GIB,
      hardBytes: 24 * GIB,
      afterBytes: 28 * GIB,
      fits: false,
    };
    const bridge = bridgeWith((limit) => planOf(limit, { quota }));
    const { editor } = await editWebMemory(bridge);
    fireEvent.change(within(editor).getByLabelText('Memory limit per replica'), {
      target: { value: '12Gi' },
    });
    await waitFor(() =>
      expect(
        within(editor).getByText(/Save is off: Over the namespace quota on limits\.memory/),
      ).toBeTruthy(),
    );
    expect(
      (within(editor).getByRole('button', { name: 'Save limit' }) as HTMLButtonElement).disabled,
    ).toBe(true);
  });

  it('asks for an explicit acknowledgement where the replicas are predicted to pass the limit', async () => {
    const bridge = bridgeWith((limit) =>
      planOf(limit, { limitBytes: GIB, predictedOverLimit: true, replacesPods: 0 }),
    );
    const { editor } = await editWebMemory(bridge);
    fireEvent.change(within(editor).getByLabelText('Memory limit per replica'), {
      target: { value: '1Gi' },
    });
    const ack = await within(editor).findByRole('checkbox', { name: /predicted to pass 1Gi/ });
    const save = within(editor).getByRole('button', { name: 'Save limit' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.click(ack);
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    await waitFor(() =>
      expect(bridge.callsOf('process.setMemoryLimit')[0]).toMatchObject({
        limit: '1Gi',
        acknowledgeRisk: true,
      }),
    );
  });

  it('opens filled in and planned when asked from elsewhere (the OOM banner’s "Raise to X")', async () => {
    const bridge = bridgeWith((limit) => planOf(limit));
    const { store } = await openScale(bridge);
    await screen.findByRole('region', { name: 'web' });
    act(() => store.openResourceEditor({ appId: 'team-a/shop', process: 'web', limit: '12Gi' }));
    const web = screen.getByRole('region', { name: 'web' });
    const editor = await within(web).findByRole('group', { name: 'Memory limit of web' });
    expect(
      (within(editor).getByLabelText('Memory limit per replica') as HTMLInputElement).value,
    ).toBe('12Gi');
    await waitFor(() => expect(within(editor).getByText('40 GiB')).toBeTruthy());
    expect(store.getState().resourceEditor).toBeNull();
  });
});
