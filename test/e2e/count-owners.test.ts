import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';

/**
 * Who else sets the count, on screen, in a real Chromium against browser mode and the sandbox's
 * namespace `mixed`: checkout's web is autoscaled (HPA checkout-web, 2–5 on 70 % CPU), reports
 * is managed by Argo CD. Checked from the outside with the real kubectl.
 */

const run = promisify(execFile);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const SEEN = { timeout: 30_000 };

let session: BrowserSession;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', [...args, '-n', 'mixed'], {
    env: { ...process.env, KUBECONFIG: session.kubeconfigPath },
  });
  return stdout.trim();
}

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
  // The sandbox context, its namespace `mixed`: what the browser mode connects to.
  session = await startBrowserSession({ namespace: 'mixed' });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  if (session) expect(await session.stop()).toEqual([]);
});

describe('autoscalers and GitOps on the Scale tab', () => {
  it("shows web's autoscaler on its card and edits its range instead of the count", async () => {
    const page = await openApp('checkout');
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByText(/^autoscaled: 2–5, now \d+, target 70 % CPU$/).waitFor(SEEN);
    await page.screenshot({ path: path.join(ARTIFACTS, 'autoscaler-card.png'), fullPage: true });

    await web.getByRole('button', { name: 'Edit Resources' }).click();
    const editor = web.getByRole('group', { name: 'Autoscaler of web' });
    await editor
      .getByText(
        'An autoscaler owns this count: HorizontalPodAutoscaler checkout-web sets it between 2 and 5.',
      )
      .waitFor();
    await editor.getByLabel('Maximum').fill('6');
    await editor
      .getByText(
        `kubectl patch hpa checkout-web --type=merge -p '{"spec":{"minReplicas":2,"maxReplicas":6}}' -n mixed --context sandbox`,
      )
      .waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'autoscaler-editor.png'), fullPage: true });
    await editor.getByRole('button', { name: 'Save', exact: true }).click();

    await web.getByText(/^autoscaled: 2–6/).waitFor(SEEN);
    expect(await kubectl('get', 'hpa', 'checkout-web', '-o', 'jsonpath={.spec.maxReplicas}')).toBe(
      '6',
    );
    await page
      .getByRole('region', { name: 'Activity' })
      .getByText('web autoscaler 2–5 → 2–6')
      .waitFor(SEEN);
  });

  it('warns before saving a replica change to an Argo CD-managed app, and still makes it', async () => {
    const page = await openApp('reports');
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByRole('button', { name: 'Edit Resources' }).click();
    await web.getByLabel('Replicas', { exact: true }).fill('3');
    await web
      .getByText(
        'web is managed by Argo CD (application reports): this change will be reverted at its next sync unless it is also made in git.',
      )
      .waitFor();
    await web
      .getByText('kubectl scale deployment/reports-web --replicas=3 -n mixed')
      .first()
      .waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'gitops-notice.png'), fullPage: true });
    await web.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => kubectl('get', 'deploy', 'reports-web', '-o', 'jsonpath={.spec.replicas}'), SEEN)
      .toBe('3');
  });
});
