import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { RESTARTED_AT_ANNOTATION } from '../../shared/app-model';

function timeOf(value: Date | string | undefined | null): number | null {
  if (value === undefined || value === null) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isNaN(ms) ? null : ms;
}

/**
 * When the pod template running now was rolled out, from the pods: the pods of the newest
 * ReplicaSet (pod-template-hash) came up with it, so the oldest of them is when that rollout
 * began. Later restarts of containers do not move it; pods replaced since (a drained node) can,
 * which the Progressing condition bounds (see lastChangeOf).
 */
function templateRolloutAt(pods: readonly V1Pod[]): number | null {
  const byHash = new Map<string, { newest: number; oldest: number }>();
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const created = timeOf(pod.metadata?.creationTimestamp);
    if (created === null) continue;
    const hash = pod.metadata?.labels?.['pod-template-hash'] ?? '';
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

/**
 * When the app last changed, from the cluster's own record rather than from when ScaleDesk first
 * saw it: per Deployment, the rollout of the pod template running now (the earlier of its pods'
 * start and the Progressing condition's lastUpdateTime, which the controller sets as a rollout
 * progresses and completes), or the restartedAt annotation, or the Deployment's creation; the
 * newest over the app's Deployments.
 *
 * Why the earlier of the two: on a real cluster the condition's time is when the last rollout
 * finished, a little after its pods started (and the right answer where those pods were replaced
 * since); a cluster whose controller came up after its workloads (the sandbox's seed, a restored
 * etcd) stamps the condition with its own start although the pods are days old. A change of
 * replicas alone leaves no time on the Deployment (its managedFields are not kept): the activity
 * log has those made here.
 */
export function lastChangeOf(
  deployments: readonly V1Deployment[],
  podsOf: (deployment: V1Deployment) => readonly V1Pod[],
): string | null {
  let latest: number | null = null;
  for (const deployment of deployments) {
    const progressing = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
    const conditionAt = timeOf(progressing?.lastUpdateTime);
    const podsAt = templateRolloutAt(podsOf(deployment));
    const rolloutAt =
      conditionAt !== null && podsAt !== null
        ? Math.min(conditionAt, podsAt)
        : (conditionAt ?? podsAt);
    const candidates = [
      rolloutAt,
      timeOf(deployment.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION]),
      timeOf(deployment.metadata?.creationTimestamp),
    ];
    for (const at of candidates) {
      if (at !== null && (latest === null || at > latest)) latest = at;
    }
  }
  return latest === null ? null : new Date(latest).toISOString();
}
