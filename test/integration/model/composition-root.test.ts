import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScaleDeskError } from '../../../shared/errors';
import type { Sandbox } from '../../../main/sandbox';
import { connectServices, fastSandbox, until, type Harness } from '../../fixtures/services';

let sandbox: Sandbox;
let dir: string;
const opened: Harness[] = [];

beforeAll(async () => {
  sandbox = await fastSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-root-'));
});
afterEach(async () => {
  for (const harness of opened.splice(0)) await harness.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function open(
  kubeconfigPath: string,
  extra: Parameters<typeof connectServices>[1] = {},
): Promise<Harness> {
  const harness = await connectServices(kubeconfigPath, extra);
  opened.push(harness);
  return harness;
}

describe('the composition root', () => {
  it('lists the contexts of the kubeconfig with cluster, server, user and namespace', async () => {
    const harness = await open(sandbox.kubeconfigPath);
    const { contexts, current, source, kubeconfigPaths } = await harness.services.handlers[
      'cluster.contexts'
    ]({});
    expect(source).toBe('kubeconfig');
    expect(kubeconfigPaths).toEqual([sandbox.kubeconfigPath]);
    expect(current).toBe('sandbox');
    expect(contexts).toEqual(
      expect.arrayContaining([
        {
          name: 'sandbox',
          cluster: 'sandbox',
          server: sandbox.url,
          user: 'admin',
          namespace: 'demo',
        },
        expect.objectContaining({ name: 'sandbox-viewer', server: sandbox.url }),
      ]),
    );
  });

  it('connects on start-up to the current context and remembers it; next time it uses the last one', async () => {
    const harness = await open(sandbox.kubeconfigPath);
    const first = await harness.services.ready;
    expect(first).toMatchObject({ state: 'live', context: 'sandbox', namespace: 'demo' });
    await harness.services.handlers['cluster.connect']({
      context: 'sandbox-viewer',
      namespace: 'analytics',
    });
    expect(await harness.services.handlers['settings.get']({})).toMatchObject({
      lastContext: 'sandbox-viewer',
      lastNamespace: 'analytics',
    });
  });

  it('refuses an unknown context with NOT_FOUND and keeps the session it had', async () => {
    const harness = await open(sandbox.kubeconfigPath);
    await harness.services.ready;
    await expect(
      harness.services.handlers['cluster.connect']({ context: 'nope', namespace: null }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await harness.services.handlers['cluster.connection']({})).context).toBe('sandbox');
  });

  it('refuses a namespace that does not exist instead of showing it empty', async () => {
    const harness = await open(sandbox.kubeconfigPath);
    await harness.services.ready;
    await expect(
      harness.services.handlers['cluster.connect']({ context: 'sandbox', namespace: 'no-such-ns' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no-such-ns') });
  });

  it('reports a malformed kubeconfig naming the file, and keeps running', async () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'apiVersion: v1\nclusters:\n  - name: [unclosed\n');
    const harness = await open(broken);
    const connection = await harness.services.ready;
    expect(connection.state).toBe('error');
    expect(connection.error?.code).toBe('KUBECONFIG');
    expect(connection.error?.message).toContain(broken);
    const error = await harness.services.handlers['cluster.contexts']({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScaleDeskError);
    expect((error as ScaleDeskError).code).toBe('KUBECONFIG');
    expect((await harness.services.handlers['app.info']({})).name).toBe('ScaleDesk');
    await expect(harness.services.handlers['apps.list']({})).rejects.toMatchObject({
      code: 'NOT_CONNECTED',
    });
    // Fixed on disk: the next connect reads it again.
    fs.copyFileSync(sandbox.kubeconfigPath, broken);
    const fixed = await harness.services.handlers['cluster.connect']({
      context: 'sandbox',
      namespace: 'demo',
    });
    expect(fixed.state).toBe('live');
  });

  it('starts the sandbox cluster and says so where there is no kubeconfig at all', async () => {
    const saved = { KUBECONFIG: process.env['KUBECONFIG'], HOME: process.env['HOME'] };
    process.env['KUBECONFIG'] = '';
    process.env['HOME'] = dir;
    try {
      const harness = await open('', { kubeconfigPath: undefined, dataDir: dir });
      const connection = await harness.services.ready;
      expect(connection).toMatchObject({ state: 'live', source: 'sandbox' });
      expect(connection.kubeconfigPaths[0]).toBe(path.join(dir, 'sandbox', 'kubeconfig'));
      expect((await harness.services.handlers['cluster.contexts']({})).source).toBe('sandbox');
      const apps = await until('the sandbox apps', async () => {
        const list = await harness.services.handlers['apps.list']({});
        return list.length > 0 ? list : undefined;
      });
      expect(apps.some((a) => a.id === 'demo/sales-dash')).toBe(true);
    } finally {
      process.env['KUBECONFIG'] = saved.KUBECONFIG ?? '';
      if (saved.KUBECONFIG === undefined) delete process.env['KUBECONFIG'];
      process.env['HOME'] = saved.HOME ?? '';
    }
  });
});
