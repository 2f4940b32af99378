import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENTS_PROTOCOL, TOKEN_FRAGMENT_PARAM } from '../../shared/browser-mode-access';
import type { ErrorCode, Result } from '../../shared/errors';
import type { EventBus } from '../transport/event-bus';
import { dispatch, type Handlers } from '../transport/dispatch';
import {
  checkAccess,
  checkOrigin,
  createAccessToken,
  refusalMessage,
  type AccessPolicy,
  type AccessRefusal,
} from './access';
import { readRendererFile, SECURITY_HEADERS } from '../transport/renderer-files';

/**
 * Browser mode's transport: the same contract as the desktop IPC, over HTTP on 127.0.0.1.
 *   POST /api/invoke/<operation>  JSON input  ->  {ok, value} | {ok: false, error}
 *   GET  /api/events              WebSocket; each message is {event, payload}
 *   GET  anything else            a file of the built renderer
 * Every request passes the Host and Origin checks of ./access; everything under /api/ also
 * needs the token, which the page has from the fragment of the printed URL (`/#token=T`).
 * No cookie is set and no CORS header is ever sent.
 *
 * A client that sends a body too big, too slowly or without the right to send it gets its
 * answer and loses its connection, so it cannot hold the server's memory or sockets.
 */

export interface WebServerOptions {
  handlers: Handlers;
  bus: EventBus;
  /** The built renderer, normally dist/renderer. */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Random unless given (tests). */
  token?: string;
  /** How often dead WebSocket clients are looked for. */
  heartbeatMs?: number;
  /** Defaults in DEFAULT_TIMEOUTS; tests make them short. */
  timeouts?: Partial<WebServerTimeouts>;
}

export interface WebServerTimeouts {
  /** The headers of a request must have arrived within this (a connection that sends nothing). */
  headersMs: number;
  /** The whole request, body included, must have arrived within this: else 408 and closed. */
  requestMs: number;
  /** A kept-alive connection with no request in flight is closed after this (Node adds 1 s). */
  keepAliveMs: number;
  /** How often the two limits above are checked; a limit is enforced this much late at most. */
  checkIntervalMs: number;
}

/**
 * The page's requests are small and its bodies are sent at once, from the same machine: a few
 * seconds is generous. A long operation is not cut: the limits end once the request is read.
 */
export const DEFAULT_TIMEOUTS: WebServerTimeouts = {
  headersMs: 5_000,
  requestMs: 10_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
};

export interface WebServer {
  /** The URL to open, carrying the token in its fragment: `http://127.0.0.1:PORT/#token=T`. */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export const INVOKE_PATH = '/api/invoke/';
export const EVENTS_PATH = '/api/events';
export const MAX_BODY_BYTES = 1024 * 1024;
/** A client that lets this much pile up is not reading: drop it, it reconnects and resyncs. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * The HTTP status a contract error travels with. QUOTA_EXCEEDED is 422: the request was
 * understood and is refused on its merits, which is not the version conflict 409 means.
 */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
    case 'SENDER_REFUSED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'QUOTA_EXCEEDED':
    case 'INVALID':
      return 422;
    case 'UNREACHABLE':
    case 'TLS':
      return 502;
    case 'NOT_CONNECTED':
    case 'THROTTLED':
      return 503;
    case 'KUBECONFIG':
    case 'ROLLOUT_FAILED':
    case 'INTERNAL':
      return 500;
  }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? createAccessToken();
  // The port is known only once listening; the policy is completed then.
  const policy: AccessPolicy = { port: 0, token };
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // The page offers EVENTS_PROTOCOL and its token as a second subprotocol: only the first is
    // answered, so the token is not sent back. Without it a browser would fail the handshake.
    handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  });
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };

  const server = createServer(
    {
      requestTimeout: timeouts.requestMs,
      // Node refuses a headers limit longer than the whole request's.
      headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    (request, response) => {
      handleRequest(request, response).catch((error: unknown) => {
        console.error('scaledesk: browser-mode request failed', error);
        if (!response.headersSent) sendJson(response, 500, internalError());
        else response.destroy();
      });
    },
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const api = url.pathname.startsWith('/api/');

    // The renderer's files are served without the token: they hold no secret, and the page
    // must load before it can present the token (a navigation cannot add a header).
    const refusal = api
      ? checkAccess(policy, request.headers, 'http')
      : checkOrigin(policy, request.headers);
    if (refusal) return sendRefusal(response, refusal, api);

    if (url.pathname.startsWith(INVOKE_PATH)) {
      if (request.method !== 'POST') return sendMethodNotAllowed(response, 'POST');
      return invoke(decodeOperation(url.pathname.slice(INVOKE_PATH.length)), request, response);
    }
    if (url.pathname === EVENTS_PATH) {
      return sendJson(response, 426, {
        ok: false,
        error: { code: 'INVALID_INPUT', message: 'The event stream is a WebSocket.' },
      });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return sendMethodNotAllowed(response, 'GET, HEAD');
    }
    const file = await readRendererFile(options.rendererDir, url.pathname);
    response.writeHead(file.status, file.headers);
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  async function invoke(
    operation: string | null,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    // Refused from its announced length, before a byte of it is read.
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      closeAfterResponse(response);
      return sendJson(response, 413, invalidInput('The request body is too large.'));
    }
    const contentType = request.headers['content-type'] ?? '';
    // Also keeps out the "simple" cross-site form posts that need no CORS preflight.
    if (!/^application\/json\b/i.test(contentType)) {
      closeAfterResponse(response);
      return sendJson(
        response,
        415,
        invalidInput('The request body must be JSON (Content-Type: application/json).'),
      );
    }
    const body = await readBody(request);
    // The client went away, or the request timeout closed its connection: no one to answer.
    if (body === 'aborted') return;
    if (body === 'too-large') {
      closeAfterResponse(response);
      return sendJson(response, 413, invalidInput('The request body is too large.'));
    }
    let input: unknown = undefined;
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch {
        return sendJson(response, 400, invalidInput('The request body is not valid JSON.'));
      }
    }
    const result = await dispatch(options.handlers, operation, input);
    sendJson(response, result.ok ? 200 : httpStatusOf(result.error.code), result);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const refusal = checkAccess(policy, request.headers, 'websocket');
    if (refusal) return refuseUpgrade(socket, refusal.status, refusalMessage(refusal));
    if (url.pathname !== EVENTS_PATH) return refuseUpgrade(socket, 404, 'Not found.');
    sockets.handleUpgrade(request, socket, head, (client) => {
      (client as AliveSocket).alive = true;
      client.on('pong', () => ((client as AliveSocket).alive = true));
      // The stream is one way; whatever a client sends is ignored.
      client.on('message', () => undefined);
      client.on('error', () => client.terminate());
    });
  });

  const offBus = options.bus.onAny((event, payload) => {
    if (sockets.clients.size === 0) return;
    const message = JSON.stringify({ event, payload });
    for (const client of sockets.clients) {
      if (client.readyState !== client.OPEN) continue;
      if (client.bufferedAmount > MAX_BUFFERED_BYTES) client.terminate();
      else client.send(message);
    }
  });

  const heartbeat = setInterval(() => {
    for (const client of sockets.clients as Set<AliveSocket>) {
      if (!client.alive) {
        client.terminate();
        continue;
      }
      client.alive = false;
      client.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  policy.port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${policy.port}`;

  let closing: Promise<void> | undefined;
  return {
    // A fragment never leaves the browser: not in a request, not in a Referer.
    url: `${origin}/#${TOKEN_FRAGMENT_PARAM}=${token}`,
    origin,
    port: policy.port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        offBus();
        clearInterval(heartbeat);
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

type AliveSocket = WebSocket & { alive: boolean };

function decodeOperation(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * The body, cut off as soon as it passes MAX_BODY_BYTES (a chunked body announces no length):
 * reading stops there and the caller refuses it at once, without waiting for the rest.
 */
function readBody(request: IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: Buffer | 'too-large' | 'aborted') => {
      request.off('data', onData);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      request.pause();
      settle('too-large');
    };
    request.on('data', onData);
    request.once('end', () => settle(Buffer.concat(chunks)));
    // A promise settles once: a 'close' after 'end' changes nothing.
    request.once('close', () => settle('aborted'));
    request.once('error', () => settle('aborted'));
  });
}

function invalidInput(message: string): Result<never> {
  return { ok: false, error: { code: 'INVALID_INPUT', message } };
}

function internalError(): Result<never> {
  return { ok: false, error: { code: 'INTERNAL', message: 'The browser-mode server failed.' } };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

/** The API gets the typed error; a page or file gets the sentence, for the person at the browser. */
function sendRefusal(response: ServerResponse, refusal: AccessRefusal, api: boolean): void {
  closeAfterResponse(response);
  if (!api) {
    response.writeHead(refusal.status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    response.end(`${refusalMessage(refusal)}\n`);
    return;
  }
  const code: ErrorCode = refusal.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN';
  sendJson(response, refusal.status, {
    ok: false,
    error: {
      code,
      message: refusalMessage(refusal),
      details: { transport: 'browser-mode', reason: refusal.reason },
    },
  });
}

/**
 * A refused request's connection goes with it: whatever body it was sending is never read, and
 * the client gets no second try on a connection that is already known to be bad.
 */
function closeAfterResponse(response: ServerResponse): void {
  response.setHeader('Connection', 'close');
  response.once('finish', () => response.socket?.destroy());
}

/** The body of a method we do not take is not read either. */
function sendMethodNotAllowed(response: ServerResponse, allow: string): void {
  closeAfterResponse(response);
  response.setHeader('Allow', allow);
  sendJson(response, 405, invalidInput(`Method not allowed; use ${allow}.`));
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Refused';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    // Not left half-open for a client that never closes its side.
    () => socket.destroy(),
  );
}
