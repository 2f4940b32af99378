import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runFaultCommand } from './fault-commands';
import { startSandbox } from './sandbox-cluster';

/**
 * `npm run sandbox -- [--port P] [--kubeconfig PATH] [--apps N [--namespaces M]] [--metrics-interval S]`:
 * starts the sandbox cluster, prints where its kubeconfig is, takes fault commands on stdin
 * (fault-commands.ts), and runs until SIGINT or SIGTERM.
 */

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run sandbox -- [--port P] [--kubeconfig PATH] [--apps N [--namespaces M]] [--metrics-interval SECONDS] [--no-seed]`,
  );
  process.exit(2);
}

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) usage(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        kubeconfig: { type: 'string' },
        apps: { type: 'string' },
        namespaces: { type: 'string' },
        'metrics-interval': { type: 'string' },
        'ready-delay-ms': { type: 'string' },
        'no-seed': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  const port = nonNegativeInt('port', values.port, 0);
  if (port > 65535) usage('--port must be at most 65535');
  const intervalText = values['metrics-interval'];
  let metricsIntervalMs = 15_000;
  if (intervalText !== undefined) {
    const seconds = Number(intervalText);
    if (!Number.isFinite(seconds) || seconds <= 0)
      usage(`--metrics-interval must be a positive number of seconds, got "${intervalText}"`);
    metricsIntervalMs = Math.round(seconds * 1000);
  }
  const namespaces =
    values.namespaces === undefined
      ? undefined
      : nonNegativeInt('namespaces', values.namespaces, 0);
  if (namespaces === 0) usage('--namespaces must be at least 1');
  const sandbox = await startSandbox({
    port,
    kubeconfigPath: values.kubeconfig,
    apps: nonNegativeInt('apps', values.apps, 0),
    namespaces,
    seed: !values['no-seed'],
    metricsIntervalMs,
    readyDelayMs: nonNegativeInt('ready-delay-ms', values['ready-delay-ms'], 1500),
  });
  console.log(`sandbox cluster ready: kubeconfig at ${sandbox.kubeconfigPath}`);
  console.log(
    `listening on ${sandbox.url} (try: KUBECONFIG=${sandbox.kubeconfigPath} kubectl get deployments -A)`,
  );
  console.log('fault commands on stdin: type help');
  // Not a terminal interface: Ctrl-C stays the terminal's SIGINT, which stops the sandbox.
  const commands = createInterface({ input: process.stdin, terminal: false });
  commands.on('line', (line) => {
    runFaultCommand(sandbox, line).then(
      (reply) => {
        if (reply) console.log(reply);
      },
      (error: unknown) => console.error(error instanceof Error ? error.message : String(error)),
    );
  });
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error('sandbox failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
