import { z } from 'zod';
import { PermissionSchema, type Process } from './app-model';

/**
 * A namespace's default memory limit (its LimitRange's `default` and `defaultRequest` for
 * containers), who may change it, and the apps running on it: they take a new default only when
 * their pods are replaced (Restart, or Start for a stopped app).
 */

/**
 * A process that sets no memory limit of its own (neither its running pods nor a new one): the
 * namespace default (or the built-in one) applies to it, and a new default reaches it when its
 * pods are replaced.
 */
export function runsOnNamespaceDefault(process: Pick<Process, 'memoryLimit'>): boolean {
  const { source, next } = process.memoryLimit;
  return source !== 'container' && (next === null || next.source !== 'container');
}

export const AppOnDefaultSchema = z.object({
  app: z.string(),
  /** Its processes whose containers set no limit of their own. */
  processes: z.array(z.string()),
  /** The default their running pods were given (the default when they started). */
  runningBytes: z.number().positive(),
});
export type AppOnDefault = z.infer<typeof AppOnDefaultSchema>;

export const NamespaceMemoryDefaultsSchema = z.object({
  namespace: z.string(),
  /** The LimitRange that sets the default; null: none does (the built-in 8 GiB applies). */
  limitRange: z.string().nullable(),
  /** Its resourceVersion, the guard for writes; null: no LimitRange. */
  resourceVersion: z.string().nullable(),
  defaultBytes: z.number().positive().nullable(),
  defaultRequestBytes: z.number().positive().nullable(),
  /** update (or create) limitranges in the namespace. */
  permission: PermissionSchema,
  appsOnDefault: z.array(AppOnDefaultSchema),
});
export type NamespaceMemoryDefaults = z.infer<typeof NamespaceMemoryDefaultsSchema>;
