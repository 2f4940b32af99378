import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { WorkloadKindSchema } from '../../shared/app-model';
import { ActivityEntrySchema, type ActivityEntry } from '../../shared/contract';
import type { EventBus } from '../transport/event-bus';
import { STALE_TEMP_FILE_MS, STORE_FILE_MODE } from './conf-store';
import type { KeyValueStore } from './key-value-store';

/**
 * Every change ScaleDesk made to a cluster, so the admin can ask "what did we change on prod
 * yesterday, and did it work?" and trust the answer: a change is on disk before it is sent, so
 * no kill, at any moment, leaves a change on the cluster that the log does not know about.
 *
 * The log is a file of its own beside the store file (`config.json` → `config-activity.jsonl`),
 * one JSON record a line, appended: each change is a few hundred bytes written and fsynced
 * (~0.15 ms here), not the whole store rewritten through `conf` (the store read and parsed
 * twice, serialised, fsynced and renamed: ~6-9 ms with a full log of 1,000 entries, which is why
 * it used to be written 100 ms behind the change and why a kill in those 100 ms lost the entry).
 * A record is the entry's whole current state; the last one of an id wins. The file is rewritten
 * (temporary file, fsync, rename: atomic) when it has grown to about twice what it holds, and at
 * start where it holds more than it should. A line a crash cut short is skipped when read.
 *
 * What is fsynced: the entry before the change is sent (so a power cut cannot lose it either),
 * its outcome and a withdrawal. The cluster's answer (what the write replaced, the change now
 * listed) is appended without an fsync: it is between the cluster's answer and the handler's,
 * the kernel keeps it through a kill of the process, and after a power cut the entry written
 * before sending is still there and is judged against the cluster when ScaleDesk next connects.
 *
 * Entries are kept per cluster (operations/cluster-identity.ts), oldest first on disk and served
 * newest first; the oldest go past the cap.
 */

/** Where the log was kept before it had a file of its own: moved out when first opened. */
export const ACTIVITY_KEY = 'activity';
export const DEFAULT_ACTIVITY_CAP = 1000;

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

const LineSchema = z.union([
  z.object({ put: LoggedChangeSchema }).strict(),
  /** A change the cluster refused: nothing of it happened, nothing to keep. */
  z.object({ withdraw: z.string() }).strict(),
]);
type Line = z.infer<typeof LineSchema>;

/** What an operation knows when it logs a change; the log adds id, time and result. */
export type NewActivity = Omit<ActivityEntry, 'id' | 'at' | 'result' | 'message' | 'undoOf'> & {
  message?: string | null;
  undoOf?: string | null;
};

/** How an entry ends. */
export type Outcome = 'done' | 'failed' | 'superseded';

/** The cluster a list is for: its identity, and its context name for entries logged by name. */
export interface ClusterScope {
  cluster: string;
  context: string;
}

export interface ActivityLog {
  /**
   * Logs a change about to be sent, as pending, on disk before this returns. Not listed nor
   * announced until the cluster accepts it ({@link accept}): a refusal withdraws it.
   */
  begin(
    change: NewActivity,
    about: { cluster: string; targets: ChangeTarget[]; doneMessage: string },
  ): ActivityEntry;
  /**
   * The cluster accepted the change (`update`: what the write found and did): listed, and
   * emitted. `answered` false: no answer was seen, and the entry is listed all the same, pending,
   * to be judged from the cluster.
   */
  accept(
    id: string,
    update?: Partial<Pick<ActivityEntry, 'from' | 'command'>>,
    answered?: boolean,
  ): ActivityEntry | undefined;
  /** The cluster refused the change: nothing of it happened, so the entry goes. */
  withdraw(id: string): void;
  /** Sets the result once the change has ended; emits the updated entry. */
  settle(id: string, result: Outcome, message: string): ActivityEntry | undefined;
  get(id: string): ActivityEntry | undefined;
  /** The entry with its cluster and targets. */
  change(id: string): LoggedChange | undefined;
  /** The cluster's entries, newest first (none for no cluster). */
  list(scope: ClusterScope | null, limit?: number): ActivityEntry[];
  /** The cluster's entries still pending: to be judged from the cluster once connected to it. */
  pending(scope: ClusterScope): LoggedChange[];
  /** The entry that undid `id`, if any. */
  undoneBy(id: string): ActivityEntry | undefined;
  /** The log's file. */
  readonly path: string;
}

export interface ActivityLogOptions {
  cap?: number;
  now?: () => Date;
}

/** The log's file for a store file: `config.json` → `config-activity.jsonl`, beside it. */
export function activityFileFor(storePath: string): string {
  const stem = path.basename(storePath, path.extname(storePath));
  return path.join(path.dirname(storePath), `${stem}-activity.jsonl`);
}

export function inScope(logged: LoggedChange, scope: ClusterScope): boolean {
  return logged.cluster === null
    ? logged.entry.context === null || logged.entry.context === scope.context
    : logged.cluster === scope.cluster;
}

/** Makes a new file's name durable: fsync of its folder (where the platform allows it). */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder for fsync; its rename is durable without it.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The records of a log file's text, in order; lines that are not records are counted. */
function parseLines(text: string): { lines: Line[]; unreadable: number } {
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
function fold(lines: readonly Line[], into: Map<string, LoggedChange> = new Map()) {
  for (const line of lines) {
    if ('withdraw' in line) into.delete(line.withdraw);
    else into.set(line.put.entry.id, line.put);
  }
  return into;
}

/** Entries of the log kept in the store file by earlier versions, as logged changes. */
function legacyEntries(store: KeyValueStore): { changes: LoggedChange[]; found: boolean } {
  const stored = store.get(ACTIVITY_KEY);
  if (stored === undefined) return { changes: [], found: false };
  if (!Array.isArray(stored)) {
    console.warn(`scaledesk: the activity log in ${store.path} is not a list; it was left out.`);
    return { changes: [], found: true };
  }
  const changes: LoggedChange[] = [];
  let dropped = 0;
  for (const item of stored) {
    const parsed = ActivityEntrySchema.safeParse(item);
    if (!parsed.success) {
      dropped++;
      continue;
    }
    // Logged by context name, without what to look for on the cluster: a change still pending
    // cannot be judged now, so say it was not followed rather than show it in progress forever.
    const entry: ActivityEntry =
      parsed.data.result === 'pending'
        ? {
            ...parsed.data,
            result: 'failed',
            message: 'Not followed to the end: ScaleDesk was closed before the rollout finished.',
          }
        : parsed.data;
    changes.push({ entry, cluster: null, targets: [], doneMessage: null, sent: true });
  }
  if (dropped > 0) {
    console.warn(
      `scaledesk: ${dropped} entries of the activity log in ${store.path} were not readable and were left out.`,
    );
  }
  return { changes, found: true };
}

export function createActivityLog(
  store: KeyValueStore,
  bus: EventBus,
  options: ActivityLogOptions = {},
): ActivityLog {
  const cap = options.cap ?? DEFAULT_ACTIVITY_CAP;
  const now = options.now ?? (() => new Date());
  const file = activityFileFor(store.path);
  const folder = path.dirname(file);

  /** Entries by id, in the order they were begun (a Map keeps insertion order). */
  let changes = new Map<string, LoggedChange>();
  /** Begun in this process and not yet answered: neither listed nor announced. */
  const inFlight = new Set<string>();
  /** Records appended since the file was last rewritten. */
  let appended = 0;
  let compactionQueued = false;

  const readFile = (): { lines: Line[]; unreadable: number } => {
    try {
      return parseLines(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], unreadable: 0 };
      throw error;
    }
  };

  const trim = (): void => {
    for (const id of changes.keys()) {
      if (changes.size <= cap) break;
      changes.delete(id);
    }
  };

  /** The whole log written anew: a temporary file, fsynced, renamed over the log. */
  const rewrite = (): void => {
    const temp = `${file}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
    const text = [...changes.values()].map((put) => `${JSON.stringify({ put })}\n`).join('');
    const fd = fs.openSync(temp, 'w', STORE_FILE_MODE);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    syncFolder(folder);
    appended = 0;
  };

  /**
   * Appends one record; `durable`: fsynced before returning. Opened by name each time, so a
   * rewrite by another process (browser mode and the desktop app share the data folder) is
   * appended to rather than an old, unlinked file.
   */
  const append = (line: Line, durable: boolean): void => {
    // The data folder is gone (removed with the profile, or a test's temporary one): writing
    // would only make it again.
    if (!fs.existsSync(folder)) return;
    try {
      const created = !fs.existsSync(file);
      const fd = fs.openSync(file, 'a', STORE_FILE_MODE);
      try {
        fs.writeSync(fd, `${JSON.stringify(line)}\n`);
        if (durable) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      if (created) syncFolder(folder);
    } catch (error) {
      // A disk that is full or read-only must not stop an admin from scaling in an incident:
      // the change goes ahead and the entry lives in memory; say so where it can be seen.
      console.error(`scaledesk: the activity log could not be written to ${file}`, error);
      return;
    }
    appended++;
    if (appended > cap + changes.size && !compactionQueued) {
      compactionQueued = true;
      // After the operation that appended has answered: the rewrite is a few ms.
      setTimeout(compact, 0).unref();
    }
  };

  /** Rewrites the file from what it holds (another process's records included). */
  const compact = (): void => {
    compactionQueued = false;
    if (!fs.existsSync(folder)) return;
    try {
      const fromDisk = fold(readFile().lines);
      // What this process has not written (a failed append) is kept too.
      for (const [id, logged] of changes) if (!fromDisk.has(id)) fromDisk.set(id, logged);
      changes = fromDisk;
      trim();
      rewrite();
    } catch (error) {
      console.error(`scaledesk: the activity log ${file} could not be rewritten`, error);
    }
  };

  // Opening: the file, the entries an earlier version kept in the store, leftovers of a rewrite
  // that was killed halfway.
  for (const name of fs.existsSync(folder) ? fs.readdirSync(folder) : []) {
    if (!name.startsWith(`${path.basename(file)}.tmp-`)) continue;
    try {
      const temp = path.join(folder, name);
      if (Date.now() - fs.lstatSync(temp).mtimeMs >= STALE_TEMP_FILE_MS) fs.unlinkSync(temp);
    } catch {
      // Gone already.
    }
  }
  const { lines, unreadable } = readFile();
  if (unreadable > 0) {
    console.warn(
      `scaledesk: ${unreadable} records of the activity log ${file} were not readable and were left out.`,
    );
  }
  const legacy = legacyEntries(store);
  // The file's records win over the store's copy of the same entry (an interrupted move).
  for (const logged of legacy.changes) changes.set(logged.entry.id, logged);
  changes = fold(lines, changes);
  const before = changes.size;
  trim();
  if (legacy.found || unreadable > 0 || changes.size < before || lines.length > 2 * changes.size) {
    try {
      rewrite();
      // Only once the entries are safely in their own file.
      if (legacy.found) store.delete(ACTIVITY_KEY);
    } catch (error) {
      console.error(`scaledesk: the activity log ${file} could not be written`, error);
    }
  } else {
    appended = lines.length - changes.size;
  }

  const put = (logged: LoggedChange, durable: boolean): LoggedChange => {
    // Re-inserted where it was: the order stays the order changes were begun in.
    changes.set(logged.entry.id, logged);
    append({ put: logged }, durable);
    return logged;
  };

  const announce = (entry: ActivityEntry): ActivityEntry => {
    bus.emit('activity', entry);
    return entry;
  };

  const newestFirst = (filter: (logged: LoggedChange) => boolean): LoggedChange[] => {
    const found: LoggedChange[] = [];
    for (const logged of changes.values()) {
      if (!inFlight.has(logged.entry.id) && filter(logged)) found.push(logged);
    }
    return found.reverse();
  };

  return {
    path: file,
    begin(change, about) {
      const entry = ActivityEntrySchema.parse({
        ...change,
        id: randomUUID(),
        at: now().toISOString(),
        result: 'pending',
        message: change.message ?? null,
        undoOf: change.undoOf ?? null,
      });
      inFlight.add(entry.id);
      put({ entry, ...about, sent: false }, true);
      trim();
      return entry;
    },
    accept(id, update = {}, answered = true) {
      const logged = changes.get(id);
      if (!logged) return undefined;
      inFlight.delete(id);
      const entry = { ...logged.entry, ...update };
      put({ ...logged, entry, sent: logged.sent || answered }, false);
      return announce(entry);
    },
    withdraw(id) {
      inFlight.delete(id);
      if (!changes.delete(id)) return;
      append({ withdraw: id }, true);
    },
    settle(id, result, message) {
      const logged = changes.get(id);
      if (!logged) return undefined;
      inFlight.delete(id);
      const entry = { ...logged.entry, result, message };
      put({ ...logged, entry }, true);
      return announce(entry);
    },
    get: (id) => changes.get(id)?.entry,
    change: (id) => changes.get(id),
    list: (scope, limit = 200) =>
      scope === null
        ? []
        : newestFirst((logged) => inScope(logged, scope))
            .slice(0, limit)
            .map((logged) => logged.entry),
    pending: (scope) =>
      newestFirst((logged) => logged.entry.result === 'pending' && inScope(logged, scope)),
    undoneBy: (id) => {
      for (const logged of changes.values()) if (logged.entry.undoOf === id) return logged.entry;
      return undefined;
    },
  };
}
