import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, KubeConfig, CoreV1Api } from '@kubernetes/client-node';
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

/** `npm run sandbox` as tsx runs it, its output gathered, stdin open for fault commands. */
function startCli(kubeconfig: string) {
  const child = spawn(
    'node_modules/.bin/tsx',
    ['main/sandbox/cli.ts', '--kubeconfig', kubeconfig, '--metrics-interval', '0.5'],
    { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** Resolves once the output so far includes `text`. */
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!out.includes(text)) return;
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${out}`)), 30_000);
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      check();
    });
  return { child, exited, printed, output: () => out };
}

describe('npm run sandbox', () => {
  it('prints where its kubeconfig is, serves the cluster, and exits 0 on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const cli = startCli(kubeconfig);
    await cli.printed('listening on');
    expect(cli.output()).toContain(`sandbox cluster ready: kubeconfig at ${kubeconfig}`);
    expect(cli.output()).toMatch(/https:\/\/127\.0\.0\.1:\d+/);

    const config = JSON.parse(readFileSync(kubeconfig, 'utf8')) as {
      'current-context': string;
      contexts: { name: string }[];
    };
    expect(config['current-context']).toBe('sandbox');
    expect(config.contexts.map((c) => c.name)).toEqual(
      expect.arrayContaining(['sandbox', 'sandbox-viewer', 'sandbox-view']),
    );
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('demo');

    // As `npm run sandbox` runs it: tsx relays the signal; the sandbox stops and exits 0.
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('takes fault commands on stdin: throttle answers 429 until reset; a wrong one is named', async () => {
    const kubeconfig = join(dir, 'faults-kubeconfig');
    const cli = startCli(kubeconfig);
    await cli.printed('fault commands on stdin: type help');
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);

    cli.child.stdin.write('throttle 1\n');
    await cli.printed('429 TooManyRequests: 100% of API requests');
    const refused = await core.listNamespace().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ApiException);
    expect(refused).toMatchObject({ code: 429 });

    cli.child.stdin.write('reset\nexplode\n');
    await cli.printed('unknown command "explode" (type help)');
    expect(cli.output()).toContain('faults reset: no latency, no injected errors');
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('demo');

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
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
