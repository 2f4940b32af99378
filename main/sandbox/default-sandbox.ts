import fs from 'node:fs';
import path from 'node:path';
import { ScaleDeskError } from '../../shared/errors';
import { startSandbox, type SandboxOptions } from '.';

/**
 * The newcomer's cluster: where there is no kubeconfig at all, ScaleDesk starts the sandbox
 * cluster in-process, writes its kubeconfig into ScaleDesk's data folder (never into
 * ~/.kube, which would make it look like the admin's own cluster next time) and connects to it;
 * the connection says so (source 'sandbox').
 */

export interface DefaultSandbox {
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startDefaultSandbox(
  dataDir: string,
  options: Omit<SandboxOptions, 'kubeconfigPath'> = {},
): Promise<DefaultSandbox> {
  const kubeconfigPath = path.join(dataDir, 'sandbox', 'kubeconfig');
  try {
    fs.mkdirSync(path.dirname(kubeconfigPath), { recursive: true });
    const sandbox = await startSandbox({ ...options, kubeconfigPath });
    return { kubeconfigPath: sandbox.kubeconfigPath, stop: () => sandbox.stop() };
  } catch (error) {
    throw new ScaleDeskError(
      'INTERNAL',
      `No kubeconfig was found, and the sandbox cluster could not start: ${(error as Error).message}`,
      { kubeconfigPath },
    );
  }
}
