import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * ScaleDesk's main-process services in a process of their own (./services-child.ts), seen from
 * the bench: bundled as the app is, forked under plain `node --expose-gc`, asked over IPC.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

export interface ServicesChildConfig {
  kubeconfigPath: string;
  dataDir: string;
  metricsIntervalSeconds: number;
  expectedApps: number;
  /** The kubeconfig context (default `sandbox`, the admin). */
  context?: string;
}

/** The services child as one CommonJS bundle, as scripts/build-main.mjs bundles the app. */
export async function bundleServicesChild(outDir: string): Promise<string> {
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

export interface ChildHandle {
  ask<T>(type: string, answer: string): Promise<T>;
  synced: Promise<{
    state: string;
    error: string | null;
    apps: number;
    firstSyncMs: number | null;
  }>;
  stop(): Promise<void>;
}

/** `extraNodeArgs`: e.g. `--cpu-prof`, to profile the services where the bench measures them. */
export function startServicesChild(
  bundle: string,
  config: ServicesChildConfig,
  extraNodeArgs: string[] = [],
): ChildHandle {
  const child = fork(bundle, [JSON.stringify(config)], {
    execArgv: ['--expose-gc', ...extraNodeArgs],
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

/** The requests counted in `after` and not in `before`, by verb. */
export function difference(
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
