import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';

/**
 * A read-only admin with the real `view` role (the sandbox's `sandbox-view` context), in a real
 * Chromium against browser mode: the endpoint cannot be checked (the role may not use
 * services/proxy), which is said as such and not as the app answering; every change is disabled
 * with the reason the cluster gave.
 */

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const SEEN = { timeout: 30_000 };
/** An access review's answer, asked when the app opens. */
const ANSWERED = { timeout: 75_000 };

let session: BrowserSession;

async function openAsView(app: string): Promise<Page> {
  const page = await session.open();
  await page.getByLabel('Context').selectOption('sandbox-view');
  // The list is the new context's once it is live; an app chosen before the switch is dropped.
  const heading = page.getByRole('heading', { level: 1, name: app });
  await expect
    .poll(async () => {
      await page
        .getByRole('listbox', { name: 'Apps' })
        .getByRole('option', { name: new RegExp(`^${app}\\b`) })
        .click(SEEN);
      return heading.isVisible();
    }, SEEN)
    .toBe(true);
  return page;
}

beforeAll(async () => {
  session = await startBrowserSession();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  if (session) expect(await session.stop()).toEqual([]);
});

describe('the view role', () => {
  it('sees "cannot check" on the endpoint, not an answer, and why Restart is disabled', async () => {
    const page = await openAsView('sales-dash');
    await page.getByRole('tab', { name: 'Overview', exact: true }).click();
    const endpoint = page.getByRole('region', { name: 'Endpoint' });
    await endpoint.getByText('Cannot check', { exact: true }).waitFor(SEEN);
    await endpoint
      .getByText('Cannot check this app: you may not use services/proxy in namespace demo.')
      .waitFor(SEEN);
    expect(await endpoint.getByText('Answering', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'view-role-overview.png'), fullPage: true });

    const restart = page.getByRole('button', { name: 'Restart', exact: true });
    // The review is asked when the app opens; on a loaded CI machine its answer (or, after a
    // review that timed out, the one asked again) can take longer than the page itself.
    await expect.poll(() => restart.isDisabled(), ANSWERED).toBe(true);
    await page.getByText(/^You may not patch deployments in namespace "demo"/).waitFor(SEEN);
  });

  it('sees the Scale controls disabled, each saying which permission is missing', async () => {
    const page = await openAsView('sales-dash');
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    const web = page.getByRole('region', { name: 'web', exact: true });
    const edit = web.getByRole('button', { name: 'Edit Resources' });
    await expect.poll(() => edit.isDisabled(), ANSWERED).toBe(true);
    await web.getByText(/^You may not patch deployments\/scale in namespace "demo"/).waitFor(SEEN);
    const slider = web.getByRole('slider', { name: 'Workers' });
    expect(await slider.getAttribute('aria-disabled')).toBe('true');
    const reason = await slider.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${reason}"]`).textContent()).toMatch(
      /^You may not patch deployments in namespace "demo"/,
    );
    expect(await web.getByRole('button', { name: 'Save and redeploy' }).isDisabled()).toBe(true);
  });
});
