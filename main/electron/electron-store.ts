import Store from 'electron-store';
import type { KeyValueStore } from '../settings-store';

/**
 * The desktop app's KeyValueStore: electron-store, one JSON file in the app's userData folder
 * (config.json, the same file browser mode's conf store uses by default). Keys are literal,
 * not dot paths, as in main/conf-store.ts.
 */
export function createElectronStore(): KeyValueStore {
  const store = new Store<Record<string, unknown>>({
    accessPropertiesByDotNotation: false,
    // A file the admin broke by hand is reported, not silently emptied.
    clearInvalidConfig: false,
  });
  return {
    get: (key) => store.get(key),
    // electron-store refuses undefined; for a key-value store, storing nothing is deleting.
    set: (key, value) => (value === undefined ? store.delete(key) : store.set(key, value)),
    delete: (key) => store.delete(key),
    path: store.path,
  };
}
