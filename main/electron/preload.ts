import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type * as Contract from '../../shared/contract';

/**
 * The preload of the sandboxed window: the only code with access to IPC. It exposes the two
 * functions of ScaleDeskBridge on `window.scaledesk` and nothing else: no ipcRenderer, no way
 * to pick a channel. Main checks the sender and validates every input; this file only carries.
 * Bundled into one CommonJS file, since a sandboxed preload can require nothing but electron.
 */

// Importing the values would bundle the whole contract and zod into the preload (about
// 700 kB, parsed on every page load) for two strings; the types keep them equal to the
// contract's at compile time instead.
const INVOKE_CHANNEL: typeof Contract.INVOKE_CHANNEL = 'scaledesk:invoke';
const EVENT_CHANNEL: typeof Contract.EVENT_CHANNEL = 'scaledesk:event';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

// One IPC listener for all subscriptions, fanned out here.
ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, message: unknown) => {
  if (typeof message !== 'object' || message === null) return;
  const { event, payload } = message as { event?: unknown; payload?: unknown };
  if (typeof event !== 'string') return;
  for (const listener of listeners.get(event) ?? []) {
    try {
      listener(payload);
    } catch (error) {
      console.error(`ScaleDesk: a listener of "${event}" failed`, error);
    }
  }
});

const bridge: Contract.ScaleDeskBridge = {
  invoke(operation, input) {
    return ipcRenderer.invoke(INVOKE_CHANNEL, String(operation), input).catch(() => ({
      ok: false as const,
      error: { code: 'INTERNAL' as const, message: 'The ScaleDesk main process did not answer.' },
    }));
  },
  subscribe(event: Contract.EventName, listener: (payload: never) => void) {
    if (typeof listener !== 'function') throw new TypeError('A listener must be a function.');
    const name = String(event);
    let set = listeners.get(name);
    if (!set) {
      set = new Set();
      listeners.set(name, set);
    }
    const entry = listener as Listener;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  },
};

contextBridge.exposeInMainWorld('scaledesk', bridge);
