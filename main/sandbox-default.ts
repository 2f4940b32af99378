import { ScaleDeskError } from '../shared/errors';

/**
 * The newcomer's cluster: where there is no kubeconfig at all, ScaleDesk starts the sandbox
 * cluster in-process and connects to it, and says so (connection.source = 'sandbox').
 */

export interface DefaultSandbox {
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startDefaultSandbox(dataDir: string): Promise<DefaultSandbox> {
  throw new ScaleDeskError(
    'NOT_CONNECTED',
    `No kubeconfig was found and the sandbox cluster is not available yet (data dir ${dataDir}).`,
  );
}
