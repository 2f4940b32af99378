import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Connection } from '../../../shared/contract';
import { loadKubeconfig } from '../../../main/kube/kubeconfig';
import { reloadKubeconfig, type ReloadPort } from '../../../main/kube/kubeconfig-reload';
import { KubeconfigWatch } from '../../../main/kube/kubeconfig-watch';

let dir: string;
let watch: KubeconfigWatch | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-watch-'));
});
afterEach(() => {
  watch?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(token: string, extraContext = false): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'prod',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
    users: [{ name: 'u', user: { token } }],
    contexts: [
      { name: 'prod', context: { cluster: 'c', user: 'u', namespace: 'shop' } },
      ...(extraContext ? [{ name: 'extra', context: { cluster: 'c', user: 'u' } }] : []),
    ],
  });
}

/** Resolves on the watch's next report, or with 'quiet' after `ms` without one. */
function nextReport(changes: { count: number }, ms: number): Promise<'changed' | 'quiet'> {
  const start = changes.count;
  const deadline = Date.now() + ms;
  return new Promise((resolve) => {
    const poll = () => {
      if (changes.count > start) resolve('changed');
      else if (Date.now() > deadline) resolve('quiet');
      else setTimeout(poll, 20);
    };
    poll();
  });
}

describe('a kubeconfig watch', () => {
  it('reports a file replaced by rename (as editors and login tools write it), once per save', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, kubeconfig('old-token'));
    const changes = { count: 0 };
    watch = new KubeconfigWatch([file], () => (changes.count += 1), { debounceMs: 50 });

    const reported = nextReport(changes, 3_000);
    fs.writeFileSync(`${file}.swp`, kubeconfig('new-token'));
    fs.renameSync(`${file}.swp`, file);
    expect(await reported).toBe('changed');
    expect(changes.count).toBe(1);

    // Still heard after the replace: the folder is watched, not the old file.
    const again = nextReport(changes, 3_000);
    fs.writeFileSync(file, kubeconfig('newer-token'));
    expect(await again).toBe('changed');
  });

  it('stays quiet where a file is written with the same content, or another file changes', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, kubeconfig('same'));
    const changes = { count: 0 };
    watch = new KubeconfigWatch([file], () => (changes.count += 1), { debounceMs: 50 });
    const quiet = nextReport(changes, 600);
    fs.writeFileSync(file, kubeconfig('same'));
    fs.writeFileSync(path.join(dir, 'other'), 'x');
    expect(await quiet).toBe('quiet');
  });

  it('hears a kubeconfig that did not exist yet appear (the first login)', async () => {
    const file = path.join(dir, 'later');
    const changes = { count: 0 };
    watch = new KubeconfigWatch([file], () => (changes.count += 1), { debounceMs: 50 });
    const reported = nextReport(changes, 3_000);
    fs.writeFileSync(file, kubeconfig('first'));
    expect(await reported).toBe('changed');
  });
});

/** A port over files the test writes; records what the reload asked for. */
function port(file: string, connection: Partial<Connection>, connectedWith: KubeConfig | null) {
  const calls: string[] = [];
  const reload: ReloadPort<{ merged: KubeConfig }> = {
    read: async () => ({ merged: loadKubeconfig([file]) }),
    announce: (state) => calls.push(`announce ${state.merged.contexts.length}`),
    current: () => ({
      connection: {
        state: 'live',
        context: 'prod',
        namespace: 'shop',
        source: 'kubeconfig',
        kubeconfigPaths: [file],
        server: null,
        error: null,
        syncedAt: null,
        metrics: { state: 'unknown', lastSampleAt: null, message: null },
        throttledSince: null,
        ...connection,
      } satisfies Connection,
      connectedWith,
    }),
    reconnect: async (context, namespace) => {
      calls.push(`reconnect ${context} ${String(namespace)}`);
    },
  };
  return { reload, calls };
}

describe('reloading a changed kubeconfig', () => {
  it("reconnects to the same context and namespace where the context's user changed", async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, kubeconfig('old'));
    const before = loadKubeconfig([file]);
    fs.writeFileSync(file, kubeconfig('fresh-login'));
    const { reload, calls } = port(file, {}, before);
    await reloadKubeconfig(reload);
    expect(calls).toEqual(['announce 1', 'reconnect prod shop']);
  });

  it('only announces the contexts where the connected context did not change', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, kubeconfig('same'));
    const before = loadKubeconfig([file]);
    fs.writeFileSync(file, kubeconfig('same', true));
    const { reload, calls } = port(file, {}, before);
    await reloadKubeconfig(reload);
    expect(calls).toEqual(['announce 2']);
  });

  it('reconnects a connection failing for want of a login even where the file looks the same', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, kubeconfig('same'));
    const before = loadKubeconfig([file]);
    const { reload, calls } = port(
      file,
      { state: 'stale', error: { code: 'UNAUTHORIZED', message: 'refused' } },
      before,
    );
    await reloadKubeconfig(reload);
    expect(calls).toEqual(['announce 1', 'reconnect prod shop']);
  });

  it('changes nothing where the file is caught half-written', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '{"apiVersion": "v1", "clusters": [');
    const { reload, calls } = port(file, {}, null);
    await reloadKubeconfig(reload);
    expect(calls).toEqual([]);
  });
});
