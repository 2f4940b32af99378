import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';

/**
 * Memory on the Scale tab in a real Chromium when the cluster's metrics API fails and when it
 * is gone: the last figures are marked stale with their time and the chart shows the gap, and
 * a cluster without metrics-server says so, with the command that adds it. The faults are the
 * sandbox's own (metrics API 503, then 404 and out of discovery).
 */

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** Waits for the cluster and a metrics interval; generous, as a loaded CI machine is slow. */
const SEEN = { timeout: 30_000 };
const INSTALL =
  'kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml';

let session: BrowserSession;

beforeAll(async () => {
  session = await startBrowserSession();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  expect(await session?.stop()).toEqual([]);
});

/** A 1 s metrics interval, set through the contract as the settings dialog would. */
async function fastMetrics(page: Page): Promise<void> {
  const status = await page.evaluate(async () => {
    const response = await fetch('/api/invoke/settings.set', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${sessionStorage.getItem('scaledesk.token') ?? ''}`,
      },
      body: JSON.stringify({ metricsIntervalSeconds: 1 }),
    });
    return response.status;
  });
  expect(status).toBe(200);
}

describe('memory when the metrics API fails or is missing', () => {
  it('marks memory stale with its time while the metrics API fails, then says there is no metrics-server once it is gone', async () => {
    const page = await session.open();
    await page
      .getByRole('listbox', { name: 'Apps' })
      .getByRole('option', { name: /^sales-dash\b/ })
      .click(SEEN);
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    await fastMetrics(page);
    const panel = page.getByRole('region', { name: 'Memory Usage' });
    const meter = panel.getByRole('meter', { name: 'Memory used' });
    await expect
      .poll(() => meter.getAttribute('aria-valuetext'), SEEN)
      .toMatch(/^[\d.]+ [KMG]iB of [\d.]+ GiB$/);
    // A few measured samples first, so the chart has a line for the gap to follow.
    await panel.getByRole('img', { name: 'Memory over time' }).waitFor(SEEN);
    await page.waitForFunction(
      () => document.querySelectorAll('.memory-panel .recharts-line-curve').length > 0,
      undefined,
      SEEN,
    );

    session.sandbox.faults.metricsApi = 'failing';
    const stale = panel.getByText(/^Memory as of \d\d:\d\d, the metrics API is not answering\.$/);
    await stale.waitFor(SEEN);
    expect(await meter.getAttribute('aria-valuetext')).toMatch(
      /^[\d.]+ [KMG]iB of [\d.]+ GiB\. Memory as of \d\d:\d\d, the metrics API is not answering$/,
    );
    await panel.getByText(/: no figures since, shown as a gap\.$/).waitFor(SEEN);
    // The connection stays live: only the metrics fail, the model is as current as ever.
    expect(await page.getByText('Stale', { exact: true }).count()).toBe(0);
    // A few intervals pass unmeasured, so the gap is wide enough to see.
    await page.waitForFunction(
      () => {
        const area = document.querySelector('.memory-panel .recharts-reference-area');
        return area !== null && area.getBoundingClientRect().width > 120;
      },
      undefined,
      SEEN,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'metrics-failing.png') });

    session.sandbox.faults.metricsApi = 'absent';
    await panel.getByText('This cluster has no metrics-server', { exact: true }).waitFor(SEEN);
    expect(await panel.getByText(/no metrics yet/i).count()).toBe(0);
    expect(await panel.getByTestId('kubectl-command').textContent()).toBe(INSTALL);
    await panel.getByRole('button', { name: `Copy command: ${INSTALL}` }).waitFor();
    expect(await meter.getAttribute('aria-valuetext')).toMatch(
      /^No metrics-server in this cluster, maximum [\d.]+ GiB$/,
    );
    // No figure, no fill: the meter has emptied (its width eases out) before the screenshot.
    await page.waitForFunction(
      () => document.querySelector('.memory-panel .memory-gauge__fill')?.clientWidth === 0,
      undefined,
      SEEN,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'metrics-absent.png') });
  });
});
