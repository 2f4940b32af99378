import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from '../../../main/transport/event-bus';
import {
  httpStatusOf,
  MAX_BODY_BYTES,
  startWebServer,
  type WebServer,
} from '../../../main/web/server';
import { EVENTS_PROTOCOL, tokenProtocol } from '../../../shared/browser-mode-access';
import { errorCodes, ScaleDeskError } from '../../../shared/errors';
import { fakeHandlers } from '../../fixtures/handlers';
import { rawExchange, request } from '../../fixtures/http-client';

let rendererDir: string;
let server: WebServer;
let bus: EventBus;
let handlers: ReturnType<typeof fakeHandlers>;

beforeAll(() => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-web-'));
  rendererDir = path.join(base, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ScaleDesk</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(path.join(base, 'secret.txt'), 'not for browsers');
});

afterAll(() => rmSync(path.dirname(rendererDir), { recursive: true, force: true }));

beforeEach(async () => {
  bus = new EventBus();
  handlers = fakeHandlers();
  server = await startWebServer({ handlers, bus, rendererDir, port: 0 });
});

afterEach(() => server.close());

const bearer = () => ({ authorization: `Bearer ${server.token}` });
const json = { 'content-type': 'application/json' };
const invoke = (operation: string, input: unknown, headers: Record<string, string> = bearer()) =>
  request(server.port, {
    method: 'POST',
    path: `/api/invoke/${operation}`,
    headers: { ...json, ...headers },
    body: JSON.stringify(input),
  });

describe('browser mode over HTTP', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying a long random token in its fragment', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // A fragment is never sent to a server: not to this one, not to any other.
    expect(server.url).toBe(`${server.origin}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('runs an operation for a request with the token', async () => {
    const response = await invoke('app.info', {});
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({
      ok: true,
      value: { name: 'ScaleDesk', version: '9.9.9', mode: 'desktop', platform: 'linux' },
    });
  });

  it('refuses an operation without a token with 401 and what to do, calling nothing', async () => {
    const response = await invoke('app.info', {}, {});
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({
      ok: false,
      error: {
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('open the URL that "npm run web" printed'),
        details: { transport: 'browser-mode', reason: 'token-missing' },
      },
    });
    expect(handlers['app.info']).not.toHaveBeenCalled();
    // Anything under /api/ needs the token, not only the operations.
    expect((await request(server.port, { path: '/api/nothing-here' })).status).toBe(401);
  });

  it('serves the renderer files without the token, under the CSP, setting no cookie', async () => {
    const page = await request(server.port, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>ScaleDesk</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['set-cookie']).toBeUndefined();
    const script = await request(server.port, { path: '/assets/app.js' });
    expect(script.status).toBe(200);
    // A token in the query (the old URL) is neither needed nor traded for anything.
    const oldUrl = await request(server.port, { path: `/?token=${server.token}` });
    expect(oldUrl.status).toBe(200);
    expect(oldUrl.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a wrong token with 401, and takes it from no cookie', async () => {
    const wrong = `${server.token.slice(0, -1)}x`;
    expect((await invoke('app.info', {}, { authorization: `Bearer ${wrong}` })).status).toBe(401);
    expect((await invoke('app.info', {}, { authorization: 'Basic abc' })).status).toBe(401);
    // The browser would send a cookie to every port of 127.0.0.1: it is no credential here.
    const cookie = { cookie: `scaledesk_token_${server.port}=${server.token}` };
    expect((await invoke('app.info', {}, cookie)).status).toBe(401);
    // The subprotocol carries the token in a WebSocket handshake only.
    const protocol = { 'sec-websocket-protocol': tokenProtocol(server.token) };
    expect((await invoke('app.info', {}, protocol)).status).toBe(401);
    expect(handlers['app.info']).not.toHaveBeenCalled();
  });

  it.each([
    ['a DNS-rebinding host name', (port: number) => `evil.example:${port}`],
    ['another port', (port: number) => `127.0.0.1:${port + 1}`],
    ['no port', () => '127.0.0.1'],
    ['a bare IPv6 loopback', (port: number) => `[::1]:${port}`],
  ])(
    'refuses a request with a foreign Host header (%s) with 403, even with the token',
    async (_name, host) => {
      const response = await invoke('app.info', {}, { ...bearer(), host: host(server.port) });
      expect(response.status).toBe(403);
      expect(response.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(handlers['app.info']).not.toHaveBeenCalled();
    },
  );

  it('answers to localhost:PORT as well as 127.0.0.1:PORT', async () => {
    const response = await invoke(
      'app.info',
      {},
      { ...bearer(), host: `localhost:${server.port}` },
    );
    expect(response.status).toBe(200);
  });

  it.each([
    ['another site', () => 'https://evil.example'],
    ['another local port', (port: number) => `http://127.0.0.1:${port + 1}`],
    ['an opaque origin', () => 'null'],
    ['https on our own port', (port: number) => `https://127.0.0.1:${port}`],
  ])(
    'refuses a request from a foreign Origin (%s) with 403, even with the token',
    async (_name, origin) => {
      const response = await invoke('app.info', {}, { ...bearer(), origin: origin(server.port) });
      expect(response.status).toBe(403);
      expect(handlers['app.info']).not.toHaveBeenCalled();
    },
  );

  it('refuses a subresource request a browser marks cross-site or same-site', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const response = await request(server.port, {
        path: '/assets/app.js',
        headers: { ...bearer(), 'sec-fetch-site': site },
      });
      expect(response.status).toBe(403);
    }
  });

  it('accepts its own origin', async () => {
    const response = await invoke(
      'app.info',
      {},
      { ...bearer(), origin: server.origin, 'sec-fetch-site': 'same-origin' },
    );
    expect(response.status).toBe(200);
  });

  it('never sends CORS headers, not even to a preflight', async () => {
    const responses = [
      await invoke('app.info', {}),
      await invoke('app.info', {}, { ...bearer(), origin: 'https://evil.example' }),
      await request(server.port, {
        method: 'OPTIONS',
        path: '/api/invoke/app.info',
        headers: {
          ...bearer(),
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
        },
      }),
      await request(server.port, {
        method: 'OPTIONS',
        path: '/api/invoke/app.info',
        headers: bearer(),
      }),
    ];
    for (const response of responses) {
      expect(
        Object.keys(response.headers).filter((name) => name.startsWith('access-control-')),
      ).toEqual([]);
    }
  });

  it('refuses input that fails its schema with 400 and the typed error, calling nothing', async () => {
    const response = await invoke('process.setReplicas', {
      namespace: 'shop',
      app: 'shop',
      process: 'web',
      replicas: 101,
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'replicas: Replicas cannot be more than 100.',
        details: { operation: 'process.setReplicas', issues: [{ path: 'replicas' }] },
      },
    });
    expect(handlers['process.setReplicas']).not.toHaveBeenCalled();
  });

  it('refuses an unknown operation, a body that is not JSON, and a non-JSON content type', async () => {
    expect((await invoke('cluster.delete', {})).status).toBe(400);
    const malformed = await request(server.port, {
      method: 'POST',
      path: '/api/invoke/app.info',
      headers: { ...bearer(), ...json },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    const form = await request(server.port, {
      method: 'POST',
      path: '/api/invoke/app.info',
      headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    expect(handlers['app.info']).not.toHaveBeenCalled();
  });

  it('only POSTs operations', async () => {
    const response = await request(server.port, {
      path: '/api/invoke/app.info',
      headers: bearer(),
    });
    expect(response.status).toBe(405);
  });

  it('sends a service failure with its typed error and the matching status', async () => {
    handlers['process.setReplicas'].mockRejectedValueOnce(
      new ScaleDeskError('CONFLICT', 'web was changed by someone else.', { current: 3 }),
    );
    const conflict = await invoke('process.setReplicas', {
      namespace: 'shop',
      app: 'shop',
      process: 'web',
      replicas: 4,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.json()).toEqual({
      ok: false,
      error: {
        code: 'CONFLICT',
        message: 'web was changed by someone else.',
        details: { current: 3 },
      },
    });
    const notConnected = await invoke('apps.list', {});
    expect(notConnected.status).toBe(503);
  });

  it('gives every error code a 4xx or 5xx status', () => {
    for (const code of errorCodes) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
  });

  it('serves no file outside the renderer folder', async () => {
    for (const attempt of [
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const response = await request(server.port, { path: attempt, headers: bearer() });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.body).not.toContain('not for browsers');
    }
  });
});

describe('browser mode events over WebSocket', () => {
  const connect = (headers: Record<string, string>, origin?: string) =>
    new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, {
      headers,
      ...(origin !== undefined && { origin }),
    });

  /** The status of a refused upgrade; throws if the socket opened. */
  const refusal = (socket: WebSocket) =>
    new Promise<number>((resolve, reject) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => reject(new Error('the WebSocket was accepted')));
      socket.on('error', () => undefined);
    });

  it('delivers an event emitted on the bus to a client with the token', async () => {
    const socket = connect(bearer(), server.origin);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const received = new Promise<unknown>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    const settings = {
      lastContext: null,
      lastNamespace: null,
      metricsIntervalSeconds: 15,
      maxReplicas: 10,
      theme: 'dark' as const,
      latencyThresholdMs: 500,
      errorRateThreshold: 0.01,
      appUrls: {},
    };
    bus.emit('settings', settings);
    expect(await received).toEqual({ event: 'settings', payload: settings });
    socket.close();
  });

  it('refuses an upgrade without a token (401) or with a wrong one (401)', async () => {
    expect(await refusal(connect({}))).toBe(401);
    expect(await refusal(connect({ authorization: 'Bearer nope' }))).toBe(401);
  });

  it('refuses an upgrade with a foreign Host (403) or a foreign Origin (403), even with the token', async () => {
    expect(await refusal(connect({ ...bearer(), host: `evil.example:${server.port}` }))).toBe(403);
    expect(await refusal(connect(bearer(), 'https://evil.example'))).toBe(403);
    expect(await refusal(connect(bearer(), `http://127.0.0.1:${server.port + 1}`))).toBe(403);
  });

  it('accepts the token as a subprotocol, as a page sends it, and answers the events protocol only', async () => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${server.port}/api/events`,
      [EVENTS_PROTOCOL, tokenProtocol(server.token)],
      { origin: server.origin },
    );
    const answered = new Promise<string | undefined>((resolve) =>
      socket.once('upgrade', (response) => resolve(response.headers['sec-websocket-protocol'])),
    );
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    expect(await answered).toBe(EVENTS_PROTOCOL);
    expect(socket.protocol).toBe(EVENTS_PROTOCOL);
    socket.close();
  });

  it('refuses an upgrade with a wrong token as a subprotocol, or with the token in a cookie (401)', async () => {
    const withProtocols = (protocols: string[], headers: Record<string, string> = {}) =>
      new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, protocols, {
        headers,
        origin: server.origin,
      });
    expect(await refusal(withProtocols([EVENTS_PROTOCOL, tokenProtocol('nope')]))).toBe(401);
    expect(await refusal(withProtocols([EVENTS_PROTOCOL]))).toBe(401);
    const cookie = { cookie: `scaledesk_token_${server.port}=${server.token}` };
    expect(await refusal(withProtocols([EVENTS_PROTOCOL], cookie))).toBe(401);
  });

  it('closes its clients when the server stops', async () => {
    const socket = connect(bearer(), server.origin);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await server.close();
    await closed;
  });
});

describe('browser mode request bodies and connections', () => {
  /** Fails with a sentence, rather than the test's own timeout, where the server never acts. */
  const within = <T>(promise: Promise<T>, what: string, ms = 5_000) =>
    Promise.race([
      promise,
      new Promise<never>((_resolve, reject) =>
        setTimeout(() => reject(new Error(`the server did not ${what} within ${ms} ms`)), ms),
      ),
    ]);

  const postHead = (port: number, headers: string) =>
    `POST /api/invoke/app.info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Content-Type: application/json\r\n${headers}\r\n`;

  it('refuses a body announced over the limit with 413 before a byte of it is sent, and closes', async () => {
    const exchange = await rawExchange(server.port);
    await exchange.write(
      postHead(
        server.port,
        `Authorization: Bearer ${server.token}\r\nContent-Length: ${256 * 1024 * 1024}\r\n`,
      ),
    );
    await within(exchange.closed, 'answer and close');
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(exchange.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(handlers['app.info']).not.toHaveBeenCalled();
  });

  it('cuts a chunked body off as soon as it passes the limit, without waiting for its end', async () => {
    const exchange = await rawExchange(server.port);
    await exchange.write(
      postHead(
        server.port,
        `Authorization: Bearer ${server.token}\r\nTransfer-Encoding: chunked\r\n`,
      ),
    );
    const chunk = Buffer.alloc(64 * 1024, ' ');
    const frame = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]);
    // One chunk past the limit, and never the last chunk that would end the body.
    for (let sent = 0; sent <= MAX_BODY_BYTES; sent += chunk.length) {
      if (!(await exchange.write(frame))) break;
    }
    await within(exchange.closed, 'answer and close');
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(handlers['app.info']).not.toHaveBeenCalled();
  });

  it('answers 408 and closes the connection of a body that arrives too slowly', async () => {
    const slow = await startWebServer({
      handlers,
      bus,
      rendererDir,
      timeouts: { headersMs: 200, requestMs: 200, checkIntervalMs: 20 },
    });
    try {
      const exchange = await rawExchange(slow.port);
      await exchange.write(
        postHead(slow.port, `Authorization: Bearer ${slow.token}\r\nContent-Length: 100\r\n`),
      );
      await exchange.write('{"a":');
      await within(exchange.closed, 'time the body out', 3_000);
      expect(exchange.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(handlers['app.info']).not.toHaveBeenCalled();
    } finally {
      await slow.close();
    }
  });

  it('closes a connection left idle, before and after a request', async () => {
    const idle = await startWebServer({
      handlers,
      bus,
      rendererDir,
      timeouts: { headersMs: 200, requestMs: 200, keepAliveMs: 200, checkIntervalMs: 20 },
    });
    try {
      const silent = await rawExchange(idle.port);
      await within(silent.closed, 'close a connection that sends nothing', 3_000);

      const kept = await rawExchange(idle.port);
      await kept.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${idle.port}\r\n\r\n`);
      await within(kept.closed, 'close a kept-alive connection', 3_000);
      expect(kept.received()).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await idle.close();
    }
  });

  it('closes the connection after refusing a request without the token (401)', async () => {
    const exchange = await rawExchange(server.port);
    // A request that asks to keep the connection, with a body the server does not want.
    await exchange.write(postHead(server.port, 'Connection: keep-alive\r\nContent-Length: 2\r\n'));
    await exchange.write('{}');
    await within(exchange.closed, 'close the connection');
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(exchange.received()).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('closes the connection after refusing a foreign Host (403)', async () => {
    const exchange = await rawExchange(server.port);
    await exchange.write(`GET / HTTP/1.1\r\nHost: evil.example:${server.port}\r\n\r\n`);
    await within(exchange.closed, 'close the connection');
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('keeps the connection of an accepted request open for the next one', async () => {
    const exchange = await rawExchange(server.port);
    const get = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`;
    await exchange.write(get);
    await within(exchange.answered, 'answer');
    expect(await exchange.write(get)).toBe(true);
    await within(
      new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (exchange.received().match(/HTTP\/1\.1 200 /g)?.length === 2) {
            clearInterval(check);
            resolve();
          }
        }, 10);
      }),
      'answer the second request on the same connection',
    );
    exchange.destroy();
  });
});
