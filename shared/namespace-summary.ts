import { z } from 'zod';
import { plural } from './format';

/**
 * What a namespace holds that ScaleDesk does not list, so an empty app list says why instead of
 * "No apps": pods whose controller is a DaemonSet, a Job, a ReplicaSet of no Deployment, pods of
 * nobody. Main counts them from the pods it watches (model/namespace-summary.ts); the sentence
 * is said here, once, for the renderer's empty state and for tests.
 */

export const UnlistedPodsSchema = z.object({
  /**
   * The kind of the pods' controller (`DaemonSet`, `Job`, `ReplicaSet`, `Node` for static pods,
   * ...); null: no controller at all (a bare pod, as `kubectl run` makes it).
   */
  kind: z.string().nullable(),
  /** How many controllers of that kind the pods belong to (0 for bare pods). */
  owners: z.number().int().nonnegative(),
  pods: z.number().int().nonnegative(),
});
export type UnlistedPods = z.infer<typeof UnlistedPodsSchema>;

export const NamespaceSummarySchema = z.object({
  /** The namespace summed up; null: every namespace the session watches. */
  namespace: z.string().nullable(),
  /** Deployments and StatefulSets: each of them is in an app. */
  workloads: z.number().int().nonnegative(),
  /** Every pod, listed in an app or not. */
  pods: z.number().int().nonnegative(),
  /** Pods in no app, by the kind of their controller, most pods first. */
  unlisted: z.array(UnlistedPodsSchema),
  /**
   * StatefulSets could not be read (the user may not list them, or the cluster does not serve
   * them): their pods are among the unlisted, as pods of a StatefulSet.
   */
  statefulSetsUnreadable: z.boolean(),
});
export type NamespaceSummary = z.infer<typeof NamespaceSummarySchema>;

const LISTED = 'ScaleDesk lists Deployments and StatefulSets.';

function withArticle(kind: string): string {
  return `${/^[AEIOU]/i.test(kind) ? 'an' : 'a'} ${kind}`;
}

function phrase({ kind, owners, pods }: UnlistedPods): string {
  if (kind === null) return `${plural(pods, 'bare pod')} (no owner)`;
  const of = owners <= 1 ? withArticle(kind) : plural(owners, kind);
  return `${plural(pods, 'pod')} of ${of}`;
}

function joined(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * Why a namespace with no apps has none, in one or two sentences: "Found 3 pods of a DaemonSet
 * and 1 bare pod (no owner); ScaleDesk lists Deployments and StatefulSets." `where` names the
 * place ("in this namespace").
 */
export function whyNoApps(summary: NamespaceSummary, where = 'here'): string {
  const unreadable = summary.statefulSetsUnreadable
    ? ' StatefulSets could not be read (not allowed, or not served): their pods are counted as unlisted.'
    : '';
  if (summary.pods === 0 && summary.workloads === 0) {
    return `No Deployments, StatefulSets or pods ${where}. ${LISTED}${unreadable}`;
  }
  const found = summary.unlisted.filter((entry) => entry.pods > 0).map(phrase);
  if (found.length === 0) return `${LISTED}${unreadable}`;
  return `Found ${joined(found)} ${where}; ${LISTED}${unreadable}`;
}
