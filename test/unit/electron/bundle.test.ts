import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bundle-'));
  writeFileSync(path.join(dir, 'kubeconfig.yaml'), kubeconfig);
  await buildMain({ production: true, outDir: path.join(dir, 'main') });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startBundledApp(env: Record<string, string> = {}) {
  const { stdout } = await run(
    process.execPath,
    [
      '--require',
      runtime,
      path.join(dir, 'main', 'main.cjs'),
      '--kubeconfig',
      path.join(dir, 'kubeconfig.yaml'),
    ],
    {
      env: { ...process.env, FAKE_ELECTRON_USER_DATA: path.join(dir, 'userData'), ...env },
      timeout: 45_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    calls: [string, ...unknown[]][];
    windows: { options: { webPreferences: Record<string, unknown> }; url: string }[];
    invokeResult: unknown;
    errors: string[];
  };
}

describe('the bundled desktop app', () => {
  it('opens one secure window on app:// and answers the page through IPC', async () => {
    const record = await startBundledApp();
    expect(record.errors).toEqual([]);
    const names = record.calls.map(([name]) => name);
    // The scheme is privileged before anything else, the lock taken before any window.
    expect(names.indexOf('registerSchemesAsPrivileged')).toBe(0);
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
    const record = await startBundledApp({ FAKE_ELECTRON_LOCK: '0' });
    expect(record.calls.map(([name]) => name)).toEqual([
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
    const record = await startBundledApp({ FAKE_ELECTRON_USER_DATA: userData });
    expect(record.errors).toEqual([
      expect.stringContaining(
        `ScaleDesk could not start: the settings file ${path.join(userData, 'config.json')} is not valid JSON`,
      ),
    ]);
    expect(record.calls).toContainEqual(['exit', 1]);
    expect(record.windows).toEqual([]);
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
