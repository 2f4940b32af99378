import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { launchChromium, openPage } from '../fixtures/chromium';
import { BIG_APP, BIG_APP_PROCESSES } from './big-app';
import { timeExternalChanges, type ExternalChangeOptions } from './external-change';

/**
 * The renderer in a real Chromium (/usr/bin/chromium through playwright-core) against browser
 * mode (./browser-mode-child.ts) and the bench's sandbox. Both figures are taken in the page,
 * not across the DevTools protocol: a capture listener notes the click event's own timeStamp,
 * a MutationObserver waits for the DOM to hold what is timed, and the end is the first task
 * after the next frame (requestAnimationFrame, then a MessageChannel message): that frame's
 * style, layout and paint are included.
 *
 * - Scale tab: from the click on `fleet` in the Apps list (the Scale tab already chosen, another
 *   app shown) until its Scale tab holds 10 process cards and a memory chart with its 10 lines
 *   drawn (the history fetched from main and rendered).
 * - Click feedback: from the click on Save in web's replica editor until the button shows the
 *   pending state (aria-busy with its spinner).
 * - External change: `kubectl scale` of another process of the app shown (./external-change.ts).
 */

export interface ScaleTabOptions {
  kubeconfigPath: string;
  warmup: number;
  renders: number;
  clicks: number;
  /** A built renderer to serve; built afresh into a temporary folder when absent. */
  rendererDir?: string;
  /** kubectl's changes to time on the same page, after the clicks (none when absent). */
  externalChanges?: Omit<ExternalChangeOptions, 'kubeconfigPath'>;
}

export interface ScaleTabSamples {
  renderMs: number[];
  clickFeedbackMs: number[];
  externalChangeMs: number[];
  historySamples: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const OTHER_APP = 'sales-dash';

/** Browser mode with the filled history, as a child; resolves with its URL. */
async function startBrowserMode(
  config: object,
): Promise<{ url: string; historySamples: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'browser-mode-child.ts'), JSON.stringify(config)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`bench: browser mode printed no URL:\n${output}`));
    }, 60_000);
    void exited.then(() => reject(new Error(`bench: browser mode exited:\n${output}`)));
    child.stdout.on('data', () => {
      const url = /^ScaleDesk is at (\S+)$/m.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      const historySamples = Number(/history filled: (\d+) samples/.exec(output)?.[1] ?? 0);
      resolve({ url, historySamples, stop });
    });
  });
}

/**
 * In-page code as source text: functions handed to page.evaluate would be serialised from what
 * tsx compiled, which may call helpers the page does not have.
 */
const ARM_SCALE_TAB = `(({ rowId, name, processes }) => {
  window.__benchResult = new Promise((resolve, reject) => {
    let clickAt = null;
    let done = false;
    const timeout = setTimeout(() => reject(new Error('the Scale tab was not drawn')), 30000);
    const drawn = () => {
      const title = document.querySelector('.app-info h1');
      if (!title || title.textContent !== name || !document.getElementById('panel-scale')) return false;
      if (document.querySelectorAll('section.process-card').length !== processes) return false;
      const lines = document.querySelectorAll('.memory-panel .recharts-line-curve');
      return lines.length === processes && [...lines].every((line) => (line.getAttribute('d') || '').length > 0);
    };
    const check = () => {
      if (done || clickAt === null || !drawn()) return;
      done = true;
      observer.disconnect();
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          clearTimeout(timeout);
          resolve(performance.now() - clickAt);
        };
        channel.port2.postMessage(0);
      });
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    const onClick = (event) => {
      if (!(event.target instanceof Element) || !event.target.closest('#' + rowId)) return;
      document.removeEventListener('click', onClick, true);
      clickAt = event.timeStamp;
      check();
    };
    document.addEventListener('click', onClick, true);
  });
})`;

const ARM_CLICK_FEEDBACK = `(({ process }) => {
  window.__benchResult = new Promise((resolve, reject) => {
    const card = [...document.querySelectorAll('section.process-card')].find(
      (section) => section.getAttribute('aria-label') === process,
    );
    if (!card) return reject(new Error('no card for ' + process));
    let clickAt = null;
    let done = false;
    const timeout = setTimeout(() => reject(new Error('no pending state after Save')), 30000);
    const pending = () => card.querySelector('button[aria-busy="true"] .spinner') !== null;
    const check = () => {
      if (done || clickAt === null || !pending()) return;
      done = true;
      observer.disconnect();
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          clearTimeout(timeout);
          resolve(performance.now() - clickAt);
        };
        channel.port2.postMessage(0);
      });
    };
    const observer = new MutationObserver(check);
    observer.observe(card, { subtree: true, childList: true, attributes: true });
    const onClick = (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null;
      if (!button || !card.contains(button) || button.textContent.trim() !== 'Save') return;
      document.removeEventListener('click', onClick, true);
      clickAt = event.timeStamp;
      check();
    };
    document.addEventListener('click', onClick, true);
  });
})`;

async function arm(page: Page, source: string, args: object): Promise<void> {
  await page.evaluate(`${source}(${JSON.stringify(args)})`);
}

async function result(page: Page): Promise<number> {
  return Number(await page.evaluate('window.__benchResult'));
}

function option(page: Page, name: string) {
  return page
    .getByRole('listbox', { name: 'Apps' })
    .getByRole('option', { name: new RegExp(`^${name}\\b`) });
}

async function timeScaleTab(page: Page): Promise<number> {
  // From another app, on the Scale tab, fully drawn.
  await option(page, OTHER_APP).click();
  await page.getByRole('heading', { level: 1, name: OTHER_APP }).waitFor();
  await page.locator('.memory-panel .recharts-line-curve').first().waitFor();
  await arm(page, ARM_SCALE_TAB, {
    rowId: `app-row-${BIG_APP.namespace}_${BIG_APP.name}`,
    name: BIG_APP.name,
    processes: BIG_APP.processes,
  });
  await option(page, BIG_APP.name).click();
  return result(page);
}

async function timeSave(page: Page, to: number): Promise<number> {
  const web = page.getByRole('region', { name: 'web', exact: true });
  await web.getByRole('button', { name: 'Edit Resources' }).click();
  await web.getByLabel('Replicas', { exact: true }).fill(String(to));
  const save = web.getByRole('button', { name: 'Save', exact: true });
  await web.getByText('New max memory').waitFor();
  await arm(page, ARM_CLICK_FEEDBACK, { process: 'web' });
  await save.click();
  const ms = await result(page);
  // The change lands before the next one starts from a quiet card.
  await web.getByText(`${to} of ${to} ready`).waitFor({ timeout: 30_000 });
  await web.getByRole('button', { name: 'Edit Resources' }).waitFor();
  return ms;
}

export async function measureScaleTab(options: ScaleTabOptions): Promise<ScaleTabSamples> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bench-ui-'));
  let rendererDir = options.rendererDir;
  if (!rendererDir) {
    rendererDir = path.join(work, 'renderer');
    await viteBuild({
      configFile: path.join(repoRoot, 'vite.config.ts'),
      root: path.join(repoRoot, 'renderer'),
      logLevel: 'error',
      build: { outDir: rendererDir, emptyOutDir: true },
    });
  }
  const mode = await startBrowserMode({
    kubeconfigPath: options.kubeconfigPath,
    dataDir: path.join(work, 'data'),
    rendererDir,
    fill: { namespace: BIG_APP.namespace, app: BIG_APP.name, processes: BIG_APP_PROCESSES },
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const { page, problems } = await openPage(browser, mode.url);
    // playwright-core waits forever by default: a page that never shows what is awaited fails
    // the bench instead of hanging it.
    page.setDefaultTimeout(60_000);
    await option(page, OTHER_APP).click();
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();

    const renderMs: number[] = [];
    for (let i = 0; i < options.warmup + options.renders; i++) {
      const ms = await timeScaleTab(page);
      if (i >= options.warmup) renderMs.push(ms);
    }

    const clickFeedbackMs: number[] = [];
    let to = BIG_APP.replicas;
    for (let i = 0; i < options.warmup + options.clicks; i++) {
      // Down one and back: 10 is the default maximum of replicas an admin may set.
      to = to === BIG_APP.replicas ? BIG_APP.replicas - 1 : BIG_APP.replicas;
      const ms = await timeSave(page, to);
      if (i >= options.warmup) clickFeedbackMs.push(ms);
    }
    if (to !== BIG_APP.replicas) await timeSave(page, BIG_APP.replicas);
    const externalChangeMs = options.externalChanges
      ? await timeExternalChanges(page, {
          ...options.externalChanges,
          kubeconfigPath: options.kubeconfigPath,
        })
      : [];
    if (problems.length > 0)
      console.warn(`bench: the page reported problems:\n${problems.join('\n')}`);
    return { renderMs, clickFeedbackMs, externalChangeMs, historySamples: mode.historySamples };
  } finally {
    await browser?.close();
    await mode.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
