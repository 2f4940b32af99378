import type { KubeConfig } from '@kubernetes/client-node';
import type { WorkloadKind } from '../../shared/app-model';
import { ScaleDeskError } from '../../shared/errors';
import type { ChangeTarget, LoggedChange } from '../store/activity-records';
import type { WorkloadObject } from '../model/workload';
import { readWorkload } from './cluster-writes';
import { differsFrom, kindOf, kindWord } from './rollout-verdict';

/**
 * A change's workloads read from the cluster it was made on, by kind and name: for a change
 * followed once its session is no longer the one connected, or judged with no session at all.
 */

/** A workload as the cluster has it now; null where it is gone. */
export async function readFromCluster(
  kubeConfig: KubeConfig,
  namespace: string,
  kind: WorkloadKind,
  name: string,
): Promise<WorkloadObject | null> {
  try {
    return await readWorkload({
      kubeConfig,
      context: kubeConfig.currentContext,
      namespace,
      kind,
      name,
    });
  } catch (error) {
    if (error instanceof ScaleDeskError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** Each target's workload read now: whether it has what the change set (null: it has). */
export async function readTargets(
  kubeConfig: KubeConfig,
  logged: LoggedChange,
): Promise<Array<{ target: ChangeTarget; instead: string | null }>> {
  const found: Array<{ target: ChangeTarget; instead: string | null }> = [];
  for (const target of logged.targets) {
    const kind = kindOf(target);
    const workload = await readFromCluster(
      kubeConfig,
      logged.entry.namespace,
      kind,
      target.deployment,
    );
    found.push({
      target,
      instead: workload
        ? differsFrom(workload, target)
        : `the ${kindWord(kind)} of ${target.process} is gone`,
    });
  }
  return found;
}
