import path from 'node:path';
import { createConfStore } from '../../main/store/conf-store';
import { EventBus } from '../../main/transport/event-bus';
import { createServices } from '../../main/services';
import type { Connection } from '../../shared/contract';
import type { ServicesChildConfig } from './services-process';

/**
 * ScaleDesk's main-process services alone in a process (bundled and forked by
 * ./big-cluster.ts, with --expose-gc), connected to all namespaces of a sandbox cluster that
 * runs in another process. It reports when the app list is complete, its own request counts,
 * and its memory after garbage collection, when asked over IPC.
 */

type Request = { type: 'stats' } | { type: 'memory' } | { type: 'stop' };

const MIB = 1024 * 1024;
const FIRST_SYNC_LIMIT_MS = 180_000;

function send(message: unknown): void {
  process.send?.(message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as ServicesChildConfig;
  const context = config.context ?? 'sandbox';
  const bus = new EventBus();
  const store = createConfStore(path.join(config.dataDir, 'config.json'));
  // Last time the admin looked at all namespaces of this context: that is where it reconnects.
  store.set('settings', {
    lastContext: context,
    lastNamespace: null,
    metricsIntervalSeconds: config.metricsIntervalSeconds,
  });

  const ids = new Set<string>();
  let completeAt: number | null = null;
  let complete: () => void = () => {};
  const completed = new Promise<void>((resolve) => (complete = resolve));
  bus.on('apps', (event) => {
    if (event.reset) ids.clear();
    for (const app of event.upserted) ids.add(app.id);
    for (const id of event.removed) ids.delete(id);
    if (completeAt === null && ids.size >= config.expectedApps) {
      completeAt = performance.now();
      complete();
    }
  });
  let latest: Connection | null = null;
  bus.on('connection', (connection) => (latest = connection));

  const startedAt = performance.now();
  const services = await createServices({
    store,
    bus,
    mode: 'desktop',
    version: 'bench',
    kubeconfigPath: config.kubeconfigPath,
    context,
    dataDir: config.dataDir,
  });
  let connection = await services.ready;
  const readyAt = performance.now();
  // `ready` gives up waiting after its own timeout (the window answers, "connecting"); on a busy
  // machine a big cluster's first sync can take longer, and the bench waits for it to end.
  if (completeAt === null && connection.state === 'connecting') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      completed,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_SYNC_LIMIT_MS))),
    ]);
    clearTimeout(timer);
    connection = latest ?? connection;
  }
  send({
    type: 'synced',
    state: connection.state,
    error: connection.error?.message ?? null,
    apps: ids.size,
    firstSyncMs: completeAt === null ? null : completeAt - startedAt,
    readyMs: readyAt - startedAt,
  });

  process.on('message', (message: Request) => {
    void (async () => {
      if (message.type === 'stats') {
        send({ type: 'stats', stats: services.session()?.requestStats() ?? null });
      } else if (message.type === 'memory') {
        const gc = (globalThis as { gc?: () => void }).gc;
        // Several collections a moment apart: what is left is what the services hold.
        for (let i = 0; i < 3; i++) {
          gc?.();
          await sleep(200);
        }
        const usage = process.memoryUsage();
        send({
          type: 'memory',
          gc: gc !== undefined,
          rssMiB: usage.rss / MIB,
          heapUsedMiB: usage.heapUsed / MIB,
          externalMiB: usage.external / MIB,
          apps: services.session()?.listApps().length ?? 0,
        });
      } else if (message.type === 'stop') {
        await services.stop();
        process.exit(0);
      }
    })();
  });
  process.on('disconnect', () => void services.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
