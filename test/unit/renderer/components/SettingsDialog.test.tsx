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
});
