import {
  EVENTS_PROTOCOL,
  TOKEN_FRAGMENT_PARAM,
  tokenProtocol,
} from '../../shared/browser-mode-access';
import type {
  EventName,
  EventPayload,
  OperationInput,
  OperationName,
  OperationOutput,
  ScaleDeskBridge,
} from '../../shared/contract';
import { ContractErrorSchema, type ContractError, type Result } from '../../shared/errors';

/**
 * The renderer's one way to talk to main. In the desktop app the preload has put the bridge on
 * `window.scaledesk` (Electron IPC); in browser mode the same interface is spoken over HTTP
 * (operations) and a WebSocket (events) to the server that served this page, each request
 * presenting the access token itself (shared/browser-mode-access.ts): no cookie carries it.
 */

export type { ScaleDeskBridge, Result, ContractError };
export type { EventName, EventPayload, OperationInput, OperationName, OperationOutput };

declare global {
  interface Window {
    /** Set by the desktop app's preload; absent in browser mode. */
    readonly scaledesk?: ScaleDeskBridge;
  }
}

let bridge: ScaleDeskBridge | undefined;

/** The bridge of the environment this page runs in; the same object on every call. */
export function getBridge(): ScaleDeskBridge {
  bridge ??= window.scaledesk ?? createHttpBridge();
  return bridge;
}

const TOKEN_STORAGE_KEY = 'scaledesk.token';

/**
 * Browser mode's access token, or null where this tab never had one. The printed URL brings it
 * in its fragment; it moves to sessionStorage, which is this origin's (so this port's) and this
 * tab's only and outlives a reload, and leaves the address bar, where it would be seen,
 * bookmarked or copied along with the address.
 */
export function takeAccessToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.hash.slice(1)).get(TOKEN_FRAGMENT_PARAM);
  if (fromUrl) {
    const { pathname, search } = window.location;
    window.history.replaceState(window.history.state, '', `${pathname}${search}`);
    try {
      window.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage is switched off: the token lives as long as this page, a reload loses it.
    }
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Where the event stream is, and what the reconnection waits between attempts. */
export interface HttpBridgeOptions {
  /** The server's origin; defaults to this page's. */
  baseUrl?: string;
  /** The access token to present; defaults to the page's (takeAccessToken). */
  token?: string | null;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Defaults to the global WebSocket. */
  WebSocket?: new (url: string, protocols: string[]) => WebSocket;
  /** First wait before reconnecting; doubles each failure up to maxReconnectMs. */
  minReconnectMs?: number;
  maxReconnectMs?: number;
}

export interface HttpBridge extends ScaleDeskBridge {
  /** Closes the event stream for good (tests; a page never needs to). */
  close(): void;
}

type AnyListener = (payload: unknown) => void;

/** The operations that take no input, as `{}` is all a resync has to give. */
type InputlessOperation = {
  [N in OperationName]: Record<string, never> extends OperationInput<N> ? N : never;
}[OperationName];

/**
 * Events missed while the stream was down are made good each time it opens: the state that
 * events keep current is fetched anew and delivered to the listeners as if it had been pushed.
 */
const RESYNC: ReadonlyArray<{
  event: EventName;
  operation: InputlessOperation;
  toPayload: (value: unknown) => unknown;
}> = [
  {
    event: 'apps',
    operation: 'apps.list',
    toPayload: (value) => ({ reset: true, upserted: value, removed: [] }),
  },
  { event: 'connection', operation: 'cluster.connection', toPayload: (value) => value },
  { event: 'settings', operation: 'settings.get', toPayload: (value) => value },
];

export function createHttpBridge(options: HttpBridgeOptions = {}): HttpBridge {
  const baseUrl = (options.baseUrl ?? window.location.origin).replace(/\/$/, '');
  const token = options.token !== undefined ? options.token : takeAccessToken();
  // Without a token the server answers 401 with the sentence that tells the admin what to do.
  const authorization: Record<string, string> =
    token === null ? {} : { Authorization: `Bearer ${token}` };
  const socketProtocols =
    token === null ? [EVENTS_PROTOCOL] : [EVENTS_PROTOCOL, tokenProtocol(token)];
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const Socket = options.WebSocket ?? WebSocket;
  const minReconnectMs = options.minReconnectMs ?? 500;
  const maxReconnectMs = options.maxReconnectMs ?? 10_000;

  const listeners = new Map<EventName, Set<AnyListener>>();
  let socket: WebSocket | undefined;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let closed = false;

  async function invoke<N extends OperationName>(
    operation: N,
    input: OperationInput<N>,
  ): Promise<Result<OperationOutput<N>>> {
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}/api/invoke/${encodeURIComponent(operation)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...authorization },
        // Nothing ambient is needed: the token is in the header above.
        credentials: 'omit',
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      return failure(
        'UNREACHABLE',
        'The ScaleDesk server did not answer. Is "npm run web" still running?',
      );
    }
    return parseResult<OperationOutput<N>>(response);
  }

  function deliver(event: EventName, payload: unknown): void {
    for (const listener of listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        // One faulty view must not starve the others of events.
        console.error(`ScaleDesk: a listener of "${event}" failed`, error);
      }
    }
  }

  async function resync(): Promise<void> {
    for (const { event, operation, toPayload } of RESYNC) {
      if (!listeners.get(event)?.size) continue;
      const result = await invoke(operation, {});
      if (result.ok) deliver(event, toPayload(result.value));
    }
  }

  function connect(): void {
    if (closed || socket) return;
    const url = `${baseUrl.replace(/^http/, 'ws')}/api/events`;
    const current = new Socket(url, socketProtocols);
    socket = current;
    current.addEventListener('open', () => {
      failures = 0;
      // Also on the first open: events between the page's first fetch and now are not lost.
      void resync();
    });
    current.addEventListener('message', (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      const { event, payload } = (parsed ?? {}) as { event?: unknown; payload?: unknown };
      if (typeof event === 'string' && listeners.has(event as EventName)) {
        deliver(event as EventName, payload);
      }
    });
    current.addEventListener('close', () => {
      if (socket !== current) return;
      socket = undefined;
      if (closed) return;
      // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
      const wait = Math.min(maxReconnectMs, minReconnectMs * 2 ** failures);
      failures += 1;
      reconnectTimer = setTimeout(connect, wait / 2 + (Math.random() * wait) / 2);
    });
  }

  return {
    invoke,
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const entry = listener as AnyListener;
      set.add(entry);
      connect();
      return () => {
        set.delete(entry);
      };
    },
    close() {
      closed = true;
      clearTimeout(reconnectTimer);
      socket?.close();
      socket = undefined;
    },
  };
}

function failure(
  code: ContractError['code'],
  message: string,
): { ok: false; error: ContractError } {
  return { ok: false, error: { code, message } };
}

/** A response of the server as a Result; anything that is not one becomes a typed error. */
async function parseResult<T>(response: Response): Promise<Result<T>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return failure(
      'INTERNAL',
      `The ScaleDesk server answered ${response.status} without a result.`,
    );
  }
  if (typeof body === 'object' && body !== null && 'ok' in body) {
    if (body.ok === true && 'value' in body) return { ok: true, value: body.value as T };
    if (body.ok === false && 'error' in body) {
      const error = ContractErrorSchema.safeParse(body.error);
      if (error.success) return { ok: false, error: error.data };
    }
  }
  return failure('INTERNAL', `The ScaleDesk server answered ${response.status} with no result.`);
}
