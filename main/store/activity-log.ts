import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ActivityEntrySchema, type ActivityEntry } from '../../shared/contract';
import type { EventBus } from '../transport/event-bus';
import {
  activityFileFor,
  appendRecord,
  readRecords,
  removeStaleRewrites,
  rewriteRecords,
} from './activity-file';
import { fold, type ChangeTarget, type Line, type LoggedChange } from './activity-records';
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
 * The records and their file: activity-records.ts, activity-file.ts.
 *
 * Entries are kept per cluster (operations/cluster-identity.ts), oldest first on disk and served
 * newest first; the oldest go past the cap.
 */

/** Where the log was kept before it had a file of its own: moved out when first opened. */
export const ACTIVITY_KEY = 'activity';
export const DEFAULT_ACTIVITY_CAP = 1000;

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

export function inScope(logged: LoggedChange, scope: ClusterScope): boolean {
  return logged.cluster === null
    ? logged.entry.context === null || logged.entry.context === scope.context
    : logged.cluster === scope.cluster;
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

  const trim = (): void => {
    for (const id of changes.keys()) {
      if (changes.size <= cap) break;
      changes.delete(id);
    }
  };

  const rewrite = (): void => {
    rewriteRecords(file, changes.values());
    appended = 0;
  };

  const append = (line: Line, durable: boolean): void => {
    if (!appendRecord(file, line, durable)) return;
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
      const fromDisk = fold(readRecords(file).lines);
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
  removeStaleRewrites(file);
  const { lines, unreadable } = readRecords(file);
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
