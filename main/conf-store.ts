import Conf from 'conf';
import os from 'node:os';
import path from 'node:path';
import type { KeyValueStore } from './settings-store';

/**
 * The KeyValueStore of browser mode and tests, over `conf` (the library electron-store is built
 * on): one JSON file, written atomically. Keys are taken literally: `window.bounds` is one key,
 * not a path into an object, the same as in the desktop adapter.
 */
export function createConfStore(filePath: string): KeyValueStore {
  const resolved = path.resolve(filePath);
  const extension = path.extname(resolved);
  const conf = new Conf<Record<string, unknown>>({
    cwd: path.dirname(resolved),
    configName: path.basename(resolved, extension),
    fileExtension: extension.replace(/^\./, '') || 'json',
    accessPropertiesByDotNotation: false,
    // A file the admin broke by hand is reported, not silently emptied.
    clearInvalidConfig: false,
  });
  return {
    get: (key) => conf.get(key),
    // conf refuses undefined; for a key-value store, storing nothing is deleting.
    set: (key, value) => (value === undefined ? conf.delete(key) : conf.set(key, value)),
    delete: (key) => conf.delete(key),
    path: conf.path,
  };
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
