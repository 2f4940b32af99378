import { startSandbox, type SandboxOptions } from '../../main/sandbox';

/**
 * The sandbox cluster in a process of its own (forked by ./sandbox-process.ts), so what the
 * bench measures in ScaleDesk's process does not count the cluster's work or memory. Options come
 * as JSON in argv[2]; it answers request counts over IPC, tells when a Deployment's count it was
 * asked to wait for was written (and when, by its clock), and stops when told.
 */

type Request =
  | { type: 'requests' }
  | { type: 'stop' }
  | { type: 'await-replicas'; namespace: string; name: string; replicas: number };

/**
 * The wall-clock time now with sub-millisecond resolution, comparable across processes on this
 * machine (Chromium's page reckons its own the same way: timeOrigin + now()).
 */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SandboxOptions;
  const sandbox = await startSandbox(options);
  const send = (message: unknown) => process.send?.(message);
  process.on('message', (message: Request) => {
    if (message.type === 'requests') {
      send({
        type: 'requests',
        total: sandbox.requestCount(),
        byVerb: sandbox.requestCountsByVerb(),
      });
    } else if (message.type === 'await-replicas') {
      // The moment the store commits the Deployment with the new count: the API server has
      // accepted the write (kubectl's own start and the response's way back are not counted).
      const off = sandbox.onStoreEvent((event) => {
        if (event.key !== 'apps/deployments' || event.namespace !== message.namespace) return;
        const object = event.object as {
          metadata?: { name?: string };
          spec?: { replicas?: number };
        };
        if (object.metadata?.name !== message.name) return;
        if (object.spec?.replicas !== message.replicas) return;
        off();
        send({ type: 'replicas-written', at: epochMs() });
      });
      send({ type: 'awaiting-replicas' });
    } else if (message.type === 'stop') {
      void sandbox.stop().then(() => process.exit(0));
    }
  });
  // Orphaned (the bench died): do not linger.
  process.on('disconnect', () => void sandbox.stop().then(() => process.exit(0)));
  send({
    type: 'ready',
    url: sandbox.url,
    kubeconfigPath: sandbox.kubeconfigPath,
    rssMiB: process.memoryUsage().rss / 1024 ** 2,
  });
}

main().catch((error: unknown) => {
  process.send?.({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
  });
  process.exit(1);
});
