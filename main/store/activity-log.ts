import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ActivityEntrySchema, type ActivityEntry } from '../../shared/contract';
import type { EventBus } from '../transport/event-bus';
import type { KeyValueStore } from './key-value-store';

/**
 * Every change ScaleDesk made to a cluster, kept in the store (electron-store's file on disk) so
 * it survives a restart: who could ask "what did we change on prod yesterday, and did it work?".
 * Entries are kept oldest first on disk and served newest first; the oldest go past the cap.
 */

export const ACTIVITY_KEY = 'activity';
export const DEFAULT_ACTIVITY_CAP = 1000;

/** What an operation knows when it records a change; the log adds id, time and result. */
export type NewActivity = Omit<ActivityEntry, 'id' | 'at' | 'result' | 'message' | 'undoOf'> & {
  message?: string | null;
  undoOf?: string | null;
};

export interface ActivityLog {
  /** Records a change the cluster accepted, as pending until its rollout ends. */
  record(change: NewActivity): ActivityEntry;
  /** Sets the result once the rollout completes or fails; emits the updated entry. */
  settle(id: string, result: 'done' | 'failed', message: string): ActivityEntry | undefined;
  get(id: string): ActivityEntry | undefined;
  /** Newest first. */
  list(limit?: number): ActivityEntry[];
  /** The entry that undid `id`, if any. */
  undoneBy(id: string): ActivityEntry | undefined;
}

export interface ActivityLogOptions {
  cap?: number;
  now?: () => Date;
  /**
   * Write the log this long after a change rather than before `record`/`settle` return. A write
   * is the whole log through the store (read twice, serialised, fsynced: ~6 ms at the cap) and
   * blocks the event loop; put off, it falls after the operation has answered and after its own
   * change has reached the model. Changes within the delay are written together, and whatever is
   * still unwritten is written when the process exits. 0 (the default): written at once.
   */
  writeBehindMs?: number;
}

/** Logs with changes not yet written, written when the process exits (a normal exit or a crash). */
const unwritten = new Set<() => void>();
let writesOnExit = false;

function writeOnExit(write: () => void): void {
  unwritten.add(write);
  if (writesOnExit) return;
  writesOnExit = true;
  process.once('exit', () => {
    for (const pending of [...unwritten]) pending();
  });
}

/** Entries read back from disk; ones that fail the schema are dropped and reported. */
function load(store: KeyValueStore): ActivityEntry[] {
  const stored = store.get(ACTIVITY_KEY);
  if (stored === undefined) return [];
  if (!Array.isArray(stored)) {
    console.warn(`scaledesk: the activity log in ${store.path} is not a list; starting a new one.`);
    return [];
  }
  const entries: ActivityEntry[] = [];
  let dropped = 0;
  for (const item of stored) {
    const parsed = ActivityEntrySchema.safeParse(item);
    if (parsed.success) entries.push(parsed.data);
    else dropped++;
  }
  if (dropped > 0) {
    console.warn(
      `scaledesk: ${dropped} entries of the activity log in ${store.path} were not readable and were left out.`,
    );
  }
  return entries;
}

export function createActivityLog(
  store: KeyValueStore,
  bus: EventBus,
  options: ActivityLogOptions = {},
): ActivityLog {
  const cap = options.cap ?? DEFAULT_ACTIVITY_CAP;
  const now = options.now ?? (() => new Date());
  const entries = load(store);
  // A rollout still pending when ScaleDesk closed was never followed to its end: say so rather
  // than show it as in progress forever.
  let interrupted = false;
  for (const [index, entry] of entries.entries()) {
    if (entry.result === 'pending') {
      entries[index] = {
        ...entry,
        result: 'failed',
        message: 'Not followed to the end: ScaleDesk was closed before the rollout finished.',
      };
      interrupted = true;
    }
  }
  if (entries.length > cap) entries.splice(0, entries.length - cap);
  if (interrupted) store.set(ACTIVITY_KEY, entries);

  const writeBehindMs = options.writeBehindMs ?? 0;
  let timer: NodeJS.Timeout | null = null;
  const write = (): void => store.set(ACTIVITY_KEY, entries);
  /** A write put off: it can no longer fail the operation, so a failure is reported. */
  const writeLater = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    unwritten.delete(writeLater);
    // The data folder is gone (removed with the profile, or a test's temporary one): a store
    // write would only make it again.
    if (!fs.existsSync(path.dirname(store.path))) return;
    try {
      write();
    } catch (error) {
      console.error(`scaledesk: the activity log could not be written to ${store.path}`, error);
    }
  };
  const save = (): void => {
    if (entries.length > cap) entries.splice(0, entries.length - cap);
    if (writeBehindMs <= 0) return write();
    if (timer) return;
    timer = setTimeout(writeLater, writeBehindMs);
    timer.unref();
    writeOnExit(writeLater);
  };

  return {
    record(change) {
      const entry = ActivityEntrySchema.parse({
        ...change,
        id: randomUUID(),
        at: now().toISOString(),
        result: 'pending',
        message: change.message ?? null,
        undoOf: change.undoOf ?? null,
      });
      entries.push(entry);
      save();
      bus.emit('activity', entry);
      return entry;
    },
    settle(id, result, message) {
      const index = entries.findIndex((entry) => entry.id === id);
      if (index === -1) return undefined;
      const entry = { ...entries[index]!, result, message };
      entries[index] = entry;
      save();
      bus.emit('activity', entry);
      return entry;
    },
    get: (id) => entries.find((entry) => entry.id === id),
    list: (limit = 200) => entries.slice(-limit).reverse(),
    undoneBy: (id) => entries.find((entry) => entry.undoOf === id),
  };
}
