import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createConfStore } from '../../../main/store/conf-store';
import { SETTINGS_KEY } from '../../../main/store/settings';
import { dispatch } from '../../../main/transport/dispatch';
import { captureWarnings } from '../../fixtures/console-warnings';
import { useServicesOverSandbox } from '../../fixtures/services';

/**
 * The namespace remembered from last time is reused at start, and goes into URL paths: one that
 * is no namespace name (saved by a version that did not check, or edited by hand) is dropped
 * with a notice, and the start goes to the context's own namespace instead of failing or
 * listing some other path.
 */

const fx = useServicesOverSandbox('scaledesk-remembered-');

const warnings = captureWarnings();

/** Services started over a settings file holding `stored`, as a second start would be. */
async function startWith(
  stored: Record<string, unknown>,
  kubeconfigPath = fx.sandbox.kubeconfigPath,
) {
  const file = path.join(fx.dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ [SETTINGS_KEY]: stored }));
  const harness = await fx.open(kubeconfigPath, { store: createConfStore(file) });
  const storedNow = () => JSON.parse(fs.readFileSync(file, 'utf8'))[SETTINGS_KEY];
  return { harness, storedNow };
}

describe('the namespace remembered from last time', () => {
  it.each(['..', '.', 'kube-system/../x', 'Demo', '%2e%2e'])(
    'is dropped with a notice where it is %j, and the start goes to the context namespace',
    async (lastNamespace) => {
      const { harness, storedNow } = await startWith({ lastContext: 'sandbox', lastNamespace });
      const connection = await harness.services.ready;
      expect(connection).toMatchObject({ state: 'live', context: 'sandbox', namespace: 'demo' });
      const apps = await harness.services.handlers['apps.list']({});
      expect(apps.every((app) => app.namespace === 'demo')).toBe(true);
      expect(warnings()).toEqual(
        expect.arrayContaining([
          expect.stringContaining('The setting lastNamespace in'),
          expect.stringContaining(
            'the namespace remembered for context "sandbox" was not a namespace name; starting in "demo"',
          ),
        ]),
      );
      // The next start finds a namespace name there.
      expect(storedNow()).toMatchObject({ lastContext: 'sandbox', lastNamespace: 'demo' });
    },
  );

  it('is reused where it is a namespace name, and null still means all namespaces', async () => {
    const one = await startWith({ lastContext: 'sandbox', lastNamespace: 'analytics' });
    expect(await one.harness.services.ready).toMatchObject({
      state: 'live',
      namespace: 'analytics',
    });
    await one.harness.stop();
    const all = await startWith({ lastContext: 'sandbox', lastNamespace: null });
    expect(await all.harness.services.ready).toMatchObject({ state: 'live', namespace: null });
    expect(warnings()).toEqual([]);
  });

  it('says so where it is gone from the cluster, and starts in the context namespace', async () => {
    const { harness } = await startWith({ lastContext: 'sandbox', lastNamespace: 'deleted-team' });
    expect(await harness.services.ready).toMatchObject({ state: 'live', namespace: 'demo' });
    expect(warnings()).toEqual([
      expect.stringContaining('the namespace "deleted-team" remembered for context "sandbox"'),
    ]);
  });
});

describe('a namespace that is no namespace name', () => {
  it('is refused by cluster.connect before anything is sent or saved', async () => {
    const { harness, storedNow } = await startWith({});
    await harness.services.ready;
    const before = storedNow();
    for (const namespace of ['..', '.', 'a/b', 'kube-system/../x']) {
      const result = await dispatch(harness.services.handlers, 'cluster.connect', {
        context: 'sandbox',
        namespace,
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(!result.ok && result.error.message).toContain('DNS-1123 label');
    }
    expect(storedNow()).toEqual(before);
    expect(await harness.services.handlers['cluster.connection']({})).toMatchObject({
      state: 'live',
      namespace: 'demo',
    });
  });

  it('set by the kubeconfig context is refused as kubectl refuses it, naming the file', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(fx.sandbox.kubeconfigPath);
    const contexts = kubeConfig.contexts.map((context) =>
      context.name === 'sandbox' ? { ...context, namespace: '..' } : context,
    );
    kubeConfig.loadFromOptions({
      clusters: kubeConfig.clusters,
      users: kubeConfig.users,
      contexts,
      currentContext: 'sandbox',
    });
    const file = path.join(fx.dir, 'kubeconfig.yaml');
    fs.writeFileSync(file, kubeConfig.exportConfig());
    const { harness } = await startWith({}, file);
    const connection = await harness.services.ready;
    expect(connection.state).toBe('error');
    expect(connection.error).toMatchObject({ code: 'KUBECONFIG' });
    expect(connection.error?.message).toContain(`sets the namespace ".."`);
    expect(connection.error?.message).toContain(file);
  });
});
