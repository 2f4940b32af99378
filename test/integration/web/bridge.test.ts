import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from '../../../main/transport/event-bus';
import { startWebServer, type WebServer } from '../../../main/web/server';
import { createHttpBridge, type HttpBridge } from '../../../renderer/src/bridge';
import type { App } from '../../../shared/app-model';
import { fakeHandlers } from '../../fixtures/handlers';

/**
 * The renderer's browser-mode bridge (renderer/src/bridge.ts) against the real server, with
 * Node's fetch and the ws client in place of the browser's. The bridge presents the token
 * itself, as it does in a page: a header on each call, a subprotocol in the handshake.
 */

let rendererDir: string;
const servers: WebServer[] = [];
const bridges: HttpBridge[] = [];

beforeAll(() => {
  rendererDir = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bridge-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
});
afterAll(() => rmSync(rendererDir, { recursive: true, force: true }));
afterEach(async () => {
  bridges.splice(0).forEach((bridge) => bridge.close());
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(options: { port?: number; token?: string } = {}) {
  const bus = new EventBus();
  const handlers = fakeHandlers();
  const server = await startWebServer({ handlers, bus, rendererDir, ...options });
  servers.push(server);
  return { bus, handlers, server };
}

/** Every request the bridge sent, with its headers, as the server received them. */
function recordRequests(server: WebServer) {
  const seen: Array<{ url: string; headers: Record<string, unknown> }> = [];
  return {
    seen,
    fetch: (input: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
      return fetch(input, init);
    },
    WebSocket: class extends WebSocket {
      constructor(url: string, protocols: string[]) {
        // A browser sends its page's origin; the ws client sends one only when told.
        super(url, protocols, { origin: server.origin });
        seen.push({ url, headers: { 'sec-websocket-protocol': protocols.join(', ') } });
      }
    } as unknown as new (url: string, protocols: string[]) => globalThis.WebSocket,
  };
}

function bridgeTo(server: WebServer, token: string | null = server.token) {
  const { fetch: recordedFetch, WebSocket: RecordedWebSocket } = recordRequests(server);
  const bridge = createHttpBridge({
    baseUrl: server.origin,
    token,
    fetch: recordedFetch,
    WebSocket: RecordedWebSocket,
    minReconnectMs: 20,
    maxReconnectMs: 100,
  });
  bridges.push(bridge);
  return bridge;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('the browser-mode bridge of the renderer', () => {
  it('invokes an operation and gets its value', async () => {
    const { server } = await serve();
    const result = await bridgeTo(server).invoke('app.info', {});
    expect(result).toEqual({
      ok: true,
      value: { name: 'ScaleDesk', version: '9.9.9', mode: 'desktop', platform: 'linux' },
    });
  });

  it('gets the typed error of an input that fails its schema', async () => {
    const { server, handlers } = await serve();
    const result = await bridgeTo(server).invoke('process.setWorkers', {
      namespace: 'shop',
      app: 'shop',
      process: 'web',
      workers: 0,
    });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'workers must be a whole number from 1 to 64; got 0',
      },
    });
    expect(handlers['process.setWorkers']).not.toHaveBeenCalled();
  });

  it('presents the token on each call and in the event handshake, and nothing ambient', async () => {
    const { server } = await serve();
    const recorder = recordRequests(server);
    const bridge = createHttpBridge({
      baseUrl: server.origin,
      token: server.token,
      fetch: recorder.fetch,
      WebSocket: recorder.WebSocket,
    });
    bridges.push(bridge);
    expect((await bridge.invoke('app.info', {})).ok).toBe(true);
    bridge.subscribe('settings', () => undefined);
    // Once the stream is open, the bridge reads the settings it may have missed.
    await until(() => recorder.seen.some(({ url }) => url.endsWith('/settings.get')));
    const [call, handshake] = [
      recorder.seen.find(({ url }) => url.startsWith('http:')),
      recorder.seen.find(({ url }) => url.startsWith('ws:')),
    ];
    expect(call?.headers).toEqual({
      'Content-Type': 'application/json',
      Authorization: `Bearer ${server.token}`,
    });
    expect(handshake?.headers).toEqual({
      'sec-websocket-protocol': `scaledesk.events, scaledesk.token.${server.token}`,
    });
  });

  it('gets a typed error, not an exception, when refused or when the server is gone', async () => {
    const { server } = await serve();
    expect(await bridgeTo(server, 'wrong').invoke('app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    // A tab that never had the printed URL is told what to do.
    expect(await bridgeTo(server, null).invoke('app.info', {})).toMatchObject({
      ok: false,
      error: {
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('open the URL that "npm run web" printed'),
      },
    });
    const bridge = bridgeTo(server);
    await server.close();
    expect(await bridge.invoke('app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'UNREACHABLE' },
    });
  });

  it('delivers the events of a subscribed stream, and stops after unsubscribing', async () => {
    const { server, bus } = await serve();
    const bridge = bridgeTo(server);
    const seen: unknown[] = [];
    const off = bridge.subscribe('operation', (payload) => seen.push(payload));
    const progress = {
      operationId: 'op1',
      appId: 'shop/shop',
      process: 'web',
      phase: 'rolling' as const,
      progress: 0.5,
      message: 'Rolling out',
    };
    // The subscription opens the socket; events emitted before it is open are not queued.
    await until(() => {
      bus.emit('operation', progress);
      return seen.length > 0;
    });
    expect(seen[0]).toEqual(progress);
    off();
    const count = seen.length;
    // A listener still subscribed, and an event after the one under test: events come in order
    // on the one socket, so once the later one is delivered the earlier one was too.
    const still: Array<{ operationId: string }> = [];
    bridge.subscribe('operation', (payload) => still.push(payload));
    bus.emit('operation', progress);
    bus.emit('operation', { ...progress, operationId: 'op2' });
    await until(() => still.some((payload) => payload.operationId === 'op2'));
    expect(seen).toHaveLength(count);
  });

  it('reconnects after the server restarts and resyncs the app list it may have missed', async () => {
    const first = await serve({ token: 'the-token-of-this-test-0123456789abcdef' });
    const port = first.server.port;
    const bridge = bridgeTo(first.server);
    const apps: unknown[] = [];
    bridge.subscribe('apps', (payload) => apps.push(payload));
    await until(() => {
      first.bus.emit('apps', { reset: false, upserted: [], removed: ['gone'] });
      return apps.length > 0;
    });

    await first.server.close();
    const second = await serve({ port, token: 'the-token-of-this-test-0123456789abcdef' });
    const app = { id: 'shop/shop' } as unknown as App;
    second.handlers['apps.list'].mockResolvedValue([app]);

    await until(() => apps.some((payload) => (payload as { reset?: boolean }).reset === true));
    expect(apps.find((payload) => (payload as { reset?: boolean }).reset)).toEqual({
      reset: true,
      upserted: [app],
      removed: [],
    });
  });
});
