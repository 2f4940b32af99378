import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Services } from '../services';
import { parseWebArgs, UsageError, USAGE, type WebArgs } from './args';
import type { WebServer } from './server';

/**
 * `npm run web -- [--port P] [--kubeconfig PATH] [--context NAME] [--data-dir DIR]`
 * Browser mode: the same services as the desktop app, served to a browser tab on 127.0.0.1.
 * Prints exactly one line on success, the URL to open (its access token in the fragment, which
 * the browser never sends to any server; the page keeps it for the tab); errors go to
 * stderr as one line each, without a stack trace.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function packageVersion(): string {
  const parsed: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const version = (parsed as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

function fail(message: string, exitCode = 1): never {
  console.error(`ScaleDesk: ${message}`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  let args: WebArgs;
  try {
    args = parseWebArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message}\n${USAGE}`, 2);
    throw error;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }

  // Another build of the renderer may be served instead (development, tests).
  const rendererDir = path.resolve(
    process.env.SCALEDESK_RENDERER_DIR ?? path.join(repoRoot, 'dist', 'renderer'),
  );
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    fail(`the renderer is not built (${rendererDir}); run "npm run build:renderer" first.`);
  }

  // Loaded only now: a usage error or --help answers at once, without the cluster client.
  const [
    { createConfStore, defaultDataDir, storeFileIn },
    { EventBus },
    { createServices },
    { startWebServer },
  ] = await Promise.all([
    import('../store/conf-store'),
    import('../transport/event-bus'),
    import('../services'),
    import('./server'),
  ]);
  const bus = new EventBus();
  let services: Services | undefined;
  let server: WebServer | undefined;
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) process.exit(exitCode); // a second Ctrl-C does not wait
    stopping = true;
    // Stopping may hang on a cluster that no longer answers; never keep the terminal hostage.
    setTimeout(() => process.exit(exitCode || 1), 10_000).unref();
    await server?.close();
    await services?.stop();
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const store = createConfStore(storeFileIn(args.dataDir ?? defaultDataDir()));
    services = await createServices({
      store,
      bus,
      mode: 'browser',
      version: packageVersion(),
      ...(args.kubeconfigPath !== undefined && { kubeconfigPath: args.kubeconfigPath }),
      ...(args.context !== undefined && { context: args.context }),
    });
    server = await startWebServer({
      handlers: services.handlers,
      bus,
      rendererDir,
      port: args.port,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'EADDRINUSE'
        ? `port ${args.port} is in use; choose another with --port, or leave it out for a free one.`
        : error instanceof Error
          ? error.message
          : String(error);
    console.error(`ScaleDesk: ${message}`);
    await stop(1);
    return;
  }
  console.log(`ScaleDesk is at ${server.url}`);
}

await main();
