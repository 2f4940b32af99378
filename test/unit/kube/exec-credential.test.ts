import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toClusterError } from '../../../main/kube/cluster-errors';
import { parseExecCredential, runExecPlugin } from '../../../main/kube/exec-credential';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-exec-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function plugin(body: string): string {
  const file = path.join(dir, 'plugin.cjs');
  fs.writeFileSync(file, body);
  return file;
}

const REQUEST = { verb: 'list', resource: 'pods', namespace: null } as const;

describe('an exec credential', () => {
  it('reads the token and expiry, or the client certificate and key, of an ExecCredential', () => {
    expect(
      parseExecCredential(
        JSON.stringify({
          status: { token: 't-123', expirationTimestamp: '2030-01-01T00:00:00Z' },
        }),
      ),
    ).toEqual({ token: 't-123', expiresAt: Date.parse('2030-01-01T00:00:00Z') });
    expect(
      parseExecCredential(
        JSON.stringify({ status: { clientCertificateData: 'CERT', clientKeyData: 'KEY' } }),
      ),
    ).toEqual({ clientCertificateData: 'CERT', clientKeyData: 'KEY', expiresAt: null });
  });

  it('refuses output that is no credential, without quoting it', () => {
    const notJson = (() => {
      try {
        parseExecCredential('token: SECRET-IN-OUTPUT');
      } catch (error) {
        return error;
      }
    })();
    const mapped = toClusterError(notJson, REQUEST);
    expect(mapped.code).toBe('UNAUTHORIZED');
    expect(mapped.message).not.toContain('SECRET');
    expect(() => parseExecCredential('{"status": {}}')).toThrow(/neither a token/);
  });

  it("gives the plugin its env and kubectl's exec info without touching ScaleDesk's own environment", async () => {
    const file = plugin(
      `process.stdout.write(JSON.stringify({ status: { token: process.env.PLUGIN_SECRET + '|' + JSON.parse(process.env.KUBERNETES_EXEC_INFO).spec.interactive } }));`,
    );
    const credential = await runExecPlugin({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [file],
      env: [{ name: 'PLUGIN_SECRET', value: 'from-kubeconfig' }],
    });
    expect(credential.token).toBe('from-kubeconfig|false');
    expect(process.env['PLUGIN_SECRET']).toBeUndefined();
  });

  it("fails with the plugin's stderr, marked as the plugin's, and says when it hangs", async () => {
    const file = plugin(
      `process.stderr.write('error: the login has expired\\n'); process.exit(1);`,
    );
    const failed = await runExecPlugin({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [file],
    }).catch((error: unknown) => error);
    expect(toClusterError(failed, REQUEST).message).toBe(
      'The credential plugin of the kubeconfig failed: error: the login has expired. Log in again or fix the plugin, then reconnect.',
    );

    const hangs = plugin('setTimeout(() => {}, 60_000);');
    const late = await runExecPlugin(
      { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [hangs] },
      300,
    ).catch((error: unknown) => error);
    expect(toClusterError(late, REQUEST).message).toContain('it did not finish in time');
  });
});
