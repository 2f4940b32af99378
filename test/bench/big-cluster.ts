import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { build } from 'esbuild';
import type { SessionStats } from '../../main/session/cluster-session';
import { startSandboxProcess } from './sandbox-process';
import { sleep, waitFor } from './stats';

/**
 * ScaleDesk holding a big cluster live: a sandbox with 1,000 generated apps (and the demo seed)
 * in one process, ScaleDesk's main-process services watching all its namespaces in another.
 *
 * The services run as one esbuild bundle under plain `node --expose-gc`, as the packaged app's
 * main process runs its bundle (tsx's loader thread would add its own memory), so the RSS read
 * is that of the services and the libraries they load, nothing else.
 *
 * - first sync: from createServices() (reading the kubeconfig, connecting) until the `apps`
 *   events have delivered every app the cluster has; one cold process per run.
 * - RSS: process.memoryUsage().rss after the idle window and three garbage collections.
 * - idle requests: the sandbox's own count of API requests over a window after the first sync
 *   has settled, divided by the metrics ticks ScaleDesk made in that window (its own counter):
 *   requests per metrics interval. Per minute = that × 60 s / 15 s, the default interval.
 */

export interface BigClusterOptions {
  apps: number;
  warmup: number;
  runs: number;
  /** ScaleDesk's metrics interval during the bench (short, so a window holds many ticks). */
  metricsIntervalSeconds: number;
  /** Metrics ticks the idle window spans. */
  idleTicks: number;
}

export interface BigClusterFigures {
  apps: number;
  namespacesWithApps: number;
  firstSyncMs: number[];
  rssMiB: number;
  heapUsedMiB: number;
  sandboxRssMiB: number;
  /** Requests from the start of the last run's process until the idle window (connect, lists,
   * watches, one-off permission checks per namespace, the first metrics ticks). */
  connectRequests: Record<string, number>;
  idle: {
    windowMs: number;
    ticks: number;
    requests: number;
    byVerb: Record<string, number>;
    perInterval: number;
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

/** The services child as one CommonJS bundle, as scripts/build-main.mjs bundles the app. */
async function bundleServicesChild(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'services-child.cjs');
  await build({
    entryPoints: [path.join(here, 'services-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron', 'bufferutil', 'utf-8-validate'],
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    minify: true,
    keepNames: true,
    logLevel: 'error',
    absWorkingDir: repoRoot,
  });
  return outfile;
}

interface ChildHandle {
  ask<T>(type: string, answer: string): Promise<T>;
  synced: Promise<{
    state: string;
    error: string | null;
    apps: number;
    firstSyncMs: number | null;
  }>;
  stop(): Promise<void>;
}

function startServicesChild(bundle: string, config: object): ChildHandle {
  const child = fork(bundle, [JSON.stringify(config)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting = new Map<string, (message: unknown) => void>();
  const synced = new Promise<never>((resolve, reject) => {
    waiting.set('synced', resolve as (message: unknown) => void);
    child.once('exit', (code) => reject(new Error(`the services process exited (code ${code})`)));
  });
  child.on('message', (message: { type: string; message?: string }) => {
    if (message.type === 'error') console.error(`bench: services process: ${message.message}`);
    const answer = waiting.get(message.type);
    waiting.delete(message.type);
    answer?.(message);
  });
  return {
    synced,
    ask: <T>(type: string, answer: string) =>
      new Promise<T>((resolve) => {
        waiting.set(answer, resolve as (message: unknown) => void);
        child.send({ type });
      }),
    async stop() {
      if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function difference(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [verb, count] of Object.entries(after)) {
    const more = count - (before[verb] ?? 0);
    if (more > 0) delta[verb] = more;
  }
  return delta;
}

/** Apps as ScaleDesk groups them: the Deployments of a namespace sharing a part-of label. */
async function countApps(kubeconfigPath: string): Promise<{ apps: number; namespaces: number }> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const list = await kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces();
  const apps = new Set<string>();
  for (const d of list.items) {
    const partOf = d.metadata?.labels?.['app.kubernetes.io/part-of'];
    if (partOf) apps.add(`${d.metadata?.namespace}/${partOf}`);
  }
  return { apps: apps.size, namespaces: new Set([...apps].map((id) => id.split('/')[0])).size };
}

export async function measureBigCluster(options: BigClusterOptions): Promise<BigClusterFigures> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bench-big-'));
  const bundle = await bundleServicesChild(work);
  const intervalMs = options.metricsIntervalSeconds * 1000;
  const sandbox = await startSandboxProcess({
    apps: options.apps,
    metricsIntervalMs: intervalMs,
    readyDelayMs: 500,
  });
  try {
    const expected = await countApps(sandbox.kubeconfigPath);
    const firstSyncMs: number[] = [];
    let last: Omit<BigClusterFigures, 'apps' | 'namespacesWithApps' | 'firstSyncMs'> | null = null;
    for (let run = 0; run < options.warmup + options.runs; run++) {
      const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
      const atStart = await sandbox.requests();
      const child = startServicesChild(bundle, {
        kubeconfigPath: sandbox.kubeconfigPath,
        dataDir,
        metricsIntervalSeconds: options.metricsIntervalSeconds,
        expectedApps: expected.apps,
      });
      try {
        const synced = await child.synced;
        if (synced.state !== 'live' || synced.firstSyncMs === null) {
          throw new Error(
            `bench: the services did not sync ${expected.apps} apps (${synced.state}, ${synced.apps} apps: ${synced.error})`,
          );
        }
        if (run < options.warmup) continue;
        firstSyncMs.push(synced.firstSyncMs);
        if (run < options.warmup + options.runs - 1) continue;

        // The idle window, in the last run: after the first sync has settled (permission
        // checks per namespace, the first metrics ticks), nothing changes on the cluster.
        await sleep(2 * intervalMs + 2_000);
        // Both ends of the window half an interval after a tick, so that no tick falls between
        // reading the sandbox's count and ScaleDesk's.
        const midInterval = async () => {
          const ticks = async () =>
            (await child.ask<{ stats: SessionStats }>('stats', 'stats')).stats.metricsRequests;
          const last = await ticks();
          await waitFor('a metrics tick', async () => (await ticks()) > last, 4 * intervalMs, 20);
          await sleep(intervalMs / 2);
        };
        await midInterval();
        const before = await sandbox.requests();
        const connectRequests = difference(before.byVerb, atStart.byVerb);
        const statsBefore = (await child.ask<{ stats: SessionStats }>('stats', 'stats')).stats;
        const startedAt = performance.now();
        await sleep((options.idleTicks - 1) * intervalMs);
        await midInterval();
        const after = await sandbox.requests();
        const statsAfter = (await child.ask<{ stats: SessionStats }>('stats', 'stats')).stats;
        const windowMs = performance.now() - startedAt;
        const ticks = statsAfter.metricsRequests - statsBefore.metricsRequests;
        const byVerb = difference(after.byVerb, before.byVerb);
        const requests = after.total - before.total;
        const memory = await child.ask<{ rssMiB: number; heapUsedMiB: number; gc: boolean }>(
          'memory',
          'memory',
        );
        if (!memory.gc) throw new Error('bench: the services process ran without --expose-gc');
        last = {
          rssMiB: memory.rssMiB,
          heapUsedMiB: memory.heapUsedMiB,
          sandboxRssMiB: sandbox.startRssMiB,
          connectRequests,
          idle: {
            windowMs,
            ticks,
            requests,
            byVerb,
            perInterval: ticks > 0 ? requests / ticks : Number.NaN,
          },
        };
      } finally {
        await child.stop();
      }
    }
    if (!last) throw new Error('bench: no measured run');
    return {
      apps: expected.apps,
      namespacesWithApps: expected.namespaces,
      firstSyncMs,
      ...last,
    };
  } finally {
    await sandbox.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
