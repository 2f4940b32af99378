import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';
import { kubectlFor, type Kubectl } from '../fixtures/kubectl';

/**
 * The memory limit editor in a real Chromium against browser mode and the sandbox: the plan shown
 * as the admin types, the confirmation naming the pods replaced, and the limit the cluster then
 * has, as kubectl reads it.
 */

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** Waits for the cluster and the watch; generous, as a loaded CI machine is slow. */
const SEEN = { timeout: 30_000 };

let session: BrowserSession;
let kubectl: Kubectl;

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

describe('the memory limit editor against the sandbox cluster', () => {
  it("raises sales-dash web's limit from the namespace default to 10Gi, and kubectl reports it", async () => {
    const page = await session.open();
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page
      .getByRole('listbox', { name: 'Apps' })
      .getByRole('option', { name: /^sales-dash\b/ })
      .click(SEEN);
    await page.getByRole('heading', { level: 1, name: 'sales-dash' }).waitFor(SEEN);
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByRole('button', { name: 'Edit Resources' }).click();

    const editor = web.getByRole('group', { name: 'Memory limit of web' });
    await editor.getByLabel('Memory limit per replica').fill('10Gi');
    // main's plan: 2 replicas from 8 GiB (the namespace default) to 10 GiB each.
    await editor.getByText('App maximum').waitFor(SEEN);
    await editor.getByText('10 GiB', { exact: true }).waitFor(SEEN);
    await editor.getByText(/Saving replaces the 2 pods of web/).waitFor();
    await editor
      .getByRole('button', {
        name: 'Copy command: kubectl set resources deployment/sales-dash-web -c web --limits=memory=10Gi -n demo --context sandbox',
      })
      .waitFor();
    await web.scrollIntoViewIfNeeded();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await web.screenshot({
        path: path.join(ARTIFACTS, `memory-limit-editor-${colorScheme}.png`),
      });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await editor.getByRole('button', { name: 'Save limit' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Replace 2 pods of web?' });
    await dialog.getByRole('button', { name: 'Set 10Gi and replace 2 pods' }).click();

    // The card shows the new limit once the new pods run it.
    await web.getByText('Done as').waitFor(SEEN);
    expect(
      await kubectl.ok(
        'get',
        'deploy',
        'sales-dash-web',
        '-n',
        'demo',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].resources.limits.memory}',
      ),
    ).toBe('10Gi');
  });
});
