// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeApp } from '../../../fixtures/app-model';
import { renderApp } from '../../../fixtures/render';

afterEach(cleanup);

describe('App Info', () => {
  it('moves between the Overview and Scale tabs with the arrow keys', async () => {
    renderApp(new FakeBridge([makeApp()]));
    const overview = await screen.findByRole('tab', { name: 'Overview' });
    expect(overview.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(overview, { key: 'ArrowRight' });
    const scale = screen.getByRole('tab', { name: 'Scale' });
    expect(scale.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(scale);
    expect(screen.getByRole('region', { name: 'web' })).toBeTruthy();
  });

  it('says how the app was grouped, under its name', async () => {
    renderApp(
      new FakeBridge([
        makeApp({
          name: 'storefront',
          groupedBy: { rule: 'helm-release', key: 'app.kubernetes.io/instance' },
        }),
      ]),
    );
    await screen.findByRole('heading', { level: 1, name: 'storefront' });
    expect(screen.getByText('Grouped by Helm release storefront')).toBeTruthy();
  });
});
