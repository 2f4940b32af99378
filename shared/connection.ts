import { z } from 'zod';

/**
 * The connection to a cluster as the renderer sees it: the kubeconfig's contexts, the state of
 * the session of one of them, whether the cluster serves memory figures, whether it throttles.
 * Part of the contract (shared/contract.ts re-exports it).
 */

export const ContextSchema = z.object({
  name: z.string(),
  cluster: z.string(),
  server: z.string(),
  user: z.string(),
  namespace: z.string().nullable(),
});
export type Context = z.infer<typeof ContextSchema>;

/**
 * Whether the cluster serves memory figures (the metrics API, from metrics-server): `absent` where
 * the API is not served at all (404: no metrics-server), `failing` where it answers with an error
 * (figures stop at `lastSampleAt` and are shown as stale), `forbidden` where the user may not read
 * it, `unknown` before the first read.
 */
export const MetricsAvailabilitySchema = z.object({
  state: z.enum(['unknown', 'ok', 'absent', 'failing', 'forbidden']),
  /** When the last good sample was read; null before one. */
  lastSampleAt: z.string().nullable(),
  /** What went wrong, for the admin (null when ok). */
  message: z.string().nullable(),
});
export type MetricsAvailability = z.infer<typeof MetricsAvailabilitySchema>;

export const ConnectionSchema = z.object({
  state: z.enum(['disconnected', 'connecting', 'live', 'stale', 'error']),
  context: z.string().nullable(),
  /** null: all namespaces the user may list. */
  namespace: z.string().nullable(),
  /** Where the kubeconfig came from; `sandbox` where there was none and the sandbox stands in. */
  source: z.enum(['kubeconfig', 'sandbox']),
  kubeconfigPaths: z.array(z.string()),
  server: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** When the model last matched the cluster. */
  syncedAt: z.string().nullable(),
  metrics: MetricsAvailabilitySchema,
  /** Since when the cluster has kept answering 429/503 (throttling); null when it is not. */
  throttledSince: z.string().nullable(),
});
export type Connection = z.infer<typeof ConnectionSchema>;
