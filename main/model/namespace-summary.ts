import type { V1Pod } from '@kubernetes/client-node';
import type { NamespaceSummary, UnlistedPods } from '../../shared/namespace-summary';
import { podController } from './app-grouping';

/**
 * What a namespace (or every watched one) holds besides its apps, counted from the pods the
 * session watches: the pods that are no process's replica, by the kind of their controller
 * (a DaemonSet, a Job, a ReplicaSet whose Deployment is not there, ...) or as bare pods. Read on
 * request (the empty app list asks), so it costs nothing while apps are listed.
 */
export interface SummaryInput {
  /** null: every namespace the session watches. */
  namespace: string | null;
  pods: Iterable<V1Pod>;
  /** Deployments and StatefulSets in the namespace (each is in an app). */
  workloads: number;
  /** Whether the pod is a replica of a listed process. */
  listed: (pod: V1Pod) => boolean;
  statefulSetsUnreadable: boolean;
}

export function summarizeNamespace(input: SummaryInput): NamespaceSummary {
  const byKind = new Map<string | null, { owners: Set<string>; pods: number }>();
  let pods = 0;
  for (const pod of input.pods) {
    if (input.namespace !== null && pod.metadata?.namespace !== input.namespace) continue;
    pods++;
    if (input.listed(pod)) continue;
    const controller = podController(pod);
    const kind = controller?.kind ?? null;
    let entry = byKind.get(kind);
    if (!entry) {
      entry = { owners: new Set(), pods: 0 };
      byKind.set(kind, entry);
    }
    entry.pods++;
    if (controller) entry.owners.add(`${pod.metadata?.namespace ?? ''}/${controller.name}`);
  }
  const unlisted: UnlistedPods[] = [...byKind]
    .map(([kind, entry]) => ({ kind, owners: entry.owners.size, pods: entry.pods }))
    // Most pods first; bare pods after owned ones at a tie; then by kind, for a stable sentence.
    .sort(
      (a, b) =>
        b.pods - a.pods ||
        Number(a.kind === null) - Number(b.kind === null) ||
        (a.kind ?? '').localeCompare(b.kind ?? ''),
    );
  return {
    namespace: input.namespace,
    workloads: input.workloads,
    pods,
    unlisted,
    statefulSetsUnreadable: input.statefulSetsUnreadable,
  };
}
