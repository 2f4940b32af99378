import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import type { SessionStats } from '../../main/session/cluster-session';
import { startSandboxProcess } from './sandbox-process';
import { bundleServicesChild, difference, startServicesChild } from './services-process';
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

/** Apps as ScaleDesk groups them: the Deployments of a namespace sharing a part-of label. */
export async function countApps(
  kubeconfigPath: string,
): Promise<{ apps: number; namespaces: number }> {
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
