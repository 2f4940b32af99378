import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';

/**
 * The Scale tab in a real Chromium against browser mode (`main/web/cli.ts`) and the sandbox
 * cluster, checked from the outside with the real kubectl: what the admin does on screen is what
 * the cluster has, and what someone else does with kubectl is what the screen shows.
 */

const run = promisify(execFile);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** Waits for the cluster and the watch; generous, as a loaded CI machine is slow. */
const SEEN = { timeout: 30_000 };

let session: BrowserSession;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', args, {
    env: { ...process.env, KUBECONFIG: session.kubeconfigPath },
  });
  return stdout.trim();
}

async function specReplicas(deployment: string): Promise<number> {
  return Number(
    await kubectl('get', 'deploy', deployment, '-n', 'demo', '-o', 'jsonpath={.spec.replicas}'),
  );
}

/** The Procfile line as the Deployment holds it: the web container's command and args. */
async function containerCommand(deployment: string): Promise<string> {
  const json = JSON.parse(
    await kubectl('get', 'deploy', deployment, '-n', 'demo', '-o', 'json'),
  ) as {
    spec: { template: { spec: { containers: Array<{ command?: string[]; args?: string[] }> } } };
  };
  const container = json.spec.template.spec.containers[0]!;
  return [...(container.command ?? []), ...(container.args ?? [])].join(' ');
}

async function openApp(name: string, tab: 'Overview' | 'Scale' = 'Scale'): Promise<Page> {
  const page = await session.open();
  await page
    .getByRole('listbox', { name: 'Apps' })
    .getByRole('option', { name: new RegExp(`^${name}\\b`) })
    .click(SEEN);
  await page.getByRole('heading', { level: 1, name }).waitFor(SEEN);
  await page.getByRole('tab', { name: tab, exact: true }).click();
  return page;
}

beforeAll(async () => {
  session = await startBrowserSession();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  // The pages met no console error, uncaught exception or CSP violation along the way.
  if (session) expect(await session.stop()).toEqual([]);
});

describe('the Scale tab against the sandbox cluster', () => {
  it('raises web of sales-dash to 3 replicas, and kubectl reports 3', async () => {
    const page = await openApp('sales-dash');
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByRole('button', { name: 'Edit Resources' }).click();
    await web.getByLabel('Replicas', { exact: true }).fill('3');
    await web.getByText('New max memory').waitFor();
    await web.getByRole('button', { name: 'Save', exact: true }).click();

    await web.getByText('3 of 3 ready').waitFor(SEEN);
    expect(await specReplicas('sales-dash-web')).toBe(3);
    // The same change from a terminal, kept beside it.
    await web
      .getByText('kubectl scale deployment/sales-dash-web --replicas=3 -n demo')
      .first()
      .waitFor();
  });

  it('undoes that change from the activity log, and kubectl reports 2 again', async () => {
    const page = await openApp('sales-dash');
    const log = page.getByRole('region', { name: 'Activity' });
    await log.getByText('web replicas 2 → 3').waitFor(SEEN);
    await log.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(() => specReplicas('sales-dash-web'), SEEN).toBe(2);
    await page
      .getByRole('region', { name: 'web', exact: true })
      .getByText('2 of 2 ready')
      .waitFor(SEEN);
  });

  it('refuses 11 and -1 with a message, and nothing changes on the cluster', async () => {
    const before = await specReplicas('forecast-web');
    const page = await openApp('forecast');
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByRole('button', { name: 'Edit Resources' }).click();
    const input = web.getByLabel('Replicas', { exact: true });
    const save = web.getByRole('button', { name: 'Save', exact: true });

    await input.fill('11');
    await web.getByText(/from 0 to 10 \(the maximum set in Settings\); got 11/).waitFor();
    expect(await save.isDisabled()).toBe(true);
    await input.press('Enter');

    await input.fill('-1');
    await web.getByText('Replicas cannot be negative.').waitFor();
    expect(await save.isDisabled()).toBe(true);
    await input.press('Enter');

    expect(await specReplicas('forecast-web')).toBe(before);
  });

  it('moves the workers of inventory with the keyboard and redeploys with the new count', async () => {
    expect(await containerCommand('inventory-web')).toContain('--workers=3');
    const page = await openApp('inventory');
    const web = page.getByRole('region', { name: 'web', exact: true });
    const slider = web.getByRole('slider', { name: 'Workers' });
    await slider.focus();
    await slider.press('ArrowRight');
    expect(await slider.getAttribute('aria-valuenow')).toBe('4');
    // inventory runs with --preload: the caution is there before saving.
    await web
      .getByText(/--preload is on/)
      .first()
      .waitFor();

    await web.getByRole('button', { name: 'Save and redeploy' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText(/This is a redeploy/).waitFor();
    await dialog.getByRole('button', { name: 'Redeploy' }).click();

    await expect.poll(() => containerCommand('inventory-web'), SEEN).toContain('--workers=4');
    // The rest of the line is as it was.
    expect(await containerCommand('inventory-web')).toContain('--preload');
    await web.getByText('Workers').first().waitFor();
    await expect.poll(() => slider.getAttribute('aria-valuenow'), SEEN).toBe('4');
  });

  it('restarts pricing-api after the confirmation, and the Deployment carries the annotation', async () => {
    const page = await openApp('pricing-api', 'Overview');
    await page.getByRole('button', { name: 'Restart', exact: true }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Restart pricing-api?' });
    await dialog.getByText(/This restarts web/).waitFor();
    await dialog.getByRole('button', { name: 'Restart', exact: true }).click();

    await expect
      .poll(
        () =>
          kubectl(
            'get',
            'deploy',
            'pricing-api-web',
            '-n',
            'demo',
            '-o',
            'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}',
          ),
        SEEN,
      )
      .not.toBe('');
  });

  it('follows a change of replicas made with kubectl within seconds', async () => {
    const page = await openApp('support-portal');
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByText('3 of 3 ready').waitFor(SEEN);
    await kubectl('scale', 'deployment/support-portal-web', '--replicas=5', '-n', 'demo');
    await web.getByText(/of 5 ready/).waitFor({ timeout: 10_000 });
  });

  it('refuses a save over a change made with kubectl while editing, names it, and applies anyway', async () => {
    const page = await openApp('pricing-api');
    const web = page.getByRole('region', { name: 'web', exact: true });
    await web.getByText('2 of 2 ready').waitFor(SEEN);
    await web.getByRole('button', { name: 'Edit Resources' }).click();
    await web.getByLabel('Replicas', { exact: true }).fill('4');
    await web.getByText('New max memory').waitFor();
    // Someone else scales web after the admin began typing, before Save.
    await kubectl('scale', 'deployment/pricing-api-web', '--replicas=3', '-n', 'demo');
    await web.getByRole('button', { name: 'Save', exact: true }).click();

    const notice = web.getByRole('alert').filter({ hasText: 'Changed by someone else' });
    await notice.waitFor(SEEN);
    await notice.getByText('3 replicas', { exact: true }).waitFor();
    expect(await specReplicas('pricing-api-web')).toBe(3);
    await notice.getByRole('button', { name: 'Apply anyway' }).click();
    await expect.poll(() => specReplicas('pricing-api-web'), SEEN).toBe(4);
    await web.getByText('4 of 4 ready').waitFor(SEEN);
  });

  it('fits the replica tables without clipping a header, two cards side by side or one per row', async () => {
    for (const width of [1280, 1440]) {
      // churn-report's crash-looping replicas have the widest cells (CrashLoopBackOff, a last OOM).
      for (const app of ['churn-report', 'sales-dash', 'forecast']) {
        const page = await openApp(app);
        await page.setViewportSize({ width, height: 1000 });
        const tables = page.getByRole('table', { name: /^Replicas of / });
        await tables.first().waitFor(SEEN);
        const clipped = await tables.evaluateAll((elements) =>
          elements.flatMap((table) => {
            const box = table.parentElement!;
            const problems =
              table.scrollWidth > box.clientWidth
                ? [`${table.querySelector('caption')?.textContent ?? 'a table'} overflows its card`]
                : [];
            for (const header of table.querySelectorAll('th')) {
              if (header.scrollWidth > header.clientWidth) {
                problems.push(`header "${header.textContent}" is clipped`);
              }
            }
            return problems;
          }),
        );
        expect({ width, app, clipped }).toEqual({ width, app, clipped: [] });
      }
    }
  });

  it('shows why churn-report was stopped by its memory limit, and Start brings it back', async () => {
    const page = await openApp('churn-report');
    const banner = page.getByRole('alert').filter({ hasText: 'reached its memory limit' });
    await banner.waitFor(SEEN);
    // Its web pods crash-loop: the card says so, not "Rolling out 0%" (the Deployment never
    // finishes its rollout, so Kubernetes calls it progressing).
    const webCard = page.getByRole('region', { name: 'web', exact: true });
    await webCard.getByText('Crash loop — OOMKilled').waitFor(SEEN);
    expect(await webCard.getByText(/Rolling out/).count()).toBe(0);
    await banner.getByText(/Arrow/).waitFor();
    // "Use N workers" where the memory per worker is known, else "Use fewer workers".
    await banner.getByRole('button', { name: /^Use (fewer|\d+) workers?$/ }).click();
    const slider = page
      .getByRole('region', { name: 'web', exact: true })
      .getByRole('slider', { name: 'Workers' });
    expect(await slider.evaluate((element) => element === document.activeElement)).toBe(true);

    await banner.getByRole('button', { name: 'Start', exact: true }).click();
    await banner.waitFor({ state: 'detached', ...SEEN });
    await page.getByRole('option', { name: /^churn-report\b.*Running/ }).waitFor(SEEN);
  });

  it('saves screenshots of the Scale tab in light and dark', async () => {
    const page = await openApp('sales-dash');
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.getByRole('meter', { name: 'Memory used' }).waitFor();
    // Metrics samples have arrived: the chart has its lines.
    await page.locator('.recharts-line-curve').first().waitFor(SEEN);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: path.join(ARTIFACTS, `scale-tab-${colorScheme}.png`) });
    }
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(path.join(REPO_ROOT, 'docs', 'screenshots'), { recursive: true });
      for (const [artifact, doc] of [
        ['scale-tab-light.png', 'scale-tab.png'],
        ['scale-tab-dark.png', 'scale-tab-dark.png'],
      ] as const) {
        copyFileSync(
          path.join(ARTIFACTS, artifact),
          path.join(REPO_ROOT, 'docs', 'screenshots', doc),
        );
      }
    }
  });

  it('shows its icon (no favicon 404), its version, and when apps last changed from the cluster', async () => {
    const page = await session.open();
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    await page.reload({ waitUntil: 'load' });
    const icon = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
      if (!link) return null;
      const response = await fetch(link.href);
      return { status: response.status, type: response.headers.get('content-type') };
    });
    expect(icon).toEqual({ status: 200, type: expect.stringContaining('image/svg+xml') });
    await page.getByText('ScaleDesk 0.1.0', { exact: true }).waitFor(SEEN);

    // forecast was seeded days ago and not changed since; not "just now" (when ScaleDesk saw it).
    await page
      .getByRole('listbox', { name: 'Apps' })
      .getByRole('option', { name: /^forecast\b/ })
      .click(SEEN);
    const lastChange = page.locator('dt', { hasText: 'Last change' }).locator('xpath=../dd');
    await lastChange.waitFor(SEEN);
    expect(await lastChange.textContent()).toMatch(/days ago/);
    expect(missing).toEqual([]);
  });

  it('as viewer, disables the controls and says which permission is missing', async () => {
    const page = await session.open();
    await page.getByLabel('Context').selectOption('sandbox-viewer');
    await page
      .getByRole('listbox', { name: 'Apps' })
      .getByRole('option', { name: /^sales-dash\b/ })
      .click(SEEN);
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    const web = page.getByRole('region', { name: 'web', exact: true });
    await expect
      .poll(() => web.getByRole('button', { name: 'Edit Resources' }).isDisabled(), SEEN)
      .toBe(true);
    await web.getByText(/patch/i).first().waitFor(SEEN);
    expect(await web.getByRole('slider', { name: 'Workers' }).getAttribute('aria-disabled')).toBe(
      'true',
    );
    expect(await web.getByRole('button', { name: 'Save and redeploy' }).isDisabled()).toBe(true);
  });
});
