import { app } from 'electron';
import Store from 'electron-store';
import path from 'node:path';
import { openKeyValueStore, STORE_OPTIONS, storeFileIn } from '../store/conf-store';
import type { KeyValueStore } from '../store/key-value-store';

/**
 * The desktop app's KeyValueStore: electron-store, one JSON file in the app's userData folder
 * (config.json, the same file browser mode's conf store uses by default), with the options,
 * the private folder and file, and the adapter of main/store/conf-store.ts (openKeyValueStore).
 */
export function createElectronStore(): KeyValueStore {
  const filePath = storeFileIn(path.resolve(app.getPath('userData')));
  return openKeyValueStore(
    filePath,
    () =>
      new Store<Record<string, unknown>>({
        ...STORE_OPTIONS,
        // The folder openKeyValueStore prepares, named rather than left to electron-store's default.
        cwd: path.dirname(filePath),
        name: path.basename(filePath, '.json'),
      }),
  );
}
