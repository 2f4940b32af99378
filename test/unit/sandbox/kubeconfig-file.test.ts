import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { writeKubeconfigFile } from '../../../main/sandbox/kubeconfig-file';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the sandbox kubeconfig', () => {
  it('is one client-node loads: admin context current, viewer and view contexts, the CA embedded', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-kubeconfig-'));
    const file = path.join(dir, 'nested', 'kubeconfig');
    writeKubeconfigFile(file, {
      server: 'https://127.0.0.1:6443',
      caPem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
      tokens: { admin: 'admin-token', viewer: 'viewer-token', view: 'view-token' },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const kc = new KubeConfig();
    kc.loadFromFile(file);
    expect(kc.getCurrentContext()).toBe('sandbox');
    expect(kc.getContexts().map((c) => [c.name, c.user, c.namespace])).toEqual([
      ['sandbox', 'admin', 'demo'],
      ['sandbox-viewer', 'viewer', 'demo'],
      ['sandbox-view', 'view', 'demo'],
    ]);
    expect(kc.getCurrentCluster()).toMatchObject({
      server: 'https://127.0.0.1:6443',
      skipTLSVerify: false,
    });
    expect(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString()).toContain('CA');
    expect(kc.getUser('viewer')?.token).toBe('viewer-token');
    expect(kc.getUser('view')?.token).toBe('view-token');
    // As client-node's exportConfig() writes it: what kubectl has always been given.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(kc.exportConfig()));
  });
});
