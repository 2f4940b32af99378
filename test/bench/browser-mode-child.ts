import path from 'node:path';
import { createConfStore } from '../../main/store/conf-store';
import { EventBus } from '../../main/transport/event-bus';
import { createServices, type Services } from '../../main/services';
import { startWebServer, type WebServer } from '../../main/web/server';
import { appId } from '../../shared/app-model';
import type { Sample } from '../../shared/contract';

/**
 * Browser mode as main/web/cli.ts runs it (createServices + startWebServer, the built renderer),
 * with one thing added for the bench: the app the Scale tab is timed on gets the longest memory
 * history the model keeps, which a fresh process cannot have lived through. Its history is
 * replaced by 24 hours of samples: one a minute for 23 hours (folded by the model into its
 * 5-minute tier) and one every 5 seconds for the last hour (the full fine tier, 720 samples).
 * Prints the URL line as browser mode does.
 */

interface Config {
  kubeconfigPath: string;
  dataDir: string;
  rendererDir: string;
  /** The app whose history is filled: namespace/name and its processes. */
  fill: { namespace: string; app: string; processes: string[] };
}

const MIB = 1024 * 1024;
const HOUR = 60 * 60_000;

function fillHistory(services: Services, fill: Config['fill']): number {
  const live = services.session();
  if (!live) throw new Error('no live session to fill the history of');
  const id = appId(fill.namespace, fill.app);
  live.history.forget(id);
  const now = Date.now() - 1_000;
  let count = 0;
  const sampleAt = (at: number): Sample => {
    const memoryByProcess: Record<string, number> = {};
    fill.processes.forEach((process, index) => {
      // Ten replicas each; a daily wave and a faster ripple, different per process.
      const phase = (at / HOUR + index) * 0.26;
      const perReplica = (300 + 80 * index) * MIB * (1 + 0.25 * Math.sin(phase));
      memoryByProcess[process] = 10 * perReplica * (1 + 0.05 * Math.sin(at / 97_000 + index));
    });
    return { at, memoryByProcess, latencyMs: 40 + 10 * Math.sin(at / 600_000), errorRate: 0.001 };
  };
  for (let at = now - 24 * HOUR; at < now - HOUR; at += 60_000, count++)
    live.history.record(id, sampleAt(at));
  for (let at = now - HOUR + 5_000; at <= now; at += 5_000, count++)
    live.history.record(id, sampleAt(at));
  return count;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as Config;
  const bus = new EventBus();
  const services = await createServices({
    store: createConfStore(path.join(config.dataDir, 'config.json')),
    bus,
    mode: 'browser',
    version: 'bench',
    kubeconfigPath: config.kubeconfigPath,
    context: 'sandbox',
    dataDir: config.dataDir,
  });
  const connection = await services.ready;
  if (connection.state !== 'live') throw new Error(`not live: ${connection.error?.message}`);
  const server: WebServer = await startWebServer({
    handlers: services.handlers,
    bus,
    rendererDir: config.rendererDir,
    port: 0,
  });
  const samples = fillHistory(services, config.fill);
  const stop = async () => {
    await server.close();
    await services.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  console.log(`history filled: ${samples} samples`);
  console.log(`ScaleDesk is at ${server.url}`);
}

main().catch((error: unknown) => {
  console.error(`ScaleDesk: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
