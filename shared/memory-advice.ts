import { z } from 'zod';

/**
 * Advice from the memory history kept (`app.memoryAdvice`): a recommended limit per process, as
 * right-sizing tools (Robusta KRR, Goldilocks) compute it, the peak over the window plus headroom
 * rounded up to a round quantity; and the worker counts that fit.
 */

export const ProcessMemoryAdviceSchema = z.object({
  process: z.string(),
  /** The highest memory of one replica over the window; null: no samples. */
  peakBytes: z.number().nonnegative().nullable(),
  /** How much history the advice rests on (ms); under a day is said as a warning. */
  windowMs: z.number().nonnegative(),
  /** The recommended limit per replica; null: no samples to rest it on. */
  recommendedLimitBytes: z.number().positive().nullable(),
  /** The recommended limit as a quantity (`12Gi`), for the editor. */
  recommendedLimit: z.string().nullable(),
  /** raise / lower against the limit now; keep where within the rounding. */
  direction: z.enum(['raise', 'lower', 'keep']).nullable(),
  /** gunicorn processes only. */
  workers: z
    .object({
      /** Memory per worker measured now; null: not measured (or the count is the config file's). */
      perWorkerBytes: z.number().nonnegative().nullable(),
      /** The most workers that fit under the limit with the headroom; null: not known. */
      fitCount: z.number().int().nonnegative().nullable(),
      /** CPU cores the rule of thumb rests on (the container's CPU limit, else the node's cores). */
      cores: z.number().positive().nullable(),
      /** 2 to 4 workers per core (the seeds' rule of thumb). */
      perCoreRange: z.tuple([z.number().int(), z.number().int()]).nullable(),
    })
    .nullable(),
});
export type ProcessMemoryAdvice = z.infer<typeof ProcessMemoryAdviceSchema>;

export const AppMemoryAdviceSchema = z.object({
  /** The headroom used (the `recommendationHeadroom` setting). */
  headroom: z.number(),
  processes: z.array(ProcessMemoryAdviceSchema),
});
export type AppMemoryAdvice = z.infer<typeof AppMemoryAdviceSchema>;
