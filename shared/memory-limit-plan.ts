import { z } from 'zod';

/**
 * What a new memory limit per replica would do, worked out in main before anything is sent
 * (`process.planMemoryLimit`) and shown in the limit editor; `process.setMemoryLimit` refuses
 * what this refuses, by the same reading.
 */

/**
 * A memory quantity as the admin types it (`12Gi`, `512Mi`, `8G`, bytes): Kubernetes' quantity
 * syntax only; its value is read in main with the client library's parser (model/memory-limits.ts)
 * and bounded there (more than 0, not more than any node has).
 */
export const MemoryQuantitySchema = z
  .string({ error: 'A memory limit must be a quantity such as 12Gi or 512Mi.' })
  .trim()
  .max(32, { error: 'A memory limit must be a quantity such as 12Gi or 512Mi.' })
  .regex(/^(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[kMGTPE]|[eE][+-]?\d+)?$/, {
    error:
      'A memory limit must be a Kubernetes quantity such as 12Gi, 512Mi or 8G (binary Ki, Mi, Gi; decimal k, M, G), without spaces or "GB".',
  });

export const MemoryLimitPlanSchema = z.object({
  /** The limit as it will be written (the admin's quantity, as Kubernetes spells it). */
  limit: z.string(),
  limitBytes: z.number().positive(),
  /** The limit per replica the running pods have now. */
  currentBytes: z.number().positive(),
  /** The memory request per replica after the change; null: none set (then the limit is reserved). */
  requestBytes: z.number().nonnegative().nullable(),
  /** The request would have passed the new limit, so it is lowered to it. */
  requestLowered: z.boolean(),
  /** The app's maximum (every replica's limit summed) after the change. */
  appMaxBytes: z.number().nonnegative(),
  /** Replicas the change replaces (the process's pods are rolled). */
  replacesPods: z.number().int().nonnegative(),
  /**
   * Whether one replica still fits on some node: allocatable memory less what is requested there.
   * null where nodes cannot be read.
   */
  fitsNode: z.object({ fits: z.boolean(), largestFreeBytes: z.number().nonnegative() }).nullable(),
  /** The namespace ResourceQuota on limits.memory / requests.memory after the change; null: none. */
  quota: z
    .object({
      resource: z.enum(['limits.memory', 'requests.memory']),
      usedBytes: z.number().nonnegative(),
      hardBytes: z.number().nonnegative(),
      /** What the process would use of it after the change, all replicas replaced. */
      afterBytes: z.number().nonnegative(),
      fits: z.boolean(),
    })
    .nullable(),
  /** ScaleDesk predicts a replica will pass this limit (measured memory now, or its history's peak). */
  predictedOverLimit: z.boolean(),
  /** Sentences for the editor, e.g. why the request is lowered or what does not fit. */
  notes: z.array(z.string()),
  /** The same change from a terminal (`kubectl set resources ...`). */
  command: z.string(),
});
export type MemoryLimitPlan = z.infer<typeof MemoryLimitPlanSchema>;
