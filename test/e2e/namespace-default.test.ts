import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';

/**
 * The namespace default memory limit changed from ScaleDesk in a real Chromium, against the
 * sandbox's `demo` namespace (LimitRange default 8Gi): the editor lists the apps that take the
 * new value only when their pods are replaced; after saving, the stopped churn-report says it runs
 * the old default until Start, and once started, runs the new one.
 */

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const SEEN = { timeout: 30_000 };

let session: BrowserSession;

beforeAll(async () => {
  session = await startBrowserSession();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  expect(await session?.stop()).toEqual([]);
});

describe('the namespace default memory limit', () => {
  it('changes the default from the limit figure; the stopped app runs the old one until Start', async () => {
    const page = await session.open();
    await page
      .getByRole('listbox', { name: 'Apps' })
      .getByRole('option', { name: /^churn-report\b/ })
      .click(SEEN);
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByText('8 GiB, namespace default').waitFor(SEEN);

    await web.getByRole('button', { name: 'Change the namespace default' }).click();
    const editor = web.getByRole('region', { name: 'Default memory limit of demo' });
    await editor.getByText(/^Now 8 GiB per container/).waitFor(SEEN);
    // Before saving: the apps on the default, which take the new value only when replaced.
    await editor.getByText(/will take the new value only when their pods are replaced/).waitFor();
    await editor.getByRole('listitem').filter({ hasText: 'churn-report' }).waitFor();
    const input = editor.getByLabel('New default');
    await input.fill('12 GB');
    await editor.getByText(/Kubernetes quantity such as 12Gi/).waitFor();
    expect(await editor.getByRole('button', { name: 'Save default' }).isDisabled()).toBe(true);
    await input.fill('12Gi');
    await editor.screenshot({ path: path.join(ARTIFACTS, 'namespace-default-editor.png') });
    await editor.getByRole('button', { name: 'Save default' }).click();
    await editor
      .getByRole('status')
      .getByText(/New pods in demo get 12Gi by default/)
      .waitFor(SEEN);

    // The pods still run 8 GiB: said on the card and, with Start, on the Overview tab.
    await web
      .getByTestId('next-limit')
      .getByText('Runs the old default 8 GiB; the new default 12 GiB applies after a restart.')
      .waitFor(SEEN);
    await web.getByText(/^8 GiB, namespace default/).waitFor();
    await web.screenshot({ path: path.join(ARTIFACTS, 'namespace-default-card.png') });
    await page.getByRole('tab', { name: 'Overview', exact: true }).click();
    const notice = page.getByTestId('old-default-notice');
    await notice
      .getByText('Runs the old default 8 GiB; the new default 12 GiB applies after a restart.', {
        exact: false,
      })
      .waitFor(SEEN);
    const start = page.getByRole('button', { name: 'Start', exact: true });
    await start.waitFor();
    await page
      .locator('.overview-tab__status')
      .screenshot({ path: path.join(ARTIFACTS, 'namespace-default-notice.png') });

    await notice.getByText('Start to apply it to web, worker.').waitFor();
    await start.click();
    // Start replaces the OOM-killed web pods only: the healthy worker takes it at a Restart.
    await notice.getByText('Restart to apply it to worker.').waitFor(SEEN);
    await page.getByRole('button', { name: 'Restart', exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    await web.getByText('12 GiB, namespace default').waitFor(SEEN);
    expect(await web.getByText('applies after a restart').count()).toBe(0);
  }, 120_000);
});
