import Conf from 'conf';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KeyValueStore } from './key-value-store';

/**
 * The KeyValueStore over `conf`: one JSON file, written atomically. Browser mode and tests
 * use it directly; the desktop app through electron-store, which is conf in Electron's userData
 * folder (main/electron/electron-store.ts), with the same options and the same adapter.
 */

/**
 * The store file holds the settings and up to 1,000 activity entries (who scaled what, where):
 * for the user alone, in a folder only the user may list.
 */
export const STORE_FILE_MODE = 0o600;
export const DATA_FOLDER_MODE = 0o700;

/**
 * A temporary file younger than this may be another process's write in progress (browser mode
 * and the desktop app share the file), not the leftover of one that was killed.
 */
export const STALE_TEMP_FILE_MS = 60_000;

/**
 * Keys are literal (`window.state` is one key, not a path into an object), a file the admin
 * broke by hand is reported rather than silently emptied, and each write leaves the file 0600
 * (conf writes a temporary file with this mode, chmods it, and renames it over the file).
 */
export const STORE_OPTIONS = {
  accessPropertiesByDotNotation: false,
  clearInvalidConfig: false,
  configFileMode: STORE_FILE_MODE,
} as const;

/** chmod where the mode differs; a folder or file not ours to change is said, not fatal. */
function restrictMode(target: string, mode: number): void {
  try {
    if ((fs.statSync(target).mode & 0o777) !== mode) fs.chmodSync(target, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    console.warn(`scaledesk: could not make ${target} private (${code ?? String(error)}).`);
  }
}

/**
 * Readies the folder of a store file before conf or electron-store opens it: the folder made,
 * or tightened, to 0700, a file already there tightened to 0600 (one written by an older
 * version is 0644), and the temporary files of an atomic write that was killed halfway
 * (`config.json.tmp-*`, which atomically only removes on a clean exit) deleted. chmod after
 * mkdir, as the umask narrows what mkdir makes and never what chmod sets.
 */
function prepareStoreFolder(filePath: string): void {
  const now = Date.now();
  const folder = path.dirname(filePath);
  fs.mkdirSync(path.dirname(folder), { recursive: true });
  fs.mkdirSync(folder, { recursive: true, mode: DATA_FOLDER_MODE });
  restrictMode(folder, DATA_FOLDER_MODE);
  restrictMode(filePath, STORE_FILE_MODE);
  const tempPrefix = `${path.basename(filePath)}.tmp-`;
  for (const name of fs.readdirSync(folder)) {
    if (!name.startsWith(tempPrefix)) continue;
    const temp = path.join(folder, name);
    try {
      const stats = fs.lstatSync(temp);
      if (stats.isFile() && now - stats.mtimeMs >= STALE_TEMP_FILE_MS) fs.unlinkSync(temp);
    } catch {
      // Gone already: another process finished its write, or removed it too.
    }
  }
}

function asKeyValueStore(conf: Conf<Record<string, unknown>>): KeyValueStore {
  return {
    get: (key) => conf.get(key),
    // conf refuses undefined; for a key-value store, storing nothing is deleting.
    set: (key, value) => (value === undefined ? conf.delete(key) : conf.set(key, value)),
    delete: (key) => conf.delete(key),
    path: conf.path,
  };
}

/** Opens a store file, turning conf's bare SyntaxError into what the admin can act on. */
function openStoreFile<T>(filePath: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new Error(
      `the settings file ${filePath} is not valid JSON (${error.message}); ` +
        'fix it, or move it away to start with default settings.',
      { cause: error },
    );
  }
}

/**
 * The KeyValueStore over the conf (or electron-store, which is conf) that `open` makes for
 * `filePath`: its folder readied first, and a file that is not JSON reported as such.
 */
export function openKeyValueStore(
  filePath: string,
  open: () => Conf<Record<string, unknown>>,
): KeyValueStore {
  prepareStoreFolder(filePath);
  return asKeyValueStore(openStoreFile(filePath, open));
}

export function createConfStore(filePath: string): KeyValueStore {
  const resolved = path.resolve(filePath);
  const extension = path.extname(resolved);
  return openKeyValueStore(
    resolved,
    () =>
      new Conf<Record<string, unknown>>({
        ...STORE_OPTIONS,
        cwd: path.dirname(resolved),
        configName: path.basename(resolved, extension),
        fileExtension: extension.replace(/^\./, '') || 'json',
      }),
  );
}

/**
 * The folder the desktop app keeps its data in (Electron's userData for the product name
 * ScaleDesk), so browser mode and the desktop app share settings and the activity log.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  const productName = 'ScaleDesk';
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', productName);
  // An empty variable is unset, as Electron reads it: else the data folder would be made in
  // whatever the current directory is.
  if (platform === 'win32') {
    return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), productName);
  }
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), productName);
}

/** The store file both modes use inside the data folder (electron-store's default name). */
export function storeFileIn(dataDir: string): string {
  return path.join(dataDir, 'config.json');
}
