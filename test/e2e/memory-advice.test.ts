import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';
import { kubectlFor, type Kubectl } from '../fixtures/kubectl';

/**
 * Advice and risk in a real Chromium against browser mode and the sandbox: a replica above 90 %
 * of its own limit marks its process and its app "At risk", and the OOM banner's recommended
 * limit opens Edit Resources with that value filled in (nothing is sent until Save).
 */

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** Waits for the cluster and the watch; generous, as a loaded CI machine is slow. */
const SEEN = { timeout: 30_000 };

let session: BrowserSession;
let kubectl: Kubectl;

async function openApp(name: string): Promise<Page> {
  const page = await session.open();
  await page
    .getByRole('listbox', { name: 'Apps' })
    .getByRole('option', { name: new RegExp(`^${name}\\b`) })
    .click(SEEN);
  await page.getByRole('heading', { level: 1, name }).waitFor(SEEN);
  await page.getByRole('tab', { name: 'Scale', exact: true }).click();
  return page;
}

beforeAll(async () => {
  session = await startBrowserSession();
  kubectl = kubectlFor(() => session.kubeconfigPath);
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  kubectl?.dispose();
  // The pages met no console error, uncaught exception or CSP violation along the way.
  if (session) expect(await session.stop()).toEqual([]);
});

describe('memory advice and risk against the sandbox cluster', () => {
  it('marks forecast at risk, in the sidebar and on its card, when a replica runs above 90 % of its limit', async () => {
    // forecast's web settles at 1024 + 4 x 1550 MiB = 7224 MiB and moves by at most 4.7 % with
    // drift and noise (the sandbox's seed and memory model): under a 7600Mi limit of its own, each
    // replica runs between 90.6 % and 99.5 % of it, and is never killed. Its total stays far below
    // the app's maximum (the workspace's 8 GiB counts too).
    await kubectl.ok(
      'set',
      'resources',
      'deployment/forecast-web',
      '--limits=memory=7600Mi',
      '-n',
      'demo',
    );
    const page = await openApp('forecast');
    await page.setViewportSize({ width: 1440, height: 1000 });
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByText('At risk', { exact: true }).waitFor(SEEN);
    await web.getByText('at risk', { exact: true }).first().waitFor(SEEN);
    await page
      .getByRole('listbox', { name: 'Apps' })
      .getByRole('option', { name: /^forecast\b.*At risk/ })
      .waitFor(SEEN);
    // The workspace runs far from its limit: it is not marked.
    expect(
      await page
        .getByRole('region', { name: 'workspace', exact: true })
        .getByText('At risk', { exact: true })
        .count(),
    ).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'at-risk-light.png') });
  });

  it("raises stopped churn-report's limit from the OOM banner's recommendation, and it runs again", async () => {
    const page = await openApp('churn-report');
    await page.setViewportSize({ width: 1440, height: 1000 });
    const banner = page.getByRole('alert').filter({ hasText: 'reached its memory limit' });
    const raise = banner.getByRole('button', { name: /^Raise the limit to / });
    await raise.waitFor(SEEN);
    // Stopped at 8 GiB: 8 GiB + 15 %, rounded up to the next 512Mi, is 9.5 GiB.
    expect(await raise.textContent()).toBe('Raise the limit to 9.5 GiB');
    await page.screenshot({ path: path.join(ARTIFACTS, 'oom-banner-advice-light.png') });
    await raise.click();
    const web = page.getByRole('region', { name: 'web', exact: true });
    const field = web.getByLabel('Memory limit per replica');
    await field.waitFor(SEEN);
    expect(await field.inputValue()).toBe('9728Mi');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'oom-banner-editor-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // Saved as the admin would: the confirmation names the pods replaced.
    await web.getByRole('button', { name: 'Save limit' }).click();
    await page.getByRole('button', { name: 'Set 9728Mi and replace 2 pods' }).click();
    // The new pods run under the higher limit: the app is running again, the banner gone.
    const header = page.locator('header').filter({
      has: page.getByRole('heading', { level: 1, name: 'churn-report' }),
    });
    await header.getByText('Running', { exact: true }).waitFor({ timeout: 60_000 });
    await banner.waitFor({ state: 'detached', ...SEEN });
    await web.getByText('2 of 2 ready').waitFor(SEEN);
    expect(
      await kubectl.ok(
        'get',
        'deployment/churn-report-web',
        '-n',
        'demo',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].resources.limits.memory}',
      ),
    ).toBe('9728Mi');
    await page.screenshot({ path: path.join(ARTIFACTS, 'oom-raised-running-light.png') });
  });
});
