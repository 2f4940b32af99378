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
 * The renderer's browser-mode bridge (renderer/src/bridge.ts) against the real server. A page
 * carries the token in its cookie; here the test's fetch and WebSocket add it as a header.
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

function bridgeTo(server: WebServer, token = server.token) {
  const auth = { authorization: `Bearer ${token}` };
  const bridge = createHttpBridge({
    baseUrl: server.origin,
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...auth } }),
    WebSocket: class extends WebSocket {
      constructor(url: string) {
        super(url, { headers: auth, origin: server.origin });
      }
    } as unknown as new (url: string) => globalThis.WebSocket,
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
        message: 'workers: A gunicorn process needs at least 1 worker.',
      },
    });
    expect(handlers['process.setWorkers']).not.toHaveBeenCalled();
  });

  it('gets a typed error, not an exception, when refused or when the server is gone', async () => {
    const { server } = await serve();
    expect(await bridgeTo(server, 'wrong').invoke('app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
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
    bus.emit('operation', progress);
    await new Promise((r) => setTimeout(r, 50));
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
