import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { startBrowserMode, type BrowserMode } from '../fixtures/browser-mode';
import { launchChromium, openPage } from '../fixtures/chromium';

/**
 * The cluster stops answering while the admin works: what is shown is marked stale, a change
 * fails next to the editor with a retry and keeps what was typed, and all of it recovers when
 * the cluster is back.
 */

const SEEN = { timeout: 30_000 };
let sandbox: Sandbox;
let mode: BrowserMode;
let browser: Browser;

beforeAll(async () => {
  sandbox = await startSandbox({ metricsIntervalMs: 1000, readyDelayMs: 300 });
  mode = await startBrowserMode({ kubeconfigPath: sandbox.kubeconfigPath, context: 'sandbox' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await mode?.stop();
  await sandbox?.stop();
});

describe('when the cluster is unreachable', () => {
  it('marks what is shown as stale, keeps what was typed, and recovers when the cluster is back', async () => {
    const { page } = await openPage(browser, mode.url);
    await page
      .getByRole('listbox', { name: 'Apps' })
      .getByRole('option', { name: /^sales-dash\b/ })
      .click(SEEN);
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByRole('button', { name: 'Edit Resources' }).click();
    await web.getByLabel('Replicas', { exact: true }).fill('3');

    const down = sandbox.faults.down(15_000);
    await page.getByText('Cluster unreachable.').waitFor(SEEN);
    await page.getByText('Stale', { exact: true }).waitFor();

    await web.getByRole('button', { name: 'Save', exact: true }).click();
    const notice = web
      .getByRole('alert')
      .filter({ has: page.getByRole('button', { name: 'Retry' }) });
    await notice.waitFor(SEEN);
    expect(await web.getByLabel('Replicas', { exact: true }).inputValue()).toBe('3');

    await down;
    await page.getByText('Cluster unreachable.').waitFor({ state: 'detached', ...SEEN });
    await notice.getByRole('button', { name: 'Retry' }).click();
    await web.getByText('3 of 3 ready').waitFor(SEEN);
  });
});
