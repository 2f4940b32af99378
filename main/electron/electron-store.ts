import { app } from 'electron';
import Store from 'electron-store';
import path from 'node:path';
import { asKeyValueStore, openStoreFile, STORE_OPTIONS, storeFileIn } from '../store/conf-store';
import type { KeyValueStore } from '../store/key-value-store';

/**
 * The desktop app's KeyValueStore: electron-store, one JSON file in the app's userData folder
 * (config.json, the same file browser mode's conf store uses by default), with the options and
 * adapter of main/conf-store.ts.
 */
export function createElectronStore(): KeyValueStore {
  const filePath = storeFileIn(path.resolve(app.getPath('userData')));
  return asKeyValueStore(
    openStoreFile(filePath, () => new Store<Record<string, unknown>>({ ...STORE_OPTIONS })),
  );
}
