import { request } from 'node:https';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../main/sandbox';

/** A sandbox with short intervals, and real client-node clients for both of its users. */
export interface SandboxFixture {
  sandbox: Sandbox;
  admin: KubeConfig;
  viewer: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  viewerApps: AppsV1Api;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<SandboxFixture> {
  const sandbox = await startSandbox({ metricsIntervalMs: 200, readyDelayMs: 100, ...options });
  const admin = new KubeConfig();
  admin.loadFromFile(sandbox.kubeconfigPath);
  const viewer = new KubeConfig();
  viewer.loadFromFile(sandbox.kubeconfigPath);
  viewer.setCurrentContext('sandbox-viewer');
  return {
    sandbox,
    admin,
    viewer,
    apps: admin.makeApiClient(AppsV1Api),
    core: admin.makeApiClient(CoreV1Api),
    viewerApps: viewer.makeApiClient(AppsV1Api),
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails with the last reason. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** The error a client-node call failed with, for asserting on its code and Status body. */
export async function failure(call: Promise<unknown>): Promise<{
  code: number;
  body: { reason?: string; message?: string; details?: { causes?: { field?: string }[] } };
}> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    if (typeof e.code !== 'number') throw error;
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { code: e.code, body: (body ?? {}) as never };
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** A plain HTTPS request to the sandbox (verifying its CA), with or without a bearer token. */
export function rawRequest(
  sandbox: Sandbox,
  path: string,
  token?: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sandbox.url}${path}`,
      {
        method: init.method ?? 'GET',
        ca: sandbox.caPem,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(init.headers ?? {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
