import type { WorkloadKind } from './app-model';
import { plural } from './format';

/**
 * Whether a workload's rollout is done, as `kubectl rollout status` judges it, with the reason
 * where it is stuck: for a Deployment, the progress deadline passed, or the ReplicaSet could not
 * create pods (a quota, for one); for a StatefulSet (which has no deadline), its pods ready and
 * updated to its update revision. One reading for the app model (the rollout a process card
 * shows) and for the operations that follow a change to its end, so both tell the same story in
 * the same words.
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

/** The fields of a StatefulSet the judgement reads (a client-node V1StatefulSet is one). */
export interface StatefulSetRollout {
  metadata?: { generation?: number };
  spec?: {
    replicas?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/**
 * The kind of a workload read from its fields alone, for callers that hold the object but not
 * its kind (objects in a list carry no `kind`): only a StatefulSet has an update strategy (the
 * API server defaults one) or revisions in its status.
 */
export function workloadKindOf(workload: DeploymentRollout | StatefulSetRollout): WorkloadKind {
  const read: StatefulSetRollout = workload;
  return read.spec?.updateStrategy !== undefined ||
    read.status?.updateRevision !== undefined ||
    read.status?.currentRevision !== undefined
    ? 'StatefulSet'
    : 'Deployment';
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
 * The rollout of a Deployment or StatefulSet (`kind`; read from its fields where not given).
 * `process` names the process in the messages, for texts read away from its card (the activity
 * log); without it they speak of "the rollout" and "new pods".
 */
export function rolloutOf(
  workload: DeploymentRollout | StatefulSetRollout,
  process?: string,
  kind: WorkloadKind = workloadKindOf(workload),
): RolloutJudgement {
  return kind === 'StatefulSet'
    ? statefulSetRolloutOf(workload, process)
    : deploymentRolloutOf(workload, process);
}

/** Below 1 until complete; a scale to zero stays at 0 until the last old replica is gone. */
function progressOf(desired: number, done: number, total: number): number {
  const share = desired === 0 ? (total === 0 ? 1 : 0) : done / desired;
  return Math.min(Number.isFinite(share) ? Math.max(0, share) : 0, 0.99);
}

/**
 * A Deployment's rollout. Progress is the share of desired replicas updated and available.
 */
export function deploymentRolloutOf(
  deployment: DeploymentRollout,
  process?: string,
): RolloutJudgement {
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  const conditions = status.conditions ?? [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const progress = progressOf(desired, Math.min(updated, available), total);

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

/**
 * A StatefulSet's rollout, as kubectl's StatefulSetStatusViewer judges it: the controller has seen
 * the change, every desired replica is ready, and as many are updated to the update revision as
 * the rolling update's partition asks (without a `rollingUpdate`, the current revision is the
 * update revision). Replicas past the desired count still running are a scale-down in progress,
 * as for a Deployment. With the `OnDelete` strategy pods are replaced only when someone deletes
 * them, so only readiness is judged. A StatefulSet has no progress deadline: it is never judged
 * failed here (its pods' crash loops are: rollout-progress's podFailure). Progress is the share of
 * desired replicas updated and ready.
 */
export function statefulSetRolloutOf(set: StatefulSetRollout, process?: string): RolloutJudgement {
  const desired = set.spec?.replicas ?? 1;
  const status = set.status ?? {};
  const ready = status.readyReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const strategy = set.spec?.updateStrategy;
  const onDelete = strategy?.type === 'OnDelete';
  const progress = progressOf(desired, onDelete ? ready : Math.min(updated, ready), total);

  if ((set.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { state: 'progressing', progress: 0, message: waitingForCluster(process) };
  }
  const pending = statefulSetPending(set, { desired, ready, updated, total });
  if (pending === null) return { state: 'complete', progress: 1, message: null };
  return { state: 'progressing', progress, message: process ? `${process}: ${pending}` : pending };
}

/** What a StatefulSet's rollout still waits for (see statefulSetRolloutOf); null: nothing. */
function statefulSetPending(
  set: StatefulSetRollout,
  counts: { desired: number; ready: number; updated: number; total: number },
): string | null {
  const { desired, ready, updated, total } = counts;
  const strategy = set.spec?.updateStrategy;
  if (total > desired) return `${plural(total - desired, 'replica')} stopping.`;
  if (ready < desired) return `${ready} of ${desired} replicas ready.`;
  if (strategy?.type === 'OnDelete') return null;
  if (strategy?.rollingUpdate !== undefined) {
    const partition = Math.min(desired, Math.max(0, strategy.rollingUpdate.partition ?? 0));
    const toUpdate = desired - partition;
    return updated < toUpdate ? `${updated} of ${toUpdate} replicas updated.` : null;
  }
  const status = set.status ?? {};
  return status.updateRevision !== status.currentRevision
    ? `${updated} of ${desired} replicas updated.`
    : null;
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
