import { findCondition, setCondition } from './conditions';
import type { Condition, ReplicaSet } from './kube-types';

/**
 * What pausing changes in the deployment controller (upstream's checkPausedConditions and
 * sync): a paused Deployment reports Progressing=Unknown with reason DeploymentPaused, rolls
 * nothing (no new ReplicaSet for a new template, no old one scaled down) but still follows a
 * change of replicas on its one active ReplicaSet; a resumed one reports DeploymentResumed
 * until the rollout's own progress reasons take over.
 */

export const PAUSED_REASON = 'DeploymentPaused';
export const RESUMED_REASON = 'DeploymentResumed';

/**
 * The conditions after pausing or resuming, or undefined where nothing changes. A reported
 * lack of progress (ProgressDeadlineExceeded) is not overwritten, as upstream.
 */
export function pauseConditions(
  conditions: Condition[] | undefined,
  paused: boolean,
  now: string,
): Condition[] | undefined {
  const progressing = findCondition(conditions, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return undefined;
  const pausedNow = progressing?.reason === PAUSED_REASON;
  if (paused === pausedNow) return undefined;
  return setCondition(
    conditions,
    paused
      ? {
          type: 'Progressing',
          status: 'Unknown',
          reason: PAUSED_REASON,
          message: 'Deployment is paused',
        }
      : {
          type: 'Progressing',
          status: 'Unknown',
          reason: RESUMED_REASON,
          message: 'Deployment is resumed',
        },
    now,
    true,
  );
}

/**
 * The ReplicaSet a paused Deployment scales (upstream's FindActiveOrLatest): the only one with
 * replicas, else the new one or the latest; none where several are active mid-rollout.
 */
export function activeOrLatest(
  newRs: ReplicaSet | undefined,
  all: ReplicaSet[],
  revisionOf: (rs: ReplicaSet) => number,
): ReplicaSet | undefined {
  const active = all.filter((rs) => (rs.spec.replicas ?? 0) > 0);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  return newRs ?? [...all].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
}
