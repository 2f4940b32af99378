import type { V1Pod } from '@kubernetes/client-node';
import { RESTARTED_AT_ANNOTATION } from '../../shared/app-model';
import type { Workload, WorkloadObject } from './workload';

function timeOf(value: Date | string | undefined | null): number | null {
  if (value === undefined || value === null) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isNaN(ms) ? null : ms;
}

/**
 * When the pod template running now was rolled out, from the pods: the pods of the newest
 * ReplicaSet (pod-template-hash; a StatefulSet's revision, controller-revision-hash) came up with
 * it, so the oldest of them is when that rollout began. Later restarts of containers do not move it; pods replaced since (a drained node) can,
 * which the Progressing condition bounds (see lastChangeOf).
 */
function templateRolloutAt(pods: readonly V1Pod[]): number | null {
  const byHash = new Map<string, { newest: number; oldest: number }>();
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const created = timeOf(pod.metadata?.creationTimestamp);
    if (created === null) continue;
    const labels = pod.metadata?.labels;
    const hash = labels?.['pod-template-hash'] ?? labels?.['controller-revision-hash'] ?? '';
    const seen = byHash.get(hash);
    if (!seen) byHash.set(hash, { newest: created, oldest: created });
    else {
      seen.newest = Math.max(seen.newest, created);
      seen.oldest = Math.min(seen.oldest, created);
    }
  }
  let current: { newest: number; oldest: number } | null = null;
  for (const group of byHash.values()) {
    if (current === null || group.newest > current.newest) current = group;
  }
  return current?.oldest ?? null;
}

/** When a Deployment's Progressing condition last moved (a StatefulSet has no such condition). */
function progressingAt(workload: WorkloadObject): number | null {
  const conditions: ReadonlyArray<{ type: string; lastUpdateTime?: Date }> =
    workload.status?.conditions ?? [];
  return timeOf(conditions.find((c) => c.type === 'Progressing')?.lastUpdateTime);
}

/**
 * When the app last changed, from the cluster's own record rather than from when ScaleDesk first
 * saw it: per workload, the rollout of the pod template running now (the earlier of its pods'
 * start and, for a Deployment, the Progressing condition's lastUpdateTime, which the controller
 * sets as a rollout progresses and completes), or the restartedAt annotation, or the workload's
 * creation; the newest over the app's workloads.
 *
 * Why the earlier of the two: on a real cluster the condition's time is when the last rollout
 * finished, a little after its pods started (and the right answer where those pods were replaced
 * since); a cluster whose controller came up after its workloads (the sandbox's seed, a restored
 * etcd) stamps the condition with its own start although the pods are days old. A change of
 * replicas alone leaves no time on the Deployment (its managedFields are not kept): the activity
 * log has those made here.
 */
export function lastChangeOf(
  workloads: readonly Workload[],
  podsOf: (workload: Workload) => readonly V1Pod[],
): string | null {
  let latest: number | null = null;
  for (const workload of workloads) {
    const { object } = workload;
    const conditionAt = progressingAt(object);
    const podsAt = templateRolloutAt(podsOf(workload));
    const rolloutAt =
      conditionAt !== null && podsAt !== null
        ? Math.min(conditionAt, podsAt)
        : (conditionAt ?? podsAt);
    const candidates = [
      rolloutAt,
      timeOf(object.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION]),
      timeOf(object.metadata?.creationTimestamp),
    ];
    for (const at of candidates) {
      if (at !== null && (latest === null || at > latest)) latest = at;
    }
  }
  return latest === null ? null : new Date(latest).toISOString();
}
