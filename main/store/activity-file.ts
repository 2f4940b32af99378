import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { STALE_TEMP_FILE_MS, STORE_FILE_MODE } from './conf-store';
import { parseLines, type Line, type LoggedChange } from './activity-records';

/**
 * The activity log's file on disk: appended to a record at a time (fsynced where it must be
 * durable), rewritten whole atomically (temporary file, fsync, rename, folder fsync), and the
 * leftovers of a rewrite that was killed halfway removed when it is opened.
 */

/** The log's file for a store file: `config.json` → `config-activity.jsonl`, beside it. */
export function activityFileFor(storePath: string): string {
  const stem = path.basename(storePath, path.extname(storePath));
  return path.join(path.dirname(storePath), `${stem}-activity.jsonl`);
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

/** The file's records, in order; no file: none. */
export function readRecords(file: string): { lines: Line[]; unreadable: number } {
  try {
    return parseLines(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], unreadable: 0 };
    throw error;
  }
}

/** The whole log written anew: a temporary file, fsynced, renamed over the log. */
export function rewriteRecords(file: string, changes: Iterable<LoggedChange>): void {
  const temp = `${file}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  const text = [...changes].map((put) => `${JSON.stringify({ put })}\n`).join('');
  const fd = fs.openSync(temp, 'w', STORE_FILE_MODE);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  syncFolder(path.dirname(file));
}

/**
 * Appends one record; `durable`: fsynced before returning. Opened by name each time, so a
 * rewrite by another process (browser mode and the desktop app share the data folder) is
 * appended to rather than an old, unlinked file. False: not written.
 */
export function appendRecord(file: string, line: Line, durable: boolean): boolean {
  const folder = path.dirname(file);
  // The data folder is gone (removed with the profile, or a test's temporary one): writing
  // would only make it again.
  if (!fs.existsSync(folder)) return false;
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
    return false;
  }
  return true;
}

/** Removes the temporary files of rewrites that were killed halfway (old enough to be dead). */
export function removeStaleRewrites(file: string): void {
  const folder = path.dirname(file);
  for (const name of fs.existsSync(folder) ? fs.readdirSync(folder) : []) {
    if (!name.startsWith(`${path.basename(file)}.tmp-`)) continue;
    try {
      const temp = path.join(folder, name);
      if (Date.now() - fs.lstatSync(temp).mtimeMs >= STALE_TEMP_FILE_MS) fs.unlinkSync(temp);
    } catch {
      // Gone already.
    }
  }
}
