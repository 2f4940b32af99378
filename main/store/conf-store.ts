import Conf from 'conf';
import os from 'node:os';
import path from 'node:path';
import type { KeyValueStore } from './key-value-store';

/**
 * The KeyValueStore over `conf`: one JSON file, written atomically. Browser mode and tests
 * use it directly; the desktop app through electron-store, which is conf in Electron's userData
 * folder (main/electron/electron-store.ts), with the same options and the same adapter.
 */

/**
 * Keys are literal (`window.state` is one key, not a path into an object), and a file the
 * admin broke by hand is reported rather than silently emptied.
 */
export const STORE_OPTIONS = {
  accessPropertiesByDotNotation: false,
  clearInvalidConfig: false,
} as const;

export function asKeyValueStore(conf: Conf<Record<string, unknown>>): KeyValueStore {
  return {
    get: (key) => conf.get(key),
    // conf refuses undefined; for a key-value store, storing nothing is deleting.
    set: (key, value) => (value === undefined ? conf.delete(key) : conf.set(key, value)),
    delete: (key) => conf.delete(key),
    path: conf.path,
  };
}

/** Opens a store file, turning conf's bare SyntaxError into what the admin can act on. */
export function openStoreFile<T>(filePath: string, open: () => T): T {
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

export function createConfStore(filePath: string): KeyValueStore {
  const resolved = path.resolve(filePath);
  const extension = path.extname(resolved);
  return asKeyValueStore(
    openStoreFile(
      resolved,
      () =>
        new Conf<Record<string, unknown>>({
          ...STORE_OPTIONS,
          cwd: path.dirname(resolved),
          configName: path.basename(resolved, extension),
          fileExtension: extension.replace(/^\./, '') || 'json',
        }),
    ),
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
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), productName);
  }
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), productName);
}

/** The store file both modes use inside the data folder (electron-store's default name). */
export function storeFileIn(dataDir: string): string {
  return path.join(dataDir, 'config.json');
}
