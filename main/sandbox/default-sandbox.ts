import { startSandbox } from './sandbox-cluster';

/**
 * The newcomer's cluster, as the product starts it where there is no kubeconfig at all: the
 * sandbox with its defaults, its kubeconfig written (folders and all) at the path the product
 * chose. The handle is deliberately narrow: the fault hooks of `Sandbox`
 * (faults, triggerOom, scrapeMetrics, restart) are for tests and the CLI, never for the app.
 */

export interface DefaultSandbox {
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startDefaultSandbox(kubeconfigPath: string): Promise<DefaultSandbox> {
  const sandbox = await startSandbox({ kubeconfigPath });
  return { kubeconfigPath: sandbox.kubeconfigPath, stop: () => sandbox.stop() };
}
