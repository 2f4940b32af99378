import type { ActivityEntry } from './contract';

/**
 * Which changes in the activity log Undo is offered for. Main and the renderer read the failure
 * of a change whose new pods were OOMKilled by the same words, so the entry's message says it.
 */

/** Starts the message of a change whose new pods were OOMKilled after it (rollout-verdict.ts). */
export const OOM_AFTER_CHANGE = 'OOMKilled after the change';

const UNDOABLE_KINDS: ReadonlySet<ActivityEntry['kind']> = new Set([
  'replicas',
  'workers',
  'autoscaler',
  'memory-limit',
  'memory-default',
]);

/** A kind of change that can be undone (a restart or a start cannot). */
export function isUndoableKind(kind: ActivityEntry['kind']): boolean {
  return UNDOABLE_KINDS.has(kind);
}

/**
 * An outcome Undo is offered for: done, or failed because its new pods were OOMKilled after it:
 * what it set is still on the cluster, and going back is the admin's quickest way out.
 */
export function undoableOutcome(entry: Pick<ActivityEntry, 'result' | 'message'>): boolean {
  if (entry.result === 'done') return true;
  return entry.result === 'failed' && (entry.message?.startsWith(OOM_AFTER_CHANGE) ?? false);
}
