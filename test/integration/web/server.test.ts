import { describe, expect, it } from 'vitest';
import { httpStatusOf } from '../../../main/web/server';
import { tokenProtocol } from '../../../shared/browser-mode-access';
import { errorCodes, ScaleDeskError } from '../../../shared/errors';
import { request } from '../../fixtures/http-client';
import { useWebServer } from '../../fixtures/web-server';

/** Browser mode's HTTP API: who may call it, and what a call answers. */

const web = useWebServer();
const { bearer, invoke } = web;
const json = { 'content-type': 'application/json' };
/** A change of web's replicas in the app shop, as the replica editor sends it. */
const setWebReplicas = (replicas: number) =>
  invoke('process.setReplicas', { namespace: 'shop', app: 'shop', process: 'web', replicas });

describe('browser mode over HTTP', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying a long random token in its fragment', () => {
    expect(web.server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // A fragment is never sent to a server: not to this one, not to any other.
    expect(web.server.url).toBe(`${web.server.origin}/#token=${web.server.token}`);
    expect(web.server.token.length).toBeGreaterThanOrEqual(40);
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
    expect(web.handlers['app.info']).not.toHaveBeenCalled();
    // Anything under /api/ needs the token, not only the operations.
    expect((await request(web.server.port, { path: '/api/nothing-here' })).status).toBe(401);
  });

  it('serves the renderer files without the token, under the CSP, setting no cookie', async () => {
    const page = await request(web.server.port, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>ScaleDesk</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['set-cookie']).toBeUndefined();
    const script = await request(web.server.port, { path: '/assets/app.js' });
    expect(script.status).toBe(200);
    // A token in the query (the old URL) is neither needed nor traded for anything.
    const oldUrl = await request(web.server.port, { path: `/?token=${web.server.token}` });
    expect(oldUrl.status).toBe(200);
    expect(oldUrl.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a wrong token with 401, and takes it from no cookie', async () => {
    const wrong = `${web.server.token.slice(0, -1)}x`;
    expect((await invoke('app.info', {}, { authorization: `Bearer ${wrong}` })).status).toBe(401);
    expect((await invoke('app.info', {}, { authorization: 'Basic abc' })).status).toBe(401);
    // The browser would send a cookie to every port of 127.0.0.1: it is no credential here.
    const cookie = { cookie: `scaledesk_token_${web.server.port}=${web.server.token}` };
    expect((await invoke('app.info', {}, cookie)).status).toBe(401);
    // The subprotocol carries the token in a WebSocket handshake only.
    const protocol = { 'sec-websocket-protocol': tokenProtocol(web.server.token) };
    expect((await invoke('app.info', {}, protocol)).status).toBe(401);
    expect(web.handlers['app.info']).not.toHaveBeenCalled();
  });

  it.each([
    ['a DNS-rebinding host name', (port: number) => `evil.example:${port}`],
    ['another port', (port: number) => `127.0.0.1:${port + 1}`],
    ['no port', () => '127.0.0.1'],
    ['a bare IPv6 loopback', (port: number) => `[::1]:${port}`],
  ])(
    'refuses a request with a foreign Host header (%s) with 403, even with the token',
    async (_name, host) => {
      const response = await invoke('app.info', {}, { ...bearer(), host: host(web.server.port) });
      expect(response.status).toBe(403);
      expect(response.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(web.handlers['app.info']).not.toHaveBeenCalled();
    },
  );

  it('answers to localhost:PORT as well as 127.0.0.1:PORT', async () => {
    const response = await invoke(
      'app.info',
      {},
      { ...bearer(), host: `localhost:${web.server.port}` },
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
      const response = await invoke(
        'app.info',
        {},
        { ...bearer(), origin: origin(web.server.port) },
      );
      expect(response.status).toBe(403);
      expect(web.handlers['app.info']).not.toHaveBeenCalled();
    },
  );

  it('refuses a subresource request a browser marks cross-site or same-site', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const response = await request(web.server.port, {
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
      { ...bearer(), origin: web.server.origin, 'sec-fetch-site': 'same-origin' },
    );
    expect(response.status).toBe(200);
  });

  it('never sends CORS headers, not even to a preflight', async () => {
    const responses = [
      await invoke('app.info', {}),
      await invoke('app.info', {}, { ...bearer(), origin: 'https://evil.example' }),
      await request(web.server.port, {
        method: 'OPTIONS',
        path: '/api/invoke/app.info',
        headers: {
          ...bearer(),
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
        },
      }),
      await request(web.server.port, {
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
    const response = await setWebReplicas(101);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'replicas must be a whole number from 0 to 100; got 101',
        details: { operation: 'process.setReplicas', issues: [{ path: 'replicas' }] },
      },
    });
    expect(web.handlers['process.setReplicas']).not.toHaveBeenCalled();
  });

  it('refuses an unknown operation, a body that is not JSON, and a non-JSON content type', async () => {
    expect((await invoke('cluster.delete', {})).status).toBe(400);
    const malformed = await request(web.server.port, {
      method: 'POST',
      path: '/api/invoke/app.info',
      headers: { ...bearer(), ...json },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    const form = await request(web.server.port, {
      method: 'POST',
      path: '/api/invoke/app.info',
      headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    expect(web.handlers['app.info']).not.toHaveBeenCalled();
  });

  it('only POSTs operations', async () => {
    const response = await request(web.server.port, {
      path: '/api/invoke/app.info',
      headers: bearer(),
    });
    expect(response.status).toBe(405);
  });

  it('sends a service failure with its typed error and the matching status', async () => {
    web.handlers['process.setReplicas'].mockRejectedValueOnce(
      new ScaleDeskError('CONFLICT', 'web was changed by someone else.', { current: 3 }),
    );
    const conflict = await setWebReplicas(4);
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
      const response = await request(web.server.port, { path: attempt, headers: bearer() });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.body).not.toContain('not for browsers');
    }
  });
});
