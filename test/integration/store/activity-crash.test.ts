import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../main/sandbox';
import { activityFileFor } from '../../../main/store/activity-file';
import { storeFileIn } from '../../../main/store/conf-store';
import type { ActivityEntry } from '../../../shared/contract';
import { startBrowserMode, type BrowserMode } from '../../fixtures/browser-mode';
import { rawExchange, request } from '../../fixtures/http-client';
import { eventually } from '../../fixtures/sandbox';

/**
 * ScaleDesk killed (-9) at moments around a change, then started again on the same data folder:
 * the store still opens, and every change the cluster has is in the activity log, judged from
 * the cluster rather than left pending. The cluster is the test's own, outside the process
 * killed, so it outlives each kill; browser mode runs as the admin runs it (`npm run web`).
 */

let sandbox: Sandbox;
let apps: AppsV1Api;
let dataDir: string;
let rendererDir: string;

const APP = { namespace: 'demo', app: 'sales-dash', process: 'web' };

beforeAll(async () => {
  sandbox = await startSandbox({ metricsIntervalMs: 60_000, readyDelayMs: 50 });
  const admin = new KubeConfig();
  admin.loadFromFile(sandbox.kubeconfigPath);
  apps = admin.makeApiClient(AppsV1Api);
  // Web at 6 replicas would pass the seed's limits.memory quota (memory-kubectl.test.ts covers
  // it); this test is about the activity log through a kill, so the cap is lifted.
  await admin
    .makeApiClient(CoreV1Api)
    .patchNamespacedResourceQuota(
      { name: 'pod-quota', namespace: 'demo', body: { spec: { hard: { 'limits.memory': null } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-crash-'));
  // No renderer needed: a one-file stand-in, as the command-line tests serve.
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-crash-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ScaleDesk</title>');
});

afterAll(async () => {
  await sandbox?.stop();
  for (const dir of [dataDir, rendererDir]) fs.rmSync(dir, { recursive: true, force: true });
});

async function invoke(mode: BrowserMode, operation: string, input: unknown): Promise<unknown> {
  const response = await request(mode.port, {
    method: 'POST',
    path: `/api/invoke/${operation}`,
    headers: { authorization: `Bearer ${mode.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const answer = response.json() as { ok: boolean; value?: unknown; error?: unknown };
  if (!answer.ok) throw new Error(`${operation}: ${JSON.stringify(answer.error)}`);
  return answer.value;
}

/** Browser mode on the test's data folder, connected to the sandbox's demo namespace. */
async function start(): Promise<BrowserMode> {
  const mode = await startBrowserMode({
    kubeconfigPath: sandbox.kubeconfigPath,
    context: 'sandbox',
    dataDir,
    env: { SCALEDESK_RENDERER_DIR: rendererDir },
  });
  await eventually('browser mode live with sales-dash', async () => {
    const connection = (await invoke(mode, 'cluster.connection', {})) as { state: string };
    if (connection.state !== 'live') return false;
    const listed = (await invoke(mode, 'apps.list', {})) as Array<{ id: string }>;
    return listed.some((app) => app.id === 'demo/sales-dash');
  });
  return mode;
}

async function killed(mode: BrowserMode): Promise<void> {
  mode.child.kill('SIGKILL');
  await mode.stop();
}

async function replicasOnCluster(): Promise<number> {
  const deployment = await apps.readNamespacedDeployment({
    name: 'sales-dash-web',
    namespace: 'demo',
  });
  return deployment.spec?.replicas ?? 1;
}

/** The store file and the log file are readable, every record of the log whole. */
function assertReadable(): void {
  const storeFile = storeFileIn(dataDir);
  if (fs.existsSync(storeFile)) JSON.parse(fs.readFileSync(storeFile, 'utf8'));
  const logFile = activityFileFor(storeFile);
  if (!fs.existsSync(logFile)) return;
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (line !== '') JSON.parse(line);
  }
}

type Moment =
  | 'right after sending'
  | 'once the change is logged'
  | 'right after the answer'
  | '50 ms after the answer';

function logSize(): number {
  const logFile = activityFileFor(storeFileIn(dataDir));
  return fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
}

/** Resolves as soon as the log file is longer than `size`: told by inotify, not polled. */
function logGrowsPast(size: number): { promise: Promise<void>; cancel(): void } {
  let watcher: fs.FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  const cancel = () => {
    watcher?.close();
    clearTimeout(timer);
  };
  const promise = new Promise<void>((resolve, reject) => {
    watcher = fs.watch(dataDir, () => {
      if (logSize() <= size) return;
      cancel();
      resolve();
    });
    timer = setTimeout(() => {
      cancel();
      reject(new Error('the change was not logged within 5 s'));
    }, 5_000);
  });
  return { promise, cancel };
}

/** Sends a change of replicas and kills the process at `moment`. */
async function changeAndKill(mode: BrowserMode, replicas: number, moment: Moment): Promise<void> {
  const body = JSON.stringify({ ...APP, replicas });
  if (moment === 'right after sending' || moment === 'once the change is logged') {
    const logged = logSize();
    const grown = logGrowsPast(logged);
    const exchange = await rawExchange(mode.port);
    const sent = await exchange.write(
      `POST /api/invoke/process.setReplicas HTTP/1.1\r\nHost: 127.0.0.1:${mode.port}\r\n` +
        `Authorization: Bearer ${mode.token}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(sent).toBe(true);
    if (moment === 'once the change is logged') {
      // The entry is written just before the PATCH goes out: killed between the two, or while
      // the cluster answers.
      await grown.promise;
    }
    grown.cancel();
    await killed(mode);
    exchange.destroy();
    return;
  }
  await invoke(mode, 'process.setReplicas', { ...APP, replicas });
  if (moment === '50 ms after the answer') await new Promise((r) => setTimeout(r, 50));
  await killed(mode);
}

describe('the activity log through kill -9', () => {
  it('keeps every change that reached the cluster, and judges it when started again', async () => {
    const moments: Moment[] = [
      'right after sending',
      'once the change is logged',
      'right after the answer',
      '50 ms after the answer',
    ];
    let mode = await start();
    let replicas = await replicasOnCluster();
    try {
      for (const [round, moment] of moments.entries()) {
        const before = replicas;
        const wanted = 3 + round;
        await changeAndKill(mode, wanted, moment);
        assertReadable();
        replicas = await replicasOnCluster();
        mode = await start();
        const listed = async () =>
          ((await invoke(mode, 'activity.list', { limit: 50 })) as ActivityEntry[]).find(
            (e) => e.kind === 'replicas' && e.to === wanted,
          );
        // Pending when killed, then judged from the cluster once connected again.
        const settled = () =>
          eventually(`the entry of ${moment}, settled`, async () => {
            const found = await listed();
            return found && found.result !== 'pending' ? found : undefined;
          });
        if (replicas === before) {
          // Killed before the change left, or before it was even logged: never said to be done.
          if (await listed()) {
            expect(await settled(), moment).toMatchObject({
              result: 'failed',
              message: expect.stringMatching(/^Not confirmed: /),
            });
          }
          continue;
        }
        expect(replicas, moment).toBe(wanted);
        expect(await settled(), moment).toMatchObject({
          ...APP,
          result: 'done',
          message: `web runs ${wanted} replicas.`,
        });
      }
    } finally {
      await mode.stop();
    }
  });
});
