import { plural } from './format';

/**
 * Whether a Deployment's rollout is done, as `kubectl rollout status` judges it, with the reason
 * where it is stuck: the progress deadline passed, or the ReplicaSet could not create pods (a
 * quota, for one). One reading for the app model (the rollout a process card shows) and for the
 * operations that follow a change to its end, so both tell the same story in the same words.
 *
 * Plain structural types, not client-node's: shared/ runs in the renderer too.
 */

interface DeploymentCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The fields of a Deployment the judgement reads (a client-node V1Deployment is one). */
export interface DeploymentRollout {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: readonly DeploymentCondition[];
  };
}

/** A Rollout whose message is there exactly when the rollout is not complete. */
export type RolloutJudgement =
  | { state: 'complete'; progress: 1; message: null }
  | { state: 'progressing' | 'failed'; progress: number; message: string };

/** What a rollout says before the cluster has acted on the change. */
export function waitingForCluster(process?: string): string {
  return `Waiting for the cluster to act on ${process ?? 'the change'}.`;
}

/**
 * The rollout of `deployment`. `process` names the process in the messages, for texts read away
 * from its card (the activity log); without it they speak of "the rollout" and "new pods".
 *
 * Progress is the share of desired replicas updated and available, below 1 until complete. A
 * scale to zero has no such share: it stays at 0 until the last old replica is gone.
 */
export function rolloutOf(deployment: DeploymentRollout, process?: string): RolloutJudgement {
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  const conditions = status.conditions ?? [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const share = desired === 0 ? (total === 0 ? 1 : 0) : Math.min(updated, available) / desired;
  const progress = Math.min(Number.isFinite(share) ? Math.max(0, share) : 0, 0.99);

  // Until the controller has seen the object's own generation, the counts are of the previous one
  // (and so is any failure condition).
  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { state: 'progressing', progress: 0, message: waitingForCluster(process) };
  }
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    // The ReplicaSet's failure, where there is one, says why better than "timed out progressing".
    const why = failure?.message ?? progressing.message ?? 'the rollout stalled';
    return {
      state: 'failed',
      progress,
      message: `The rollout${of(process)} passed its progress deadline: ${why.replace(/\.$/, '')}.`,
    };
  }
  const pending =
    updated < desired
      ? `${updated} of ${desired} new replicas started.`
      : total > updated
        ? `${plural(total - updated, 'old replica')} stopping.`
        : available < updated
          ? `${available} of ${updated} new replicas ready.`
          : null;
  if (pending === null) return { state: 'complete', progress: 1, message: null };
  if (failure) return { state: 'failed', progress, message: replicaFailure(failure, process) };
  return { state: 'progressing', progress, message: process ? `${process}: ${pending}` : pending };
}

/** Why new pods could not be created, the namespace quota named where it is the cause. */
function replicaFailure(failure: DeploymentCondition, process: string | undefined): string {
  const said = failure.message ?? failure.reason ?? 'pods could not be created';
  return /quota/i.test(said)
    ? `The namespace pod quota refused new pods${of(process)}: ${said}`
    : `New pods${of(process)} could not be created: ${said}`;
}

function of(process: string | undefined): string {
  return process ? ` of ${process}` : '';
}
