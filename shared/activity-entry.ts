import { z } from 'zod';

/**
 * One entry of the activity log: a change made from ScaleDesk, what it set, how it ended and
 * the same change from a terminal. Part of the contract (shared/contract.ts re-exports it).
 */

export const ActivityEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  context: z.string().nullable(),
  namespace: z.string(),
  app: z.string(),
  process: z.string().nullable(),
  /**
   * autoscaler: an HPA's minimum and maximum, `from` and `to` as `2–5` (count-owner.ts);
   * memory-limit: a process's limit per replica; memory-default: a namespace's LimitRange default.
   */
  kind: z.enum([
    'replicas',
    'workers',
    'restart',
    'start',
    'autoscaler',
    'memory-limit',
    'memory-default',
  ]),
  from: z.union([z.number(), z.string(), z.null()]),
  to: z.union([z.number(), z.string(), z.null()]),
  /** superseded: a later change (ours or someone else's) replaced what this one set. */
  result: z.enum(['pending', 'done', 'failed', 'superseded']),
  message: z.string().nullable(),
  /** The same change from a terminal. */
  command: z.string(),
  /** Set on an entry that undid another. */
  undoOf: z.string().nullable(),
});
export type ActivityEntry = z.infer<typeof ActivityEntrySchema>;
