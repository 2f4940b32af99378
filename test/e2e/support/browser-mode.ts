import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Browser mode (`npm run web`) as a child process, the way an admin runs it, for the tests
 * that drive it from outside:
 *
 *   const sandbox = await startSandbox();                       // main/sandbox
 *   const mode = await startBrowserMode({ kubeconfigPath: sandbox.kubeconfigPath });
 *   // mode.url is the printed URL, token included: open it in Chromium (./chromium.ts)
 *   await mode.stop();                                          // SIGTERM, as Ctrl-C would
 *
 * It runs main/web/cli.ts with tsx directly (not through npm, which would rebuild the
 * renderer): the renderer must be built already, as `npm run test:e2e` does first. Settings go
 * to a fresh temporary data folder unless `dataDir` is given, so tests never touch the user's.
 */

export const REPO_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
);

export interface BrowserModeOptions {
  /** Passed as --kubeconfig. Without it, the services look at KUBECONFIG and ~/.kube/config. */
  kubeconfigPath?: string;
  /** Passed as --context. */
  context?: string;
  /** Passed as --port; 0 (a free port) by default. */
  port?: number;
  /** Passed as --data-dir; a temporary folder, removed on stop, by default. */
  dataDir?: string;
  /** Extra environment for the child (e.g. SCALEDESK_RENDERER_DIR). */
  env?: Record<string, string | undefined>;
  /** How long to wait for the URL line. */
  readyTimeoutMs?: number;
}

export interface BrowserMode {
  /** The URL printed, with the token: what an admin opens. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  token: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once the process has exited. */
  stop(): Promise<number | null>;
}

const URL_LINE = /^ScaleDesk is at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))$/m;

export function startBrowserMode(options: BrowserModeOptions = {}): Promise<BrowserMode> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'scaledesk-data-'));
  const args = ['--import', 'tsx', 'main/web/cli.ts', '--port', String(options.port ?? 0)];
  args.push('--data-dir', dataDir);
  if (options.kubeconfigPath !== undefined) args.push('--kubeconfig', options.kubeconfigPath);
  if (options.context !== undefined) args.push('--context', options.context);

  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const cleanUp = () => {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await exited;
    cleanUp();
    return code;
  };

  return new Promise<BrowserMode>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`browser mode printed no URL within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = URL_LINE.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const [, url, port, token] = match as unknown as [string, string, string, string];
      resolve({
        url,
        origin: `http://127.0.0.1:${port}`,
        port: Number(port),
        token,
        child,
        output: () => output,
        stop,
      });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      cleanUp();
      reject(new Error(`browser mode exited (code ${code}) before printing its URL:\n${output}`));
    });
  });
}
