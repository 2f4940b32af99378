import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { writeKubeconfigFile } from '../../../main/sandbox/kubeconfig-file';
import {
  createExecPlugin,
  EXPIRED_LOGIN_MESSAGE,
  type ExecPlugin,
} from '../../../main/sandbox/exec-plugin';

let dir: string;
let plugin: ExecPlugin;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-exec-plugin-'));
  plugin = createExecPlugin(path.join(dir, 'kubeconfig'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the script as kubectl or client-node would: the file itself, executable. */
function run(): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(plugin.scriptPath, [], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tokenOf(stdout: string): { token: string; expirationTimestamp?: string } {
  const credential = JSON.parse(stdout) as {
    apiVersion: string;
    kind: string;
    status: { token: string; expirationTimestamp?: string };
  };
  expect(credential).toMatchObject({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
  });
  return credential.status;
}

describe("the sandbox's exec credential plugin", () => {
  it('is an executable script next to the kubeconfig that hands out tokens without expiry', () => {
    expect(path.dirname(plugin.scriptPath)).toBe(dir);
    expect(fs.statSync(plugin.scriptPath).mode & 0o100).toBeTruthy();
    const out = run();
    expect(out.status).toBe(0);
    const status = tokenOf(out.stdout);
    expect(status.expirationTimestamp).toBeUndefined();
    expect(plugin.authenticate(status.token)).toMatchObject({ name: 'admin' });
  });

  it('hands out short-lived tokens the server refuses once they expire', () => {
    plugin.set({ kind: 'tokens', ttlSeconds: 1 });
    const status = tokenOf(run().stdout);
    const expiresAt = Date.parse(status.expirationTimestamp ?? '');
    expect(expiresAt - Date.now()).toBeGreaterThan(0);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(1_000);
    expect(plugin.authenticate(status.token)).toMatchObject({ name: 'admin' });
    const later = Date.now;
    Date.now = () => expiresAt + 1;
    try {
      expect(plugin.authenticate(status.token)).toBe('expired');
    } finally {
      Date.now = later;
    }
  });

  it('fails as an expired login does: exit 1 and its message on stderr', () => {
    plugin.set({ kind: 'fail', message: EXPIRED_LOGIN_MESSAGE });
    const out = run();
    expect(out.status).toBe(1);
    expect(out.stderr).toBe('error: the login has expired; run `sandbox-login`\n');
    expect(out.stdout).toBe('');
  });

  it('counts its runs, and the count can be reset', () => {
    run();
    plugin.set({ kind: 'fail', message: 'nope' });
    run();
    expect(plugin.runs()).toBe(2);
    plugin.resetRuns();
    expect(plugin.runs()).toBe(0);
  });

  it('refuses revoked, forged and foreign tokens', () => {
    const { token } = tokenOf(run().stdout);
    const forged = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    expect(plugin.authenticate(forged)).toBeUndefined();
    expect(plugin.authenticate('admin-0123')).toBeUndefined();
    plugin.revokeTokens();
    expect(plugin.authenticate(token)).toBe('expired');
    expect(plugin.authenticate(tokenOf(run().stdout).token)).toMatchObject({ name: 'admin' });
  });

  it('is run by the user of the context sandbox-exec, as a v1 ExecCredential plugin', () => {
    const file = path.join(dir, 'kubeconfig');
    writeKubeconfigFile(file, {
      server: 'https://127.0.0.1:6443',
      caPem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
      tokens: { admin: 'admin-token', viewer: 'viewer-token', view: 'view-token' },
      execScriptPath: plugin.scriptPath,
    });
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    const context = kc.getContextObject('sandbox-exec');
    expect(context).toMatchObject({ cluster: 'sandbox', user: 'exec-plugin', namespace: 'demo' });
    expect(kc.getUser('exec-plugin')?.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: plugin.scriptPath,
    });
  });
});
