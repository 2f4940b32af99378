import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  // A failed assertion must not leave a sandbox running.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run sandbox', () => {
  it('prints where its kubeconfig is, serves the cluster, and exits 0 on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(
      'node_modules/.bin/tsx',
      ['main/sandbox/cli.ts', '--kubeconfig', kubeconfig, '--metrics-interval', '0.5'],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 30_000);
      child.stdout.on('data', () => {
        if (out.includes('sandbox cluster ready') && out.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(out).toContain(`sandbox cluster ready: kubeconfig at ${kubeconfig}`);
    expect(out).toMatch(/https:\/\/127\.0\.0\.1:\d+/);

    const config = JSON.parse(readFileSync(kubeconfig, 'utf8')) as {
      'current-context': string;
      contexts: { name: string }[];
    };
    expect(config['current-context']).toBe('sandbox');
    expect(config.contexts.map((c) => c.name).sort()).toEqual(['sandbox', 'sandbox-viewer']);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('demo');

    // As `npm run sandbox` runs it: tsx relays the signal; the sandbox stops and exits 0.
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a malformed option with a clear message', async () => {
    const child = spawn('node_modules/.bin/tsx', ['main/sandbox/cli.ts', '--apps', 'many'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--apps must be a whole number, got "many"');
  });
});
