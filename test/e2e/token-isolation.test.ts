import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { startBrowserMode, type BrowserMode } from '../fixtures/browser-mode';
import { launchChromium } from '../fixtures/chromium';

/**
 * The access token of browser mode reaches no other server on 127.0.0.1. A cookie could not
 * promise that: cookies are scoped by host, not port, and 127.0.0.1 on another port is even the
 * same site, so Chromium sent the old `scaledesk_token_<port>` cookie to any local listener the
 * tab or its page talked to. Here a second server on another port records every request it
 * gets while the tab goes there every way it can, and must never see the token or a cookie.
 */

const SEEN = { timeout: 30_000 };

interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

let sandbox: Sandbox;
let mode: BrowserMode;
let browser: Browser;
let other: http.Server;
let otherOrigin: string;
const recorded: Recorded[] = [];

beforeAll(async () => {
  other = http.createServer((request, response) => {
    recorded.push({
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
    });
    request.resume();
    if (request.headers['sec-fetch-dest'] === 'document') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>Another local server</title>');
    } else {
      response.writeHead(204);
      response.end();
    }
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  sandbox = await startSandbox({ metricsIntervalMs: 1000, readyDelayMs: 300 });
  [mode, browser] = await Promise.all([
    startBrowserMode({ kubeconfigPath: sandbox.kubeconfigPath, context: 'sandbox' }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await mode?.stop();
  await sandbox?.stop();
  await new Promise((resolve) => other?.close(resolve));
});

/** The sidebar lists the sandbox's apps: the page reached main through the contract. */
async function appsListed(page: Page): Promise<void> {
  await page
    .getByRole('listbox', { name: 'Apps' })
    .getByRole('option', { name: /^sales-dash\b/ })
    .waitFor(SEEN);
}

describe('the access token and another server on 127.0.0.1', () => {
  it('sends neither the token nor any cookie to another local port, and the app keeps working', async () => {
    // The app's CSP would stop the page's own fetch and <img> to another origin before they
    // left the browser, proving nothing about what the browser attaches to them. Bypassing it
    // here stands for any page on 127.0.0.1 that the policy does not cover.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(mode.url, { waitUntil: 'load' });
    await appsListed(page);

    // From the app's own origin: a fetch asking for credentials, and an image.
    await page.evaluate(async (target) => {
      await fetch(`${target}/fetch`, { mode: 'no-cors', credentials: 'include' });
      await new Promise<void>((resolve) => {
        const image = new Image();
        image.onload = image.onerror = () => resolve();
        image.src = `${target}/img`;
      });
    }, otherOrigin);
    // A link followed from the app (same-site: even a SameSite=Strict cookie would go).
    await Promise.all([
      page.waitForURL(`${otherOrigin}/followed`),
      page.evaluate((target) => window.location.assign(`${target}/followed`), otherOrigin),
    ]);
    // An address typed into the same tab.
    await page.goto(`${otherOrigin}/typed`);

    expect(recorded.map(({ path }) => path)).toEqual(
      expect.arrayContaining(['/fetch', '/img', '/followed', '/typed']),
    );
    for (const request of recorded) {
      expect(request.headers.cookie, `${request.method} ${request.path}`).toBeUndefined();
      expect(request.headers.authorization, `${request.method} ${request.path}`).toBeUndefined();
      expect(JSON.stringify(request)).not.toContain(mode.token);
    }
    expect(await context.cookies()).toEqual([]);

    // Back in the app, without the token in the address: the tab still has it.
    await page.goto(`${mode.origin}/`, { waitUntil: 'load' });
    await appsListed(page);
    await context.close();
  });
});
