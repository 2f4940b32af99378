import type { ServerResponse } from 'node:http';
import { statusBody } from './api-errors';
import type { KubeObject } from './kube-types';
import type { ObjectStore, StoreEvent } from './object-store';
import { apiVersionOf, storeKey, type ResourceType } from './resource-types';
import type { Matcher } from './selectors';

/**
 * A watch as the API server streams it: one JSON event per line on a chunked response
 * (`{"type":"ADDED","object":{...}}`). Without a resourceVersion (or with "0") it starts with
 * the current objects as ADDED events; with one, it replays the changes after it from the store's
 * log, or sends an ERROR event carrying a 410 Expired Status where the log no longer reaches
 * back that far. Objects moving into or out of a selector arrive as ADDED or DELETED. Bookmarks
 * are sent when asked for; the stream ends after timeoutSeconds.
 */

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  matcher: Matcher;
  resourceVersion: string | undefined;
  timeoutSeconds: number;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  /** Renders each object as it goes on the wire (a one-row Table for kubectl). */
  render: (object: KubeObject) => unknown;
  bookmarkIntervalMs: number;
}

export interface WatchStream {
  close(): void;
}

export function serveWatch(
  store: ObjectStore,
  request: WatchRequest,
  res: ServerResponse,
  onEnd: () => void,
): WatchStream {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let closed = false;
  let bookmarks: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  const close = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    if (bookmarks) clearInterval(bookmarks);
    if (!res.writableEnded) res.end();
    onEnd();
  };
  res.on('close', close);

  const send = (type: string, object: unknown): void => {
    if (closed) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const key = storeKey(request.type);
  const inScope = (event: StoreEvent): boolean =>
    event.key === key && (request.namespace === undefined || event.namespace === request.namespace);
  const deliver = (event: StoreEvent): void => {
    if (!inScope(event)) return;
    const now = request.matcher(event.object);
    if (event.type === 'MODIFIED') {
      const before = event.previous ? request.matcher(event.previous) : now;
      if (now && before) send('MODIFIED', request.render(event.object));
      else if (now) send('ADDED', request.render(event.object));
      else if (before) send('DELETED', request.render(event.object));
      return;
    }
    if (now) send(event.type, request.render(event.object));
  };
  const bookmark = (extra: Record<string, string> = {}): void => {
    send('BOOKMARK', {
      kind: request.type.kind,
      apiVersion: apiVersionOf(request.type),
      metadata: {
        resourceVersion: String(store.resourceVersion),
        ...(Object.keys(extra).length > 0 ? { annotations: extra } : {}),
      },
    });
  };

  const rv = request.resourceVersion;
  if (!rv || rv === '0' || request.sendInitialEvents) {
    for (const object of store.list(request.type, request.namespace)) {
      if (request.matcher(object)) send('ADDED', request.render(object));
    }
    if (request.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const from = Number(rv);
    const changes = Number.isFinite(from) ? store.changesSince(from) : 'expired';
    if (changes === 'expired') {
      send(
        'ERROR',
        statusBody(
          410,
          'Expired',
          `too old resource version: ${rv} (${store.oldestResumableVersion})`,
        ),
      );
      close();
      return { close };
    }
    for (const event of changes) deliver(event);
  }
  unsubscribe = store.subscribe(deliver);

  if (request.allowBookmarks) {
    bookmarks = setInterval(() => bookmark(), request.bookmarkIntervalMs);
    bookmarks.unref?.();
  }
  const timeout = setTimeout(close, request.timeoutSeconds * 1000);
  timeout.unref?.();
  timers.push(timeout);
  return { close };
}
