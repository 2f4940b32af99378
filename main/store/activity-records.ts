import { z } from 'zod';
import { WorkloadKindSchema } from '../../shared/app-model';
import { ActivityEntrySchema } from '../../shared/contract';

/**
 * The activity log's records, one JSON object a line of its file: a `put` is an entry's whole
 * current state (the last one of an id wins), a `withdraw` removes an entry the cluster refused.
 * Reading tolerates what a crash leaves: a line cut short is counted and skipped.
 */

/** What a change sets on one workload: what to look for there to judge the change. */
export const ChangeTargetSchema = z.object({
  process: z.string(),
  /** The workload's name (a process's `deployment`, whatever its kind). */
  deployment: z.string(),
  /** Absent: a Deployment (entries logged before StatefulSets were scaled carry no kind). */
  kind: WorkloadKindSchema.optional(),
  replicas: z.number().int().optional(),
  /** The gunicorn worker count; null: none set (gunicorn's default). */
  workers: z.number().int().nullable().optional(),
  /** The pod template's restartedAt annotation a restart or start wrote. */
  restartedAt: z.string().optional(),
  /** A memory limit change: the container's limit it set (null: removed, the default applies). */
  memoryLimit: z.string().nullable().optional(),
  /**
   * A memory limit change: the container's limit and request before it (null: not set), what
   * its Undo puts back; `requestLowered`: the change lowered the request with the limit.
   */
  memoryBefore: z
    .object({
      limit: z.string().nullable(),
      request: z.string().nullable(),
      requestLowered: z.boolean(),
    })
    .optional(),
});
export type ChangeTarget = z.infer<typeof ChangeTargetSchema>;

/** An entry with what the log keeps beside it to follow it to its end. */
export const LoggedChangeSchema = z.object({
  entry: ActivityEntrySchema,
  /** The cluster it was made on; null: logged before clusters were told apart (by context). */
  cluster: z.string().nullable(),
  targets: z.array(ChangeTargetSchema),
  /** The entry's message once the change is done, e.g. `web runs 4 replicas.` */
  doneMessage: z.string().nullable(),
  /** The cluster answered the write. False: written before sending, no answer seen (yet). */
  sent: z.boolean(),
});
export type LoggedChange = z.infer<typeof LoggedChangeSchema>;

export const LineSchema = z.union([
  z.object({ put: LoggedChangeSchema }).strict(),
  /** A change the cluster refused: nothing of it happened, nothing to keep. */
  z.object({ withdraw: z.string() }).strict(),
]);
export type Line = z.infer<typeof LineSchema>;

/** The records of a log file's text, in order; lines that are not records are counted. */
export function parseLines(text: string): { lines: Line[]; unreadable: number } {
  const lines: Line[] = [];
  let unreadable = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      const parsed = LineSchema.safeParse(JSON.parse(raw));
      if (parsed.success) lines.push(parsed.data);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { lines, unreadable };
}

/** Folds records into the entries they leave, oldest first. */
export function fold(lines: readonly Line[], into: Map<string, LoggedChange> = new Map()) {
  for (const line of lines) {
    if ('withdraw' in line) into.delete(line.withdraw);
    else into.set(line.put.entry.id, line.put);
  }
  return into;
}
