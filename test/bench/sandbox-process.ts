import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxOptions } from '../../main/sandbox';

/** A sandbox cluster in a child process (./sandbox-child.ts), seen from the bench. */

export interface RequestCounts {
  total: number;
  byVerb: Record<string, number>;
}

export interface SandboxProcess {
  url: string;
  kubeconfigPath: string;
  /** The child's RSS right after start (MiB), for the report: memory not counted as ScaleDesk's. */
  startRssMiB: number;
  /** API requests the sandbox has served since it started (its own count). */
  requests(): Promise<RequestCounts>;
  /**
   * Waits for the Deployment `namespace/name` to be written with `replicas`; resolves once the
   * sandbox is listening for it, with `written`: when the store committed that write, in
   * wall-clock milliseconds (`performance.timeOrigin + performance.now()` of the sandbox).
   */
  awaitReplicas(
    namespace: string,
    name: string,
    replicas: number,
  ): Promise<{ written: Promise<number> }>;
  stop(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

export function startSandboxProcess(options: SandboxOptions): Promise<SandboxProcess> {
  const child: ChildProcess = fork(path.join(here, 'sandbox-child.ts'), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let pending: ((counts: RequestCounts) => void) | null = null;
  let listening: (() => void) | null = null;
  let written: ((at: number) => void) | null = null;

  return new Promise<SandboxProcess>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (code ${code})`)));
    child.on('message', (message: { type: string } & Record<string, unknown>) => {
      if (message.type === 'error')
        reject(new Error(`the sandbox failed: ${String(message.message)}`));
      if (message.type === 'requests') {
        pending?.(message as unknown as RequestCounts);
        pending = null;
      }
      if (message.type === 'awaiting-replicas') {
        listening?.();
        listening = null;
      }
      if (message.type === 'replicas-written') {
        written?.(Number(message.at));
        written = null;
      }
      if (message.type !== 'ready') return;
      resolve({
        url: String(message.url),
        kubeconfigPath: String(message.kubeconfigPath),
        startRssMiB: Number(message.rssMiB),
        requests: () =>
          new Promise<RequestCounts>((answer) => {
            pending = answer;
            child.send({ type: 'requests' });
          }),
        awaitReplicas: (namespace, name, replicas) =>
          new Promise<{ written: Promise<number> }>((ready) => {
            // Wrapped: a promise resolved with a promise would wait for it.
            const at = new Promise<number>((answer) => (written = answer));
            listening = () => ready({ written: at });
            child.send({ type: 'await-replicas', namespace, name, replicas });
          }),
        async stop() {
          if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}
