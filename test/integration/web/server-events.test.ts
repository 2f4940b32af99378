import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EVENTS_PROTOCOL, tokenProtocol } from '../../../shared/browser-mode-access';
import { useWebServer } from '../../fixtures/web-server';

/** Browser mode's event stream: the WebSocket a page keeps open, and who may open it. */

const web = useWebServer();
const { bearer } = web;

describe('browser mode events over WebSocket', () => {
  const connect = (headers: Record<string, string>, origin?: string) =>
    new WebSocket(`ws://127.0.0.1:${web.server.port}/api/events`, {
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
    const socket = connect(bearer(), web.server.origin);
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
      groupingLabel: 'app.kubernetes.io/part-of',
      latencyThresholdMs: 500,
      recommendationHeadroom: 0.15,
      settleSeconds: 30,
      errorRateThreshold: 0.01,
      appUrls: {},
    };
    web.bus.emit('settings', settings);
    expect(await received).toEqual({ event: 'settings', payload: settings });
    socket.close();
  });

  it('refuses an upgrade without a token (401) or with a wrong one (401)', async () => {
    expect(await refusal(connect({}))).toBe(401);
    expect(await refusal(connect({ authorization: 'Bearer nope' }))).toBe(401);
  });

  it('refuses an upgrade with a foreign Host (403) or a foreign Origin (403), even with the token', async () => {
    expect(await refusal(connect({ ...bearer(), host: `evil.example:${web.server.port}` }))).toBe(
      403,
    );
    expect(await refusal(connect(bearer(), 'https://evil.example'))).toBe(403);
    expect(await refusal(connect(bearer(), `http://127.0.0.1:${web.server.port + 1}`))).toBe(403);
  });

  it('accepts the token as a subprotocol, as a page sends it, and answers the events protocol only', async () => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${web.server.port}/api/events`,
      [EVENTS_PROTOCOL, tokenProtocol(web.server.token)],
      { origin: web.server.origin },
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
      new WebSocket(`ws://127.0.0.1:${web.server.port}/api/events`, protocols, {
        headers,
        origin: web.server.origin,
      });
    expect(await refusal(withProtocols([EVENTS_PROTOCOL, tokenProtocol('nope')]))).toBe(401);
    expect(await refusal(withProtocols([EVENTS_PROTOCOL]))).toBe(401);
    const cookie = { cookie: `scaledesk_token_${web.server.port}=${web.server.token}` };
    expect(await refusal(withProtocols([EVENTS_PROTOCOL], cookie))).toBe(401);
  });

  it('closes its clients when the server stops', async () => {
    const socket = connect(bearer(), web.server.origin);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await web.server.close();
    await closed;
  });
});
