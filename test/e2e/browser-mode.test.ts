import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../main/sandbox/index';
import { startBrowserMode, type BrowserMode } from '../fixtures/browser-mode';
import { launchChromium, openPage } from '../fixtures/chromium';

/**
 * `npm run web` as an admin uses it: started as its own process against a cluster (the
 * sandbox, through the kubeconfig it wrote), the printed URL opened in Chromium. The page must
 * load under the real CSP, reach main through the contract over HTTP and the WebSocket, and
 * show what real operations returned.
 */

let sandbox: Sandbox;
let mode: BrowserMode;
let browser: Browser;

beforeAll(async () => {
  sandbox = await startSandbox({ readyDelayMs: 100, metricsIntervalMs: 1000 });
  [mode, browser] = await Promise.all([
    startBrowserMode({ kubeconfigPath: sandbox.kubeconfigPath }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  // Ctrl-C ends browser mode cleanly: services stopped, exit code 0.
  expect(await mode?.stop()).toBe(0);
  await sandbox?.stop();
});

describe('browser mode in Chromium, against the sandbox cluster', () => {
  it('opens the printed URL, takes the token out of the address bar and keeps it in no cookie', async () => {
    expect(mode.url).toBe(`${mode.origin}/#token=${mode.token}`);
    const { page, problems } = await openPage(browser, mode.url);
    expect(page.url()).toBe(`${mode.origin}/`);
    // This tab's storage, for this origin (so this port) only: a reload still has it.
    expect(await page.evaluate(() => sessionStorage.getItem('scaledesk.token'))).toBe(mode.token);
    expect(await page.context().cookies()).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps working after a reload of the tab', async () => {
    const { page, problems } = await openPage(browser, mode.url);
    const apps = page.getByRole('listbox', { name: 'Apps' }).getByRole('option');
    await expect.poll(() => apps.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.reload({ waitUntil: 'load' });
    expect(page.url()).toBe(`${mode.origin}/`);
    await expect.poll(() => apps.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the contexts of the kubeconfig, read by the real cluster.contexts operation', async () => {
    const { page, problems } = await openPage(browser, mode.url);
    const contextPicker = page.getByLabel('Context');
    await expect.poll(() => contextPicker.locator('option').allTextContents()).toContain('sandbox');
    expect(await contextPicker.locator('option').allTextContents()).toContain('sandbox-viewer');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('answers app.info and cluster.contexts to the page through the contract', async () => {
    const { page, problems } = await openPage(browser, mode.url);
    // The same request the renderer's bridge makes, with the token the page keeps; without it,
    // the same request from the same page is refused: nothing ambient (no cookie) stands in.
    const results = await page.evaluate(async () => {
      const invoke = async (operation: string, withToken = true) => {
        const token = sessionStorage.getItem('scaledesk.token') ?? '';
        const response = await fetch(`/api/invoke/${operation}`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            ...(withToken && { Authorization: `Bearer ${token}` }),
          },
          body: '{}',
        });
        return { status: response.status, body: (await response.json()) as unknown };
      };
      return {
        info: await invoke('app.info'),
        contexts: await invoke('cluster.contexts'),
        bare: await invoke('app.info', false),
      };
    });
    expect(results.bare).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(results.info).toEqual({
      status: 200,
      body: {
        ok: true,
        value: {
          name: 'ScaleDesk',
          version: expect.stringMatching(/^\d+\.\d+\.\d+/),
          mode: 'browser',
          platform: process.platform,
        },
      },
    });
    expect(results.contexts).toMatchObject({
      status: 200,
      body: {
        ok: true,
        value: {
          current: 'sandbox',
          kubeconfigPaths: [sandbox.kubeconfigPath],
          contexts: expect.arrayContaining([
            expect.objectContaining({ name: 'sandbox', server: sandbox.url }),
          ]),
        },
      },
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('streams events to the page over the WebSocket, within the CSP', async () => {
    const { page, problems } = await openPage(browser, mode.url);
    const socket = await page.waitForEvent('websocket', {
      predicate: (ws) => ws.url() === `${mode.origin.replace('http', 'ws')}/api/events`,
    });
    const frames: string[] = [];
    socket.on('framereceived', (frame) => frames.push(String(frame.payload)));
    const settingsFrame = () => frames.find((frame) => frame.includes('"event":"settings"'));
    // A change made through the contract comes back to every page as an event. The socket may
    // still be opening when the page first asks, and an event is not queued for a socket that
    // is not open yet, so the change is repeated until its event is seen.
    const setTheme = () =>
      page.evaluate(async () => {
        const response = await fetch('/api/invoke/settings.set', {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${sessionStorage.getItem('scaledesk.token') ?? ''}`,
          },
          body: JSON.stringify({ theme: 'dark' }),
        });
        return response.status;
      });
    await expect
      .poll(async () => settingsFrame() ?? (await setTheme(), settingsFrame()), { timeout: 20_000 })
      .toBeDefined();
    expect(JSON.parse(settingsFrame()!)).toMatchObject({
      event: 'settings',
      payload: { theme: 'dark' },
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('serves the page but refuses its calls in a tab that did not come through the printed URL', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/')) refused.push(response.status());
    });
    const response = await page.goto(`${mode.origin}/`);
    // The page itself holds no secret; everything it would show comes through the contract.
    expect(response?.status()).toBe(200);
    // The refusal says what to do, where the apps would be.
    await page
      .getByText('open the URL that "npm run web" printed')
      .first()
      .waitFor({ timeout: 20_000 });
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((status) => status === 401)).toBe(true);
    await context.close();
  });
});
