import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointMonitor, probe, type ProbeResult } from '../../../main/model/app-endpoint';

/**
 * A probe refused by the API server (401 or 403 on services/proxy, a Kubernetes Status) is
 * "cannot check", never the app's answer; a 401 or 403 of the app's own is the app answering.
 */

const STATUS_403 = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message:
    'services "shop-web" is forbidden: User "view" cannot get resource "services/proxy" in API group "" in the namespace "shop"',
  reason: 'Forbidden',
  details: { name: 'shop-web', kind: 'services' },
  code: 403,
});

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/status-403') {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(STATUS_403);
    } else if (req.url === '/status-401') {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', reason: 'Unauthorized', code: 401 }));
    } else if (req.url === '/app-403') {
      res.writeHead(403, { 'Content-Type': 'text/html' });
      res.end('<h1>Forbidden</h1>');
    } else {
      res.writeHead(503);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function cluster(): { kubeConfig: KubeConfig; namespace: string } {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: base, skipTLSVerify: true }],
    users: [{ name: 'view', token: 'view-token' }],
    contexts: [{ name: 'view', cluster: 'c', user: 'view' }],
    currentContext: 'view',
  });
  return { kubeConfig, namespace: 'shop' };
}

describe('a probe', () => {
  it("reads the API server's 403 through the proxy as refused, naming services/proxy and the namespace", async () => {
    const result = await probe(`${base}/status-403`, cluster(), 2_000);
    expect(result).toMatchObject({ ok: false, refused: true, status: 403, latencyMs: null });
    expect(result.message).toBe(
      'Cannot check this app: you may not use services/proxy in namespace shop.',
    );
  });

  it("reads the API server's 401 through the proxy as refused too", async () => {
    const result = await probe(`${base}/status-401`, cluster(), 2_000);
    expect(result).toMatchObject({ ok: false, refused: true, status: 401 });
    expect(result.message).toMatch(/^Cannot check this app: .*services\/proxy in namespace shop/);
  });

  it("reads the app's own 403 behind the proxy as the app answering", async () => {
    const result = await probe(`${base}/app-403`, cluster(), 2_000);
    expect(result).toMatchObject({ ok: true, refused: false, status: 403 });
  });

  it("reads a 403 at the app's own URL as the app answering, as before", async () => {
    const result = await probe(`${base}/status-403`, null, 2_000);
    expect(result).toMatchObject({ ok: true, refused: false, status: 403 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

function result(overrides: Partial<ProbeResult>): ProbeResult {
  return {
    at: Date.parse('2026-01-01T10:00:00Z'),
    ok: true,
    refused: false,
    latencyMs: 5,
    status: 200,
    message: null,
    ...overrides,
  };
}

const THRESHOLDS = { latencyThresholdMs: 500, errorRateThreshold: 0.01 };

describe("an app's endpoint health", () => {
  it('is "cannot check" with the reason, and no latency or error rate, after a refused probe', () => {
    const monitor = new EndpointMonitor();
    const message = 'Cannot check this app: you may not use services/proxy in namespace shop.';
    monitor.record('shop/web', result({ ok: false, refused: true, latencyMs: null, message }));
    expect(monitor.health('shop/web', THRESHOLDS)).toEqual({
      state: 'cannot-check',
      latencyMs: null,
      errorRate: null,
      checkedAt: '2026-01-01T10:00:00.000Z',
      message,
    });
    expect(monitor.errorRate('shop/web')).toBeNull();
  });

  it('counts refusals in neither the answers nor the errors', () => {
    const monitor = new EndpointMonitor();
    monitor.record('shop/web', result({ ok: false, refused: true, latencyMs: null }));
    monitor.record('shop/web', result({ ok: false, latencyMs: null, status: 503 }));
    monitor.record('shop/web', result({}));
    expect(monitor.errorRate('shop/web')).toBe(0.5);
    expect(monitor.health('shop/web', THRESHOLDS)?.state).toBe('answering');
  });

  it('is "not answering" after an error of the app', () => {
    const monitor = new EndpointMonitor();
    monitor.record('shop/web', result({ ok: false, latencyMs: null, status: 503 }));
    expect(monitor.health('shop/web', THRESHOLDS)?.state).toBe('not-answering');
  });
});
