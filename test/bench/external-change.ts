import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { BIG_APP } from './big-app';
import type { SandboxProcess } from './sandbox-process';

/**
 * A change made by someone else, seen on screen: `kubectl scale` of one of `fleet`'s processes
 * while its Scale tab is open in Chromium (browser mode), timed from the moment the sandbox's
 * store committed the new count (the API server accepted the write: kubectl's own start, its
 * discovery and TLS handshake are not counted, nor the response's way back to it) until the
 * process card reads the new desired count, at the first task after the next frame (as the other
 * browser figures end).
 *
 * Both ends are wall-clock times with sub-millisecond resolution taken in two processes on the
 * same machine (`performance.timeOrigin + performance.now()` in the sandbox and in the page).
 */

export interface ExternalChangeOptions {
  kubeconfigPath: string;
  sandbox: SandboxProcess;
  warmup: number;
  changes: number;
}

/** A process of `fleet` that nothing else in the bench changes. */
const PROCESS = 'worker';
const DEPLOYMENT = `${BIG_APP.name}-${PROCESS}`;

const ARM_SHOWN = `(({ process, replicas }) => {
  window.__benchResult = new Promise((resolve, reject) => {
    const card = [...document.querySelectorAll('section.process-card')].find(
      (section) => section.getAttribute('aria-label') === process,
    );
    if (!card) return reject(new Error('no card for ' + process));
    let done = false;
    const timeout = setTimeout(() => reject(new Error('the card never showed ' + replicas)), 30000);
    const shown = () => {
      const ready = card.querySelector('.process-card__ready');
      return ready !== null && ready.textContent.trim().endsWith(' of ' + replicas + ' ready');
    };
    const check = () => {
      if (done || !shown()) return;
      done = true;
      observer.disconnect();
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          clearTimeout(timeout);
          resolve(performance.timeOrigin + performance.now());
        };
        channel.port2.postMessage(0);
      });
    };
    const observer = new MutationObserver(check);
    observer.observe(card, { subtree: true, childList: true, characterData: true, attributes: true });
  });
})`;

function kubectlScale(kubeconfigPath: string, cacheDir: string, replicas: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      [
        'scale',
        `deployment/${DEPLOYMENT}`,
        `--replicas=${replicas}`,
        '-n',
        BIG_APP.namespace,
        '--context',
        'sandbox',
      ],
      { env: { ...process.env, KUBECONFIG: kubeconfigPath, KUBECACHEDIR: cacheDir } },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`kubectl scale failed: ${stderr || error.message}`)) : resolve(),
    );
  });
}

/** On the page showing `fleet`'s Scale tab: kubectl scales its worker 10 ↔ 9, one at a time. */
export async function timeExternalChanges(
  page: Page,
  options: ExternalChangeOptions,
): Promise<number[]> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bench-kubectl-'));
  const card = page.getByRole('region', { name: PROCESS, exact: true });
  const samples: number[] = [];
  let replicas = BIG_APP.replicas;
  try {
    await card
      .getByText(`${replicas} of ${replicas} ready`, { exact: true })
      .waitFor({ timeout: 30_000 });
    for (let i = 0; i < options.warmup + options.changes; i++) {
      replicas = replicas === BIG_APP.replicas ? BIG_APP.replicas - 1 : BIG_APP.replicas;
      await page.evaluate(`${ARM_SHOWN}(${JSON.stringify({ process: PROCESS, replicas })})`);
      const { written } = await options.sandbox.awaitReplicas(
        BIG_APP.namespace,
        DEPLOYMENT,
        replicas,
      );
      await kubectlScale(options.kubeconfigPath, cacheDir, replicas);
      const shownAt = Number(await page.evaluate('window.__benchResult'));
      const ms = shownAt - (await written);
      if (i >= options.warmup) samples.push(ms);
      // The next change starts from a quiet card: the pods have followed.
      await card
        .getByText(`${replicas} of ${replicas} ready`, { exact: true })
        .waitFor({ timeout: 30_000 });
    }
    if (replicas !== BIG_APP.replicas)
      await kubectlScale(options.kubeconfigPath, cacheDir, BIG_APP.replicas);
    return samples;
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}
