import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScaleDeskError } from '../../../shared/errors';
import { until, useServicesOverSandbox } from '../../fixtures/services';

const fx = useServicesOverSandbox('scaledesk-root-');

describe('the composition root', () => {
  it('lists the contexts of the kubeconfig with cluster, server, user and namespace', async () => {
    const harness = await fx.open(fx.sandbox.kubeconfigPath);
    const { contexts, current, source, kubeconfigPaths } = await harness.services.handlers[
      'cluster.contexts'
    ]({});
    expect(source).toBe('kubeconfig');
    expect(kubeconfigPaths).toEqual([fx.sandbox.kubeconfigPath]);
    expect(current).toBe('sandbox');
    expect(contexts).toEqual(
      expect.arrayContaining([
        {
          name: 'sandbox',
          cluster: 'sandbox',
          server: fx.sandbox.url,
          user: 'admin',
          namespace: 'demo',
        },
        expect.objectContaining({ name: 'sandbox-viewer', server: fx.sandbox.url }),
      ]),
    );
  });

  it('connects on start-up to the current context and remembers it; next time it uses the last one', async () => {
    const harness = await fx.open(fx.sandbox.kubeconfigPath);
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
    const harness = await fx.open(fx.sandbox.kubeconfigPath);
    await harness.services.ready;
    await expect(
      harness.services.handlers['cluster.connect']({ context: 'nope', namespace: null }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await harness.services.handlers['cluster.connection']({})).context).toBe('sandbox');
  });

  it('refuses a namespace that does not exist instead of showing it empty', async () => {
    const harness = await fx.open(fx.sandbox.kubeconfigPath);
    await harness.services.ready;
    await expect(
      harness.services.handlers['cluster.connect']({ context: 'sandbox', namespace: 'no-such-ns' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no-such-ns') });
  });

  it('reports a malformed kubeconfig naming the file, and keeps running', async () => {
    const broken = path.join(fx.dir, 'broken.yaml');
    fs.writeFileSync(broken, 'apiVersion: v1\nclusters:\n  - name: [unclosed\n');
    const harness = await fx.open(broken);
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
    fs.copyFileSync(fx.sandbox.kubeconfigPath, broken);
    const fixed = await harness.services.handlers['cluster.connect']({
      context: 'sandbox',
      namespace: 'demo',
    });
    expect(fixed.state).toBe('live');
  });

  it('starts the sandbox cluster and says so where there is no kubeconfig at all', async () => {
    const saved = { KUBECONFIG: process.env['KUBECONFIG'], HOME: process.env['HOME'] };
    process.env['KUBECONFIG'] = '';
    process.env['HOME'] = fx.dir;
    try {
      const harness = await fx.open('', { kubeconfigPath: undefined, dataDir: fx.dir });
      const connection = await harness.services.ready;
      expect(connection).toMatchObject({ state: 'live', source: 'sandbox' });
      expect(connection.kubeconfigPaths[0]).toBe(path.join(fx.dir, 'sandbox', 'kubeconfig'));
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
