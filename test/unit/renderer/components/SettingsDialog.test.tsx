// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeApp } from '../../../fixtures/app-model';
import { renderApp } from '../../../fixtures/render';

afterEach(cleanup);

describe('the settings dialog', () => {
  it('refuses a maximum of replicas out of range and saves a good one through the contract', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const max = within(dialog).getByLabelText('Maximum replicas per process');
    const save = within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    fireEvent.change(max, { target: { value: '0' } });
    expect(within(dialog).getByText('A whole number from 1 to 100.')).toBeTruthy();
    expect(save.disabled).toBe(true);
    fireEvent.change(max, { target: { value: '5' } });
    fireEvent.change(within(dialog).getByLabelText('Error rate alert above'), {
      target: { value: '2' },
    });
    fireEvent.click(save);
    await waitFor(() =>
      expect(bridge.callsOf('settings.set')).toEqual([
        { maxReplicas: 5, errorRateThreshold: 0.02 },
      ]),
    );
  });

  it('saves a grouping label only where it is a label key', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const label = within(dialog).getByLabelText('Group apps by the label') as HTMLInputElement;
    expect(label.value).toBe('app.kubernetes.io/part-of');
    const save = within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    fireEvent.change(label, { target: { value: 'team.example.com/' } });
    expect(within(dialog).getByText(/A label key is an optional DNS-1123 subdomain/)).toBeTruthy();
    expect(save.disabled).toBe(true);
    fireEvent.change(label, { target: { value: ' team.example.com/app ' } });
    fireEvent.click(save);
    await waitFor(() =>
      expect(bridge.callsOf('settings.set')).toEqual([{ groupingLabel: 'team.example.com/app' }]),
    );
  });

  it('saves the headroom as a fraction and the settle time in seconds', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const headroom = within(dialog).getByLabelText(
      'Headroom over the memory peak',
    ) as HTMLInputElement;
    const settle = within(dialog).getByLabelText('Settle time after a change') as HTMLInputElement;
    expect(headroom.value).toBe('15');
    expect(settle.value).toBe('30');
    fireEvent.change(headroom, { target: { value: '25' } });
    fireEvent.change(settle, { target: { value: '90' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(bridge.callsOf('settings.set')).toEqual([
        { recommendationHeadroom: 0.25, settleSeconds: 90 },
      ]),
    );
  });

  it('refuses a headroom or a settle time out of range and saves nothing', async () => {
    const bridge = new FakeBridge([makeApp()]);
    renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const headroom = within(dialog).getByLabelText('Headroom over the memory peak');
    const settle = within(dialog).getByLabelText('Settle time after a change');
    const save = within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    fireEvent.change(headroom, { target: { value: '120' } });
    expect(
      within(dialog).getByText('From 0 to 100 % added to the memory peak for a recommended limit.'),
    ).toBeTruthy();
    expect(headroom.getAttribute('aria-invalid')).toBe('true');
    expect(save.disabled).toBe(true);
    fireEvent.change(headroom, { target: { value: '15' } });
    fireEvent.change(settle, { target: { value: '601' } });
    expect(
      within(dialog).getByText(
        'A whole number of seconds from 0 to 600 that new pods must stay ready.',
      ),
    ).toBeTruthy();
    expect(save.disabled).toBe(true);
    fireEvent.submit(dialog);
    expect(screen.getByRole('dialog', { name: 'Settings' })).toBeTruthy();
    expect(bridge.callsOf('settings.set')).toEqual([]);
  });
});
