import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createAppProtocolHandler,
  isAppUrl,
  registerAppScheme,
} from '../../../main/electron/protocol';
import { resolveRendererPath } from '../../../main/transport/renderer-files';
import { protocol } from '../../fixtures/fake-electron';

vi.mock('electron', async () =>
  (await import('../../fixtures/fake-electron')).fakeElectronModule(),
);

let base: string;
let rendererDir: string;

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-protocol-'));
  rendererDir = path.join(base, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ScaleDesk</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  // What a traversal would be after: a file beside the renderer folder.
  writeFileSync(path.join(base, 'secret.txt'), 'kubeconfig token');
  writeFileSync(path.join(base, 'renderer-evil.txt'), 'sibling with a shared prefix');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, init?: RequestInit) =>
  createAppProtocolHandler(rendererDir)(new Request(url, init));

describe('the app:// protocol', () => {
  it('is registered standard and secure, and not CORS-enabled nor bypassing the CSP', () => {
    registerAppScheme();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('serves the page with a strict Content-Security-Policy header', async () => {
    const response = await get('app://scaledesk/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>ScaleDesk</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the bundled assets with their content type', async () => {
    const response = await get('app://scaledesk/assets/index-abc.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    'app://scaledesk/..%2fsecret.txt',
    'app://scaledesk/%2e%2e%2fsecret.txt',
    'app://scaledesk/assets/..%2f..%2fsecret.txt',
    'app://scaledesk/..%5csecret.txt',
    'app://scaledesk/%2e%2e%5csecret.txt',
    'app://scaledesk/%00index.html',
    'app://scaledesk/%E0%A4%A',
  ])('refuses the traversal %s', async (url) => {
    const response = await get(url);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await response.text()).not.toContain('kubeconfig token');
  });

  it('does not serve a sibling folder that merely shares the prefix', async () => {
    const response = await get('app://scaledesk/..%2frenderer-evil.txt');
    expect(response.status).toBe(400);
  });

  it('answers 404 for a file that does not exist, and for a folder', async () => {
    expect((await get('app://scaledesk/nope.js')).status).toBe(404);
    expect((await get('app://scaledesk/assets')).status).toBe(404);
  });

  it('serves nothing to another host of the scheme, nor to a POST', async () => {
    expect((await get('app://other/index.html')).status).toBe(404);
    expect((await get('app://scaledesk/', { method: 'POST', body: 'x' })).status).toBe(405);
  });
});

describe('resolveRendererPath', () => {
  it('maps / and folders to index.html and refuses what leaves the root', () => {
    expect(resolveRendererPath('/r', '/')).toBe(path.resolve('/r/index.html'));
    expect(resolveRendererPath('/r', '/a/')).toBe(path.resolve('/r/a/index.html'));
    expect(resolveRendererPath('/r', '/../etc/passwd')).toBeNull();
    expect(resolveRendererPath('/r', '/a/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveRendererPath('/r', '/a\\..\\b')).toBeNull();
  });
});

describe('isAppUrl', () => {
  it('is true only for the app scheme and host', () => {
    expect(isAppUrl('app://scaledesk/index.html')).toBe(true);
    expect(isAppUrl('app://scaledesk')).toBe(true);
    expect(isAppUrl('app://other/')).toBe(false);
    expect(isAppUrl('https://scaledesk/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
