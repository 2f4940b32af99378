import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';

/**
 * Scaling the last running replicas of web to 0 takes the app offline: in a real Chromium
 * against browser mode and the sandbox, the replica editor asks first, Cancel sends nothing
 * (kubectl still reports the count), and only the confirmation scales it to 0.
 */

const run = promisify(execFile);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const SEEN = { timeout: 30_000 };

let session: BrowserSession;

async function specReplicas(deployment: string): Promise<number> {
  const { stdout } = await run(
    'kubectl',
    ['get', 'deploy', deployment, '-n', 'demo', '-o', 'jsonpath={.spec.replicas}'],
    { env: { ...process.env, KUBECONFIG: session.kubeconfigPath } },
  );
  return Number(stdout.trim());
}

beforeAll(async () => {
  session = await startBrowserSession();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  if (session) expect(await session.stop()).toEqual([]);
});

describe('the zero-replica question', () => {
  it('asks before taking sales-dash offline, sends nothing on Cancel, and scales to 0 once confirmed', async () => {
    const before = await specReplicas('sales-dash-web');
    expect(before).toBeGreaterThan(0);
    const page = await session.open();
    await page
      .getByRole('listbox', { name: 'Apps' })
      .getByRole('option', { name: /^sales-dash\b/ })
      .click(SEEN);
    await page.getByRole('heading', { level: 1, name: 'sales-dash' }).waitFor(SEEN);
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByRole('button', { name: 'Edit Resources' }).click();
    await web.getByLabel('Replicas', { exact: true }).fill('0');
    await web.getByRole('button', { name: 'Save', exact: true }).click();

    const dialog = page.getByRole('alertdialog', { name: 'Take sales-dash offline?' });
    await dialog.getByText('This takes sales-dash offline: web is its only web process.').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'offline-question.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await specReplicas('sales-dash-web')).toBe(before);

    await web.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.getByRole('button', { name: 'Scale web to 0' }).click();
    await expect.poll(() => specReplicas('sales-dash-web'), SEEN).toBe(0);
  });
});
