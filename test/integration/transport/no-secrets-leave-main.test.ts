import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Sandbox } from '../../../main/sandbox';
import { startWebServer, type WebServer } from '../../../main/web/server';
import type { Connection } from '../../../shared/contract';
import { EVENTS_PROTOCOL, tokenProtocol } from '../../../shared/browser-mode-access';
import type { Result } from '../../../shared/errors';
import { request } from '../../fixtures/http-client';
import { connectServices, fastSandbox, until, type Harness } from '../../fixtures/services';

/**
 * A kubeconfig full of credentials, the sandbox cluster behind it, and every read of the contract
 * made through the browser-mode transport (HTTP for invocations, WebSocket for events), with the
 * event bus recorded too: no credential of the kubeconfig may appear in anything that came out.
 */

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const PLUGIN_STDERR_TOKEN = secret('PLUGINTOKEN');
const PLUGIN_SECOND_LINE = secret('PLUGINLINE2');
const PLUGIN_ENV_VALUE = secret('PLUGINENV');
const URL_PASSWORD = secret('URLPASS');
const BASIC_PASSWORD = secret('BASICPASS');
const CERT_DATA = Buffer.from(secret('CERTDATA')).toString('base64');
const KEY_DATA = Buffer.from(secret('KEYDATA')).toString('base64');
const PLUGIN_ENV_NAME = 'SCALEDESK_TEST_PLUGIN_SECRET';

let sandbox: Sandbox;
let harness: Harness;
let server: WebServer;
let dir: string;
let socket: WebSocket;
const received: string[] = [];
const answers: { operation: string; body: string }[] = [];
let secrets: string[];

function writeKubeconfig(): string {
  const plugin = path.join(dir, 'failing-plugin.cjs');
  // A plugin that fails as a misconfigured one does: credentials in its stderr, and more lines.
  fs.writeFileSync(
    plugin,
    `process.stderr.write('error: token=${PLUGIN_STDERR_TOKEN} rejected\\n${PLUGIN_SECOND_LINE} and env ' + process.env.${PLUGIN_ENV_NAME} + '\\n');\nprocess.exit(1);\n`,
  );
  const caData = Buffer.from(sandbox.caPem).toString('base64');
  const cluster = (name: string, server: string) => ({
    name,
    cluster: { server, 'certificate-authority-data': caData },
  });
  const context = (name: string, clusterName: string, user: string) => ({
    name,
    context: { cluster: clusterName, user, namespace: 'demo' },
  });
  const withUserinfo = sandbox.url.replace('https://', `https://alice:${URL_PASSWORD}@`);
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'sandbox',
    clusters: [cluster('sandbox', sandbox.url), cluster('userinfo', withUserinfo)],
    users: [
      { name: 'admin', user: { token: sandbox.tokens.admin } },
      { name: 'viewer', user: { token: sandbox.tokens.viewer } },
      { name: 'basic', user: { username: 'bob', password: BASIC_PASSWORD } },
      {
        name: 'certs',
        user: { 'client-certificate-data': CERT_DATA, 'client-key-data': KEY_DATA },
      },
      {
        name: 'plugin',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: process.execPath,
            args: [plugin],
            env: [{ name: PLUGIN_ENV_NAME, value: PLUGIN_ENV_VALUE }],
            interactiveMode: 'Never',
          },
        },
      },
    ],
    contexts: [
      context('sandbox', 'sandbox', 'admin'),
      context('viewer', 'sandbox', 'viewer'),
      context('userinfo', 'userinfo', 'admin'),
      context('basic', 'sandbox', 'basic'),
      context('certs', 'sandbox', 'certs'),
      context('plugin', 'sandbox', 'plugin'),
    ],
  };
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(file, JSON.stringify(kubeconfig), { mode: 0o600 });
  return file;
}

async function invoke(operation: string, input: unknown): Promise<Result<unknown>> {
  const response = await request(server.port, {
    method: 'POST',
    path: `/api/invoke/${operation}`,
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  answers.push({ operation, body: response.body });
  return response.json() as Result<unknown>;
}

async function connection(): Promise<Connection> {
  const result = await invoke('cluster.connection', {});
  if (!result.ok) throw new Error(`cluster.connection failed: ${result.error.message}`);
  return result.value as Connection;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-secrets-'));
  sandbox = await fastSandbox();
  const kubeconfigPath = writeKubeconfig();
  harness = await connectServices(kubeconfigPath);
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  server = await startWebServer({
    handlers: harness.services.handlers,
    bus: harness.bus,
    rendererDir,
  });
  socket = new WebSocket(
    `ws://127.0.0.1:${server.port}/api/events`,
    [EVENTS_PROTOCOL, tokenProtocol(server.token)],
    { origin: server.origin },
  );
  socket.on('message', (data: Buffer) => received.push(data.toString('utf8')));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  secrets = [
    sandbox.tokens.admin,
    sandbox.tokens.viewer,
    PLUGIN_STDERR_TOKEN,
    PLUGIN_SECOND_LINE,
    PLUGIN_ENV_VALUE,
    URL_PASSWORD,
    BASIC_PASSWORD,
    CERT_DATA,
    KEY_DATA,
  ];
});

afterAll(async () => {
  socket?.close();
  await server?.close();
  await harness?.stop();
  await sandbox?.stop();
  // client-node hands an exec plugin's env to the plugin by writing it into process.env.
  delete process.env[PLUGIN_ENV_NAME];
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('no credential leaves main', () => {
  it('in any answer to a read of the contract, nor in any event', async () => {
    await harness.services.ready;
    expect((await invoke('app.info', {})).ok).toBe(true);
    expect((await invoke('settings.get', {})).ok).toBe(true);
    const contexts = await invoke('cluster.contexts', {});
    expect(contexts.ok).toBe(true);

    for (const name of ['sandbox', 'viewer', 'userinfo', 'basic', 'certs', 'plugin', 'sandbox']) {
      await invoke('cluster.connect', { context: name, namespace: null });
      await connection();
      await invoke('cluster.namespaces', {});
      const apps = await invoke('apps.list', {});
      const first = apps.ok ? (apps.value as { namespace: string; name: string }[])[0] : undefined;
      await invoke('apps.history', {
        namespace: first?.namespace ?? 'demo',
        app: first?.name ?? 'none',
        window: 'all',
      });
      if (name === 'plugin') {
        // The plugin did run and fail: its first line is what the admin is shown.
        const failed = await connection();
        expect.soft(failed.state).toBe('error');
        expect.soft(failed.error?.message).toContain('credential plugin');
        expect.soft(failed.error?.message).toContain('token=[redacted] rejected');
      }
      if (name === 'userinfo') {
        expect.soft((await connection()).server).toBe(sandbox.url);
      }
    }
    await invoke('activity.list', {});
    // A secret typed where a name goes comes back in the error, redacted all the same.
    await invoke('cluster.connect', { context: sandbox.tokens.admin, namespace: null });
    await invoke('process.setReplicas', {
      namespace: 'demo',
      app: 'x',
      process: 'web',
      replicas: `token=${sandbox.tokens.admin}`,
    });
    // The last connection is live: its apps have arrived on the bus and the socket.
    await until('the apps of the sandbox on the socket', () =>
      received.some((message) => message.includes('"event":"apps"')),
    );

    // What came out: the bodies of the answers, the socket's messages, the bus's onAny events.
    const everything = JSON.stringify({ answers, received, bus: harness.events });
    expect(answers.length).toBeGreaterThan(40);
    expect(harness.events.length).toBeGreaterThan(0);
    const leaks = secrets.flatMap((value) => {
      const at = everything.indexOf(value);
      return at < 0 ? [] : [everything.slice(Math.max(0, at - 120), at + value.length + 40)];
    });
    expect(leaks).toEqual([]);
    expect(everything).not.toContain(`alice:`);
  });
});
