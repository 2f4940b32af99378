import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countApps } from './big-cluster';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';
import {
  bundleServicesChild,
  difference,
  startServicesChild,
  type ChildHandle,
} from './services-process';
import { sleep } from './stats';

/**
 * ScaleDesk over a big, wide cluster: a sandbox with 5,000 generated apps spread over 2,000
 * namespaces (and the demo seed), ScaleDesk's services watching all namespaces in another
 * process, as ./big-cluster.ts does for 1,000 apps.
 *
 * - first sync: from createServices() until the `apps` events have delivered every app, as the
 *   admin (context `sandbox`); one cold process per run.
 * - RSS: the last admin run's process.memoryUsage().rss once the sync has settled (a few metrics
 *   ticks) and after three garbage collections.
 * - access reviews: a read-only user's first sync (context `sandbox-viewer`, all namespaces),
 *   counted by the sandbox: every `create` it served from the process's start until no more came
 *   for a quiet spell. A viewer may create nothing else, so each is a SelfSubjectAccessReview.
 */

export interface ManyNamespacesOptions {
  apps: number;
  namespaces: number;
  warmup: number;
  runs: number;
  metricsIntervalSeconds: number;
}

export interface ManyNamespacesFigures {
  apps: number;
  namespaces: number;
  namespacesWithApps: number;
  firstSyncMs: number[];
  rssMiB: number;
  heapUsedMiB: number;
  /** Requests of the last admin run, from the process's start until its RSS was read. */
  connectRequests: Record<string, number>;
  viewerAccessReviews: number;
  /** Requests of the viewer's run, by verb, until the reviews stopped. */
  viewerRequests: Record<string, number>;
  viewerFirstSyncMs: number | null;
  sandboxStartMs: number;
  sandboxRssMiB: number;
}

/** How long no new access review may come before the viewer's count is taken. */
const QUIET_MS = 3_000;
const VIEWER_LIMIT_MS = 60_000;

async function syncedOrThrow(child: ChildHandle, expectedApps: number, who: string) {
  const synced = await child.synced;
  if (synced.state !== 'live' || synced.firstSyncMs === null) {
    throw new Error(
      `bench: the services (${who}) did not sync ${expectedApps} apps (${synced.state}, ${synced.apps} apps: ${synced.error})`,
    );
  }
  return synced.firstSyncMs;
}

/** Reviews a read-only user's first sync sets off, counted until they stop coming. */
async function countViewerReviews(
  sandbox: SandboxProcess,
  bundle: string,
  work: string,
  expectedApps: number,
  metricsIntervalSeconds: number,
): Promise<{ reviews: number; byVerb: Record<string, number>; firstSyncMs: number | null }> {
  const atStart = await sandbox.requests();
  const child = startServicesChild(bundle, {
    kubeconfigPath: sandbox.kubeconfigPath,
    dataDir: fs.mkdtempSync(path.join(work, 'viewer-')),
    metricsIntervalSeconds,
    expectedApps,
    context: 'sandbox-viewer',
  });
  try {
    const firstSyncMs = await syncedOrThrow(child, expectedApps, 'viewer');
    const began = performance.now();
    let last = (await sandbox.requests()).byVerb.create ?? 0;
    let quietSince = performance.now();
    while (
      performance.now() - quietSince < QUIET_MS &&
      performance.now() - began < VIEWER_LIMIT_MS
    ) {
      await sleep(250);
      const now = (await sandbox.requests()).byVerb.create ?? 0;
      if (now !== last) {
        last = now;
        quietSince = performance.now();
      }
    }
    const byVerb = difference((await sandbox.requests()).byVerb, atStart.byVerb);
    return { reviews: byVerb.create ?? 0, byVerb, firstSyncMs };
  } finally {
    await child.stop();
  }
}

export async function measureManyNamespaces(
  options: ManyNamespacesOptions,
): Promise<ManyNamespacesFigures> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bench-wide-'));
  const bundle = await bundleServicesChild(work);
  const intervalMs = options.metricsIntervalSeconds * 1000;
  const startedAt = performance.now();
  const sandbox = await startSandboxProcess({
    apps: options.apps,
    namespaces: options.namespaces,
    metricsIntervalMs: intervalMs,
    readyDelayMs: 500,
  });
  const sandboxStartMs = performance.now() - startedAt;
  try {
    const expected = await countApps(sandbox.kubeconfigPath);
    const firstSyncMs: number[] = [];
    let memory: { rssMiB: number; heapUsedMiB: number } | null = null;
    let connectRequests: Record<string, number> = {};
    for (let run = 0; run < options.warmup + options.runs; run++) {
      const atStart = await sandbox.requests();
      const child = startServicesChild(bundle, {
        kubeconfigPath: sandbox.kubeconfigPath,
        dataDir: fs.mkdtempSync(path.join(work, 'data-')),
        metricsIntervalSeconds: options.metricsIntervalSeconds,
        expectedApps: expected.apps,
      });
      try {
        const ms = await syncedOrThrow(child, expected.apps, 'admin');
        if (run < options.warmup) continue;
        firstSyncMs.push(ms);
        if (run < options.warmup + options.runs - 1) continue;
        // Settled: the first metrics ticks have filled every app's history once or twice.
        await sleep(3 * intervalMs);
        const read = await child.ask<{ rssMiB: number; heapUsedMiB: number; gc: boolean }>(
          'memory',
          'memory',
        );
        if (!read.gc) throw new Error('bench: the services process ran without --expose-gc');
        memory = { rssMiB: read.rssMiB, heapUsedMiB: read.heapUsedMiB };
        connectRequests = difference((await sandbox.requests()).byVerb, atStart.byVerb);
      } finally {
        await child.stop();
      }
    }
    if (!memory) throw new Error('bench: no measured run');
    const viewer = await countViewerReviews(
      sandbox,
      bundle,
      work,
      expected.apps,
      options.metricsIntervalSeconds,
    );
    return {
      apps: expected.apps,
      namespaces: options.namespaces,
      namespacesWithApps: expected.namespaces,
      firstSyncMs,
      ...memory,
      connectRequests,
      viewerAccessReviews: viewer.reviews,
      viewerRequests: viewer.byVerb,
      viewerFirstSyncMs: viewer.firstSyncMs,
      sandboxStartMs,
      sandboxRssMiB: sandbox.startRssMiB,
    };
  } finally {
    await sandbox.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
