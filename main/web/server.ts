import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ErrorCode, Result } from '../../shared/errors';
import type { EventBus } from '../transport/event-bus';
import { dispatch, type Handlers } from '../transport/dispatch';
import {
  checkAccess,
  checkOrigin,
  createAccessToken,
  refusalMessage,
  tokenCookieName,
  tokenMatches,
  type AccessPolicy,
  type AccessRefusal,
} from './access';
import { readRendererFile, SECURITY_HEADERS } from './renderer-files';

/**
 * Browser mode's transport: the same contract as the desktop IPC, over HTTP on 127.0.0.1.
 *   POST /api/invoke/<operation>  JSON input  ->  {ok, value} | {ok: false, error}
 *   GET  /api/events              WebSocket; each message is {event, payload}
 *   GET  /?token=T                sets the access cookie and redirects to /
 *   GET  anything else            a file of the built renderer
 * Every request passes the access checks of ./access first. No CORS header is ever sent.
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
}

export interface WebServer {
  /** The URL to open, carrying the token. */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export const INVOKE_PATH = '/api/invoke/';
export const EVENTS_PATH = '/api/events';
const MAX_BODY_BYTES = 1024 * 1024;
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
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  const server = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      console.error('scaledesk: browser-mode request failed', error);
      if (!response.headersSent) sendJson(response, 500, internalError());
      else response.destroy();
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');

    // The one request that may come without the cookie: the printed URL, bringing the token.
    const urlToken = url.searchParams.get('token');
    if (request.method === 'GET' && url.pathname === '/' && urlToken !== null) {
      const refusal =
        checkOrigin(policy, request.headers) ??
        (tokenMatches(token, urlToken) ? null : ({ status: 401, reason: 'token-wrong' } as const));
      if (refusal) return sendRefusal(response, refusal, false);
      response.writeHead(303, {
        ...SECURITY_HEADERS,
        'Set-Cookie': `${tokenCookieName(policy.port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
        'Cache-Control': 'no-store',
      });
      response.end();
      return;
    }

    const refusal = checkAccess(policy, request.headers);
    if (refusal) return sendRefusal(response, refusal, url.pathname.startsWith('/api/'));

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
    const contentType = request.headers['content-type'] ?? '';
    // Also keeps out the "simple" cross-site form posts that need no CORS preflight.
    if (!/^application\/json\b/i.test(contentType)) {
      request.resume();
      return sendJson(
        response,
        415,
        invalidInput('The request body must be JSON (Content-Type: application/json).'),
      );
    }
    const body = await readBody(request);
    if (body === 'too-large') {
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
    const refusal = checkAccess(policy, request.headers);
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
    url: `${origin}/?token=${token}`,
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

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
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

function sendMethodNotAllowed(response: ServerResponse, allow: string): void {
  response.setHeader('Allow', allow);
  sendJson(response, 405, invalidInput(`Method not allowed; use ${allow}.`));
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Refused';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}
