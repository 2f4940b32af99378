import { startSandbox, type SandboxOptions } from '../../main/sandbox';

/**
 * The sandbox cluster in a process of its own (forked by ./sandbox-process.ts), so what the
 * bench measures in ScaleDesk's process does not count the cluster's work or memory. Options come
 * as JSON in argv[2]; it answers request counts over IPC and stops when told.
 */

type Request = { type: 'requests' } | { type: 'stop' };

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
