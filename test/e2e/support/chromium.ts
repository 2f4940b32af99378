import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (no browser download). The flags keep it from reaching for the network, which this machine
 * does not have, and let it run as root in a container.
 *
 *   const browser = await launchChromium();
 *   const { page, problems } = await openPage(browser, mode.url);
 *   ...
 *   expect(problems).toEqual([]);   // no console error, page error or CSP violation
 *   await browser.close();
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface OpenedPage {
  page: Page;
  /**
   * What went wrong in the page so far, as readable lines: console errors (a CSP violation is
   * one), uncaught exceptions, files that failed to load. Live: read it at the end of the test.
   */
  problems: string[];
}

/**
 * A fresh page in its own browser context (its own cookies), navigated to `url` and loaded.
 * Use the URL browser mode printed: it carries the token the page trades for its cookie.
 */
export async function openPage(
  browser: Browser,
  url: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // Chromium logs every HTTP error status as a console error, including the 4xx/5xx that
    // carry a typed contract error (e.g. NOT_CONNECTED as 503); failed files are caught below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    // The API answers typed errors with 4xx/5xx by design; the favicon is the browser's idea.
    if (pathname.startsWith('/api/') || pathname === '/favicon.ico') return;
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    // A WebSocket or fetch cut short by the page closing is not a problem of the page.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(
      `request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`,
    );
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}
