import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWebArgs } from '../../../main/web/args';
import { REPO_ROOT, startBrowserMode } from '../../fixtures/browser-mode';
import { request } from '../../fixtures/http-client';

const run = promisify(execFile);
let dir: string;
let env: Record<string, string>;
let kubeconfigPath: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-cli-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>ScaleDesk</title>');
  kubeconfigPath = path.join(dir, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfigPath,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:9' } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: demo, context: { cluster: c, user: u } }]
current-context: demo
`,
  );
  // This test needs no built renderer: it serves a one-file stand-in.
  env = { SCALEDESK_RENDERER_DIR: dir };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runCli(args: string[], extraEnv: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'main/web/cli.ts', ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env, ...extraEnv },
        timeout: 30_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run web, the command line', () => {
  it('prints one line with the URL, serves it, and exits 0 on SIGTERM', async () => {
    const mode = await startBrowserMode({ kubeconfigPath, env });
    try {
      expect(mode.output().trim().split('\n')).toEqual([`ScaleDesk is at ${mode.url}`]);
      const info = await request(mode.port, {
        method: 'POST',
        path: '/api/invoke/app.info',
        headers: { authorization: `Bearer ${mode.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(info.json()).toMatchObject({
        ok: true,
        value: { name: 'ScaleDesk', mode: 'browser' },
      });
    } finally {
      expect(await mode.stop()).toBe(0);
    }
  });

  it('refuses a bad option with a one-line reason and the usage, exit code 2', async () => {
    const result = await runCli(['--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'ScaleDesk: --port must be a whole number from 0 to 65535, not "eighty".',
    );
    expect(result.stderr).toContain('Usage: npm run web --');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const unknown = await runCli(['--prot', '80']);
    expect(unknown.code).toBe(2);
  });

  it('says clearly when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await runCli([
        '--port',
        String(port),
        '--kubeconfig',
        kubeconfigPath,
        '--data-dir',
        path.join(dir, 'data'),
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`ScaleDesk: port ${port} is in use`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('says clearly when the renderer is not built', async () => {
    const result = await runCli(['--kubeconfig', kubeconfigPath], {
      SCALEDESK_RENDERER_DIR: path.join(dir, 'nothing-here'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the renderer is not built');
    expect(result.stderr).toContain('npm run build:renderer');
  });
});

describe('parseWebArgs', () => {
  it('reads every option', () => {
    expect(
      parseWebArgs([
        '--port',
        '8080',
        '--kubeconfig',
        'kc.yaml',
        '--context',
        'prod',
        '--data-dir',
        '/tmp/d',
      ]),
    ).toEqual({
      port: 8080,
      kubeconfigPath: path.resolve('kc.yaml'),
      context: 'prod',
      dataDir: '/tmp/d',
      help: false,
    });
    expect(parseWebArgs([])).toEqual({ port: 0, help: false });
    expect(parseWebArgs(['--port=0']).port).toBe(0);
  });

  it.each([
    ['--port', '-1'],
    ['--port', '65536'],
    ['--port', '80.5'],
    ['--context', ''],
    ['extra'],
    ['--nope'],
  ])('refuses %j', (...argv) => {
    expect(() => parseWebArgs(argv)).toThrow();
  });
});
