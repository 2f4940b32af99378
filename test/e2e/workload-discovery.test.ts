import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../fixtures/browser-mode';
import { startBrowserSession, type BrowserSession } from '../fixtures/browser-session';
import { gunicornStatefulSetManifest } from '../fixtures/workloads';

/**
 * Workloads an admin creates from a terminal, not labelled for ScaleDesk, in a real Chromium
 * against browser mode and the sandbox: they show up in the open page within seconds, grouped as
 * the labels say, and are scaled from the UI like any app; a namespace with nothing to scale
 * says what it holds instead.
 */

const run = promisify(execFile);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const SEEN = { timeout: 30_000 };
/** The sandbox context's own namespace, where browser mode starts. */
const NS = 'demo';

let session: BrowserSession;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', args, {
    env: { ...process.env, KUBECONFIG: session.kubeconfigPath },
  });
  return stdout.trim();
}

/** kubectl apply of a manifest given as JSON (kubectl reads JSON as YAML). */
async function apply(manifest: object): Promise<void> {
  const child = execFile('kubectl', ['apply', '-f', '-'], {
    env: { ...process.env, KUBECONFIG: session.kubeconfigPath },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`kubectl apply exited ${code}: ${stderr}`)),
    ),
  );
  child.stdin!.end(JSON.stringify(manifest));
  await exited;
}

async function open(): Promise<Page> {
  const page = await session.open();
  await page.getByRole('listbox', { name: 'Apps' }).waitFor(SEEN);
  return page;
}

function appOption(page: Page, name: string) {
  return page
    .getByRole('listbox', { name: 'Apps' })
    .getByRole('option', { name: new RegExp(`^${name}\\b`) });
}

beforeAll(async () => {
  session = await startBrowserSession();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  // No console error, uncaught exception or CSP violation along the way.
  if (session) expect(await session.stop()).toEqual([]);
});

describe('workloads created from a terminal while the page is open', () => {
  it('shows a `kubectl create deployment` within seconds, and scales it from the UI', async () => {
    const page = await open();
    await appOption(page, 'sales-dash').waitFor(SEEN);
    await kubectl('create', 'deployment', 'plain', '--image=nginx', '--replicas=1', '-n', NS);

    await appOption(page, 'plain').click({ timeout: 10_000 });
    await page.getByRole('heading', { level: 1, name: 'plain' }).waitFor(SEEN);
    await page.getByText('Grouped by the label app=plain').waitFor();
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    // kubectl names the container after the image: that is the process.
    const nginx = page.getByRole('region', { name: 'nginx', exact: true });
    await nginx.getByText('1 of 1 ready').waitFor(SEEN);
    await nginx.getByRole('button', { name: 'Edit Resources' }).click();
    await nginx.getByLabel('Replicas', { exact: true }).fill('2');
    await nginx.getByText('kubectl scale deployment/plain --replicas=2 -n demo').first().waitFor();
    await nginx.getByRole('button', { name: 'Save', exact: true }).click();

    await nginx.getByText('2 of 2 ready').waitFor(SEEN);
    expect(
      await kubectl('get', 'deploy', 'plain', '-n', NS, '-o', 'jsonpath={.spec.replicas}'),
    ).toBe('2');
  });

  it('groups a Helm release into one app and lists a StatefulSet, then pictures the list', async () => {
    const page = await open();
    const helm = (process: string) => {
      const labels = {
        'app.kubernetes.io/name': 'storefront',
        'app.kubernetes.io/instance': 'storefront',
        'app.kubernetes.io/managed-by': 'Helm',
        tier: process,
      };
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: `storefront-${process}`,
          namespace: NS,
          labels,
          annotations: { 'meta.helm.sh/release-name': 'storefront' },
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'storefront',
                  image: 'registry.sandbox.local/demo/storefront:3.4.0',
                  command: ['gunicorn', `storefront.${process}:app`, '--workers', '2'],
                },
              ],
            },
          },
        },
      };
    };
    await apply(helm('web'));
    await apply(helm('worker'));
    const labels = { app: 'ledger' };
    await apply(
      gunicornStatefulSetManifest({
        name: 'ledger-db',
        namespace: NS,
        labels,
        replicas: 2,
        image: 'registry.sandbox.local/demo/ledger:1',
      }),
    );

    await appOption(page, 'storefront').click(SEEN);
    await page.getByText('Grouped by Helm release storefront').waitFor();
    await page.getByRole('tab', { name: 'Scale', exact: true }).click();
    await page.getByRole('region', { name: 'web', exact: true }).waitFor(SEEN);
    await page.getByRole('region', { name: 'worker', exact: true }).waitFor(SEEN);

    await appOption(page, 'ledger').click(SEEN);
    const db = page.getByRole('region', { name: 'db', exact: true });
    await db.getByText('2 of 2 ready').waitFor(SEEN);
    await db.getByRole('button', { name: 'Edit Resources' }).click();
    await db.getByLabel('Replicas', { exact: true }).fill('3');
    await db
      .getByText('kubectl scale statefulset/ledger-db --replicas=3 -n demo')
      .first()
      .waitFor();
    await page.keyboard.press('Escape');

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'workload-discovery-apps.png') });
  });

  it('says what a namespace with nothing to scale holds, instead of "No apps"', async () => {
    await kubectl('create', 'namespace', 'daemons-only');
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'node-agent-x7k2p',
        namespace: 'daemons-only',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            name: 'node-agent',
            uid: '0b7c2f1e-6a1d-4f7e-9d1c-2a3b4c5d6e7f',
            controller: true,
          },
        ],
      },
      spec: { containers: [{ name: 'agent', image: 'registry.sandbox.local/agent:1' }] },
    });
    await kubectl('run', 'scratch', '--image=busybox', '-n', 'daemons-only');
    const page = await open();
    await page.getByLabel('Namespace').selectOption('daemons-only');
    await page.getByText('No apps in this namespace.').waitFor(SEEN);
    await page
      .getByText(
        'Found 1 pod of a DaemonSet and 1 bare pod (no owner) in this namespace; ScaleDesk lists Deployments and StatefulSets.',
      )
      .waitFor(SEEN);
    await page.screenshot({ path: path.join(ARTIFACTS, 'workload-discovery-empty.png') });
  });
});
