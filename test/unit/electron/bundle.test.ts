import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startDefaultSandbox } from '../../../main/sandbox/index';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { buildMain } from '../../../scripts/build-main.mjs';

/**
 * The bundles Electron would load, built by the real build script and run under plain Node
 * with a recording fake of the Electron runtime (fake-electron-runtime.cjs): this catches what
 * the module-level unit tests cannot, such as an ESM-only dependency that breaks in the CJS
 * bundle, or a preload that requires something a sandboxed preload may not.
 */

const run = promisify(execFile);
const runtime = path.join(import.meta.dirname, '../../fixtures/fake-electron-runtime.cjs');
let dir: string;

const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:9' } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: demo, context: { cluster: c, user: u } }]
current-context: demo
`;

/**
 * Preloaded after the fake runtime: on exit, writes the bundles the app had loaded by then (from
 * require's cache) to the file LOADED_BUNDLES names.
 */
const loadRecorder = `
process.on('exit', () => {
  const loaded = Object.keys(require.cache).filter((f) => f.endsWith('.cjs'));
  require('node:fs').writeFileSync(process.env.LOADED_BUNDLES, JSON.stringify(loaded));
});
`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bundle-'));
  writeFileSync(path.join(dir, 'kubeconfig.yaml'), kubeconfig);
  writeFileSync(path.join(dir, 'load-recorder.cjs'), loadRecorder);
  await buildMain({ production: true, outDir: path.join(dir, 'main') });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Launch {
  env?: Record<string, string>;
  /** The app's arguments; by default a kubeconfig (of a cluster nobody answers at). */
  args?: string[];
}

async function startBundledApp({
  env = {},
  args = ['--kubeconfig', path.join(dir, 'kubeconfig.yaml')],
}: Launch = {}) {
  const loadedFile = path.join(dir, `loaded-${Math.random().toString(36).slice(2)}.json`);
  const { stdout } = await run(
    process.execPath,
    [
      '--require',
      runtime,
      '--require',
      path.join(dir, 'load-recorder.cjs'),
      path.join(dir, 'main', 'main.cjs'),
      ...args,
    ],
    {
      env: {
        ...process.env,
        FAKE_ELECTRON_USER_DATA: path.join(dir, 'userData'),
        LOADED_BUNDLES: loadedFile,
        ...env,
      },
      timeout: 45_000,
    },
  );
  const record = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    calls: [string, ...unknown[]][];
    windows: { options: { webPreferences: Record<string, unknown> }; url: string }[];
    invokeResult: unknown;
    errors: string[];
  };
  const loaded = (JSON.parse(readFileSync(loadedFile, 'utf8')) as string[]).map((f) =>
    path.basename(f),
  );
  return { ...record, loaded };
}

describe('the bundled desktop app', () => {
  it('opens one secure window on app:// and answers the page through IPC', async () => {
    const record = await startBundledApp();
    expect(record.errors).toEqual([]);
    const names = record.calls.map(([name]) => name);
    // Every renderer sandboxed and the scheme privileged before anything else (the fake, as
    // Electron, refuses enableSandbox once ready), the lock taken before any window.
    expect(names.slice(0, 2)).toEqual(['enableSandbox', 'registerSchemesAsPrivileged']);
    expect(names.indexOf('requestSingleInstanceLock')).toBeLessThan(
      names.indexOf('ipcMain.handle'),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'setPermissionRequestHandler',
        'setPermissionCheckHandler',
        'protocol.handle',
        'setApplicationMenu',
        'setWindowOpenHandler',
      ]),
    );
    expect(record.windows).toHaveLength(1);
    expect(record.windows[0]?.url).toBe('app://scaledesk/');
    expect(record.windows[0]?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: path.join(dir, 'main', 'preload.cjs'),
    });
    expect(record.invokeResult).toMatchObject({
      ok: true,
      value: { name: 'ScaleDesk', version: '1.2.3', mode: 'desktop' },
    });
  }, 60_000);

  it('quits without a window when another instance holds the lock', async () => {
    const record = await startBundledApp({ env: { FAKE_ELECTRON_LOCK: '0' } });
    expect(record.calls.map(([name]) => name)).toEqual([
      'enableSandbox',
      'registerSchemesAsPrivileged',
      'requestSingleInstanceLock',
      'quit',
    ]);
    expect(record.windows).toEqual([]);
  }, 60_000);

  it('says which settings file is broken, and exits, when it is not JSON', async () => {
    const userData = path.join(dir, 'broken-userData');
    mkdirSync(userData, { recursive: true });
    writeFileSync(path.join(userData, 'config.json'), '{"settings": ');
    const record = await startBundledApp({ env: { FAKE_ELECTRON_USER_DATA: userData } });
    expect(record.errors).toEqual([
      expect.stringContaining(
        `ScaleDesk could not start: the settings file ${path.join(userData, 'config.json')} is not valid JSON`,
      ),
    ]);
    expect(record.calls).toContainEqual(['exit', 1]);
    expect(record.windows).toEqual([]);
  }, 60_000);

  it('keeps its data for the user alone, and clears what a killed write left', async () => {
    // As an older version left it: a world-readable folder and file, and a write cut short.
    const userData = path.join(dir, 'old-userData');
    mkdirSync(userData, { recursive: true });
    chmodSync(userData, 0o755);
    const file = path.join(userData, 'config.json');
    writeFileSync(file, JSON.stringify({ settings: { theme: 'dark' } }));
    chmodSync(file, 0o644);
    const leftover = `${file}.tmp-1700000000abc123`;
    writeFileSync(leftover, '{"settings": {"th');
    utimesSync(leftover, new Date(2023, 0, 1), new Date(2023, 0, 1));

    const record = await startBundledApp({ env: { FAKE_ELECTRON_USER_DATA: userData } });
    expect(record.errors).toEqual([]);
    expect(statSync(userData).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(leftover)).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8')).settings.theme).toBe('dark');
  }, 60_000);

  it('has a preload that needs nothing but electron, as a sandboxed preload must', () => {
    const code = readFileSync(path.join(dir, 'main', 'preload.cjs'), 'utf8');
    const exposed = new Map<string, unknown>();
    const required: string[] = [];
    const fakeRequire = (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return {
        contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
        ipcRenderer: { on: () => undefined, invoke: async () => undefined },
      };
    };
    const module = { exports: {} };
    vm.runInNewContext(code, { require: fakeRequire, module, exports: module.exports, console });
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed.get('scaledesk') as object).sort()).toEqual(['invoke', 'subscribe']);
  });
});

describe('the sandbox in the desktop bundle', () => {
  /** Names esbuild keeps (keepNames) from the sandbox's API server, control plane and seed. */
  const sandboxMarkers = ['ApiServer', 'ControlPlane', 'seedCluster', 'startSandbox'];

  it('is a file of its own, sandbox.cjs: main.cjs carries none of its code', () => {
    const main = readFileSync(path.join(dir, 'main', 'main.cjs'), 'utf8');
    const sandbox = readFileSync(path.join(dir, 'main', 'sandbox.cjs'), 'utf8');
    for (const marker of sandboxMarkers) {
      expect([marker, main.includes(marker)]).toEqual([marker, false]);
      expect([marker, sandbox.includes(marker)]).toEqual([marker, true]);
    }
    expect(main).toContain('require("./sandbox.cjs")');
  });

  it('is not loaded by an app that has a kubeconfig', async () => {
    const record = await startBundledApp();
    expect(record.errors).toEqual([]);
    expect(record.loaded).toContain('main.cjs');
    expect(record.loaded).not.toContain('sandbox.cjs');
  }, 60_000);

  it('is loaded by an app that has no kubeconfig at all, to start the sandbox cluster', async () => {
    const home = path.join(dir, 'empty-home');
    mkdirSync(home, { recursive: true });
    const record = await startBundledApp({
      args: [],
      env: {
        KUBECONFIG: path.join(dir, 'no-such-kubeconfig'),
        HOME: home,
        FAKE_ELECTRON_USER_DATA: path.join(dir, 'newcomer-userData'),
      },
    });
    expect(record.errors).toEqual([]);
    expect(record.loaded).toEqual(expect.arrayContaining(['main.cjs', 'sandbox.cjs']));
  }, 60_000);

  it("starts the app's sandbox on its own: a cluster that answers, a handle without fault hooks", async () => {
    const file = path.join(dir, 'main', 'sandbox.cjs');
    expect(existsSync(file)).toBe(true);
    const bundle = createRequire(import.meta.url)(file) as {
      startDefaultSandbox: typeof startDefaultSandbox;
    };
    const kubeconfigPath = path.join(dir, 'app-data', 'sandbox', 'kubeconfig');
    const sandbox = await bundle.startDefaultSandbox(kubeconfigPath);
    try {
      expect(Object.keys(sandbox).sort()).toEqual(['kubeconfigPath', 'stop']);
      expect(sandbox.kubeconfigPath).toBe(kubeconfigPath);
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toContain('demo');
    } finally {
      await sandbox.stop();
    }
  }, 60_000);
});
