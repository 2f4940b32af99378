import type { KubeConfig } from '@kubernetes/client-node';
import type { Process, WorkloadKind } from '../../shared/app-model';
import type { KubectlTarget } from '../../shared/kubectl-command';
import type { SessionPort } from './session-port';

/**
 * The names an operation acts on and reports with: the workload to write (a Deployment or a
 * StatefulSet, with the client configuration of the session's context), the `--context`/`-n` of
 * the same change from a terminal, and the pods there are before the change.
 */

export interface WorkloadRef {
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
  kind: WorkloadKind;
  name: string;
}

/** The workload a process of the app in `namespace` is. */
export function workloadRef(
  session: SessionPort,
  namespace: string,
  process: Pick<Process, 'workloadKind' | 'deployment'>,
): WorkloadRef {
  return {
    kubeConfig: session.kubeConfig,
    context: session.contextName,
    namespace,
    kind: process.workloadKind,
    name: process.deployment,
  };
}

export function kubectlTarget(session: SessionPort, namespace: string): KubectlTarget {
  return { context: session.contextName, namespace };
}

/** The names of the pods of a process now, so new ones can be told apart while tracking. */
export function podNames(process: Process): Set<string> {
  return new Set(process.pods.map((p) => p.name));
}
