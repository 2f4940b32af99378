import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toClusterError } from '../../../main/kube/cluster-errors';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import type { Sandbox } from '../../../main/sandbox';
import { SettingsSchema } from '../../../shared/contract';
import { ClusterSession } from '../../../main/session/cluster-session';
import { EventBus } from '../../../main/transport/event-bus';
import { execKubeConfig } from '../../fixtures/exec-plugin';
import { FAST_LIVE, until } from '../../fixtures/services';
import { rawRequest, startTestSandbox } from '../../fixtures/sandbox';

/**
 * Credentials on a real cluster's bad day, with the real client-node against the sandbox over
 * HTTPS and the sandbox's own exec plugin (a script it writes, run by the `sandbox-exec` user):
 * a plugin runs once per credential lifetime, never twice at once, and backs off after failing.
 */

let sandbox: Sandbox;

beforeAll(async () => {
  ({ sandbox } = await startTestSandbox());
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => {
  sandbox.execPlugin.revokeTokens(0);
  sandbox.execPlugin.set({ kind: 'no-expiry' });
  sandbox.execPlugin.resetRuns();
});

const LIST_NAMESPACES = { verb: 'list', resource: 'namespaces', namespace: undefined } as const;

/** One request through ScaleDesk's KubeConfig: the namespaces, or the typed error it failed with. */
async function listNamespaces(kc: KubeConfig): Promise<string[]> {
  try {
    const list = await kc.makeApiClient(CoreV1Api).listNamespace();
    return list.items.map((n) => n.metadata?.name ?? '');
  } catch (error) {
    throw toClusterError(error, LIST_NAMESPACES);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("the sandbox's exec plugin", () => {
  it('hands out tokens the API server accepts, and refuses once they expire', async () => {
    sandbox.execPlugin.set({ kind: 'tokens', ttlSeconds: 1 });
    const kc = execKubeConfig(sandbox, 'short-lived-raw');
    const headers: Record<string, string> = {};
    await kc.applyToHTTPSOptions({ headers });
    const token = String(headers['Authorization']).replace(/^Bearer /, '');
    expect((await rawRequest(sandbox, '/api/v1/namespaces', token)).status).toBe(200);
    await pause(1_100);
    expect((await rawRequest(sandbox, '/api/v1/namespaces', token)).status).toBe(401);
    expect(sandbox.execPlugin.runs()).toBe(1);
  });
});

describe('ScaleDesk with an exec credential plugin', () => {
  it('runs the plugin once for many requests when its credential carries no expiry', async () => {
    const kc = execKubeConfig(sandbox, 'no-expiry');
    // Concurrent first requests wait for the one run.
    await Promise.all(Array.from({ length: 10 }, () => listNamespaces(kc)));
    for (let i = 0; i < 30; i += 1) expect(await listNamespaces(kc)).toContain('demo');
    expect(sandbox.execPlugin.runs()).toBe(1);
  });

  it('runs it once more after a 401 and sends the refused request again: no failure seen', async () => {
    const kc = execKubeConfig(sandbox, 'revoked');
    await listNamespaces(kc);
    sandbox.execPlugin.revokeTokens();
    // Concurrent requests refused together share the one new run.
    await Promise.all(Array.from({ length: 5 }, () => listNamespaces(kc)));
    for (let i = 0; i < 10; i += 1) expect(await listNamespaces(kc)).toContain('demo');
    expect(sandbox.execPlugin.runs()).toBe(2);
  });

  it('is UNAUTHORIZED where the fresh credential is refused too, and then backs off', async () => {
    const kc = execKubeConfig(sandbox, 'refused-twice');
    await listNamespaces(kc);
    // Every token handed out until a minute from now is refused: the old one and the next one.
    sandbox.execPlugin.revokeTokens(Date.now() + 60_000);
    await expect(listNamespaces(kc)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(sandbox.execPlugin.runs()).toBe(2);
    // Backing off: the refused credential is sent again rather than the plugin run per request.
    for (let i = 0; i < 5; i += 1) {
      await expect(listNamespaces(kc)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect(sandbox.execPlugin.runs()).toBe(2);
  });

  it('renews short-lived tokens before they expire, once per lifetime', async () => {
    sandbox.execPlugin.set({ kind: 'tokens', ttlSeconds: 2 });
    const kc = execKubeConfig(sandbox, 'short-lived');
    const started = Date.now();
    let requests = 0;
    while (Date.now() - started < 4_000) {
      expect(await listNamespaces(kc)).toContain('demo');
      requests += 1;
      await pause(50);
    }
    expect(requests).toBeGreaterThan(30);
    // A run every 1.5 s (renewed half a second before its 2 s are up): 3, not one per request.
    expect(sandbox.execPlugin.runs()).toBeGreaterThanOrEqual(2);
    expect(sandbox.execPlugin.runs()).toBeLessThanOrEqual(4);
  });

  it('backs off a failing plugin: 20 s of requests run it a handful of times, each failure UNAUTHORIZED in its words', async () => {
    sandbox.execPlugin.set({
      kind: 'fail',
      message: 'error: the login has expired; run `sandbox-login`',
    });
    const kc = execKubeConfig(sandbox, 'expired-login');
    const started = Date.now();
    const failures = new Set<string>();
    let requests = 0;
    while (Date.now() - started < 20_000) {
      const outcome = await listNamespaces(kc).then(
        () => null,
        (error: unknown) => error,
      );
      expect(outcome).toMatchObject({ code: 'UNAUTHORIZED' });
      failures.add((outcome as Error).message);
      requests += 1;
      await pause(50);
    }
    expect(requests).toBeGreaterThan(100);
    // 0, 1, 3, 7 and 15 s: 5 runs where client-node ran it 65 times.
    expect(sandbox.execPlugin.runs()).toBeGreaterThanOrEqual(4);
    expect(sandbox.execPlugin.runs()).toBeLessThanOrEqual(6);
    expect([...failures]).toEqual([
      'The credential plugin of the kubeconfig failed: error: the login has expired; run `sandbox-login`. Log in again or fix the plugin, then reconnect.',
    ]);
  }, 40_000);

  it('picks up a recovered plugin by itself once its back-off ends', async () => {
    sandbox.execPlugin.set({ kind: 'fail', message: 'error: the login has expired' });
    const kc = execKubeConfig(sandbox, 'recovers');
    await expect(listNamespaces(kc)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    sandbox.execPlugin.set({ kind: 'no-expiry' });
    await expect(listNamespaces(kc)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(sandbox.execPlugin.runs()).toBe(1);
    await pause(1_050);
    expect(await listNamespaces(kc)).toContain('demo');
    expect(sandbox.execPlugin.runs()).toBe(2);
  });
});

describe('ScaleDesk with an OIDC login', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-oidc-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A port nothing listens on: bound, then closed. */
  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  function jwt(payload: object): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none' })}.${part(payload)}.signature`;
  }

  it('says the issuer did not answer, naming it, where the expired login cannot be refreshed', async () => {
    const issuer = `http://127.0.0.1:${await closedPort()}/realms/ops`;
    const file = path.join(dir, 'oidc.yaml');
    const expired = jwt({ sub: 'ada', exp: Math.floor(Date.now() / 1000) - 60 });
    fs.writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'oidc',
        clusters: [{ name: 'sandbox', cluster: { server: sandbox.url } }],
        users: [
          {
            name: 'ada',
            user: {
              'auth-provider': {
                name: 'oidc',
                config: {
                  'idp-issuer-url': issuer,
                  'client-id': 'scaledesk',
                  'id-token': expired,
                  'refresh-token': 'refresh-me-please',
                },
              },
            },
          },
        ],
        contexts: [{ name: 'oidc', context: { cluster: 'sandbox', user: 'ada' } }],
      }),
    );
    const kc = kubeConfigForContext(loadKubeconfig([file]), 'oidc', [file]);
    const error = await listNamespaces(kc).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe('UNREACHABLE');
    expect(error?.message).toContain(`The OIDC issuer ${issuer} did not answer (ECONNREFUSED)`);
    expect(error?.message).not.toContain('must be an instance of URL');
    expect(error?.message).not.toContain('refresh-me-please');
  });
});

describe('a session whose exec plugin fails, then recovers', () => {
  it("shows UNAUTHORIZED in the plugin's words, then goes live by itself once the login works again", async () => {
    sandbox.execPlugin.set({
      kind: 'fail',
      message: 'error: the login has expired; run `sandbox-login`',
    });
    const paths = [sandbox.kubeconfigPath];
    const session = new ClusterSession({
      kubeConfig: execKubeConfig(sandbox, 'session-recovers'),
      contextName: 'sandbox-exec',
      namespace: 'demo',
      source: 'kubeconfig',
      kubeconfigPaths: paths,
      bus: new EventBus(),
      settings: () => SettingsSchema.parse({}),
      timing: { ...FAST_LIVE.timing, backoffMaxMs: 2_000 },
    });
    try {
      const first = await session.start();
      expect(first.error).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('the login has expired; run `sandbox-login`'),
      });
      sandbox.execPlugin.set({ kind: 'no-expiry' });
      await until(
        'live again',
        () => {
          const now = session.connection();
          if (now.state !== 'live') throw new Error(JSON.stringify([now.state, now.error]));
          return true;
        },
        30_000,
      );
      // Every watch and probe shared one credential: a few runs in all, not one per request.
      expect(sandbox.execPlugin.runs()).toBeLessThanOrEqual(5);
    } finally {
      await session.stop();
    }
  });
});
