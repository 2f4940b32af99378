/**
 * Where main keeps what must survive a restart: the settings, the window's bounds, the activity
 * log. Backed by electron-store in the desktop app and by `conf` (the library under
 * electron-store) in browser mode and tests, so the services never import Electron.
 */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** The file the data lives in, for messages. */
  readonly path: string;
}
