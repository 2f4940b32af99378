import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  rawRequest,
  startTestSandbox,
  type SandboxFixture,
} from '../../fixtures/sandbox';
import { runClientScript } from '../../fixtures/client-script';

/**
 * The legacy watch of one object, with the client that found it: ruby-kubeclient's
 * `watch_deployments(name:, namespace:)` requests `/apis/apps/v1/watch/namespaces/NS/deployments/NAME`,
 * which the sandbox once answered with a plain GET.
 */

const hasKubeclient =
  spawnSync('ruby', ['-e', "require 'kubeclient'"], { stdio: 'ignore' }).status === 0;
if (!hasKubeclient)
  console.warn('ruby-kubeclient is not installed: the ruby strictness tests are skipped');

/** Prints each event's type, name and replicas, until it sees 5 replicas. */
const WATCH_SCRIPT = `
require 'kubeclient'
require 'json'
$stdout.sync = true
kc = Kubeclient::Config.read(ENV['KUBECONFIG'])
ctx = kc.context
client = Kubeclient::Client.new(ctx.api_endpoint + '/apis/apps', 'v1',
  ssl_options: ctx.ssl_options, auth_options: ctx.auth_options)
watcher = client.watch_deployments(name: 'forecast-web', namespace: 'demo', timeout_seconds: 30)
watcher.each do |notice|
  puts JSON.generate(type: notice.type, name: notice.object.metadata.name,
                     replicas: notice.object.spec.replicas)
  break if notice.type == 'MODIFIED' && notice.object.spec.replicas == 5
end
watcher.finish
`;

let fx: SandboxFixture;
let dir: string;

describe.skipIf(!hasKubeclient)('ruby-kubeclient against the sandbox', () => {
  beforeAll(async () => {
    fx = await startTestSandbox();
    dir = mkdtempSync(join(tmpdir(), 'sandbox-ruby-'));
  });
  afterAll(async () => {
    await fx?.sandbox.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('streams the events of the one object watched on the legacy path', async () => {
    const ruby = runClientScript('ruby', dir, 'watch.rb', WATCH_SCRIPT, fx.sandbox.kubeconfigPath);
    try {
      await eventually('the ADDED event', () => ruby.output().includes('"ADDED"'));
      // Another deployment in the namespace changes first: it must not reach this watch.
      for (const [name, replicas] of [
        ['sales-dash-web', 3],
        ['forecast-web', 5],
      ] as const) {
        await fx.apps.patchNamespacedDeployment(
          { name, namespace: 'demo', body: { spec: { replicas } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }
      expect(await ruby.exited, ruby.errors()).toBe(0);
    } finally {
      ruby.kill();
    }
    const events = ruby.events<{ type: string; name: string; replicas: number }>();
    expect(events[0]?.type).toBe('ADDED');
    expect(new Set(events.map((e) => e.name))).toEqual(new Set(['forecast-web']));
    expect(events.at(-1)).toEqual({ type: 'MODIFIED', name: 'forecast-web', replicas: 5 });
  });

  it('streams only the named pod on the core legacy path', async () => {
    const pods = await fx.core.listNamespacedPod({ namespace: 'demo' });
    const name = pods.items[0]?.metadata?.name ?? '';
    const res = await rawRequest(
      fx.sandbox,
      `/api/v1/watch/namespaces/demo/pods/${name}?timeoutSeconds=1`,
      fx.sandbox.tokens.admin,
    );
    expect(res.status).toBe(200);
    const events = res.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; object: { metadata: { name: string } } });
    expect(events[0]?.type).toBe('ADDED');
    expect(new Set(events.map((e) => e.object.metadata.name))).toEqual(new Set([name]));
  });

  it('still answers a plain GET of the object on its own path', async () => {
    const res = await rawRequest(
      fx.sandbox,
      '/apis/apps/v1/namespaces/demo/deployments/forecast-web?watch=true',
      fx.sandbox.tokens.admin,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Deployment' });
  });
});
