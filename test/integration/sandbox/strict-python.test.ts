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
 * Query booleans, with the client that found them: Debian's python3-kubernetes sends
 * `watch=True`, which the sandbox once read as a plain list, so every python watch ended at once.
 */

const PYTHON = '/usr/bin/python3';
const hasPythonKubernetes =
  spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
if (!hasPythonKubernetes)
  console.warn('python3-kubernetes is not installed: the python strictness tests are skipped');

/** Watches one deployment, printing each event's type and replicas, until it sees 4 replicas. */
const WATCH_SCRIPT = `
import json, sys
from kubernetes import client, config, watch
config.load_kube_config()
w = watch.Watch()
for ev in w.stream(client.AppsV1Api().list_namespaced_deployment, namespace='demo',
                   field_selector='metadata.name=forecast-web', timeout_seconds=30):
    print(json.dumps({'type': ev['type'], 'replicas': ev['object'].spec.replicas}), flush=True)
    if ev['type'] == 'MODIFIED' and ev['object'].spec.replicas == 4:
        w.stop()
`;

let fx: SandboxFixture;
let dir: string;

describe.skipIf(!hasPythonKubernetes)('python3-kubernetes against the sandbox', () => {
  beforeAll(async () => {
    fx = await startTestSandbox();
    dir = mkdtempSync(join(tmpdir(), 'sandbox-python-'));
  });
  afterAll(async () => {
    await fx?.sandbox.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gets a watch stream for watch=True: ADDED, then MODIFIED after a change', async () => {
    const python = runClientScript(
      PYTHON,
      dir,
      'watch.py',
      WATCH_SCRIPT,
      fx.sandbox.kubeconfigPath,
    );
    try {
      await eventually('the ADDED event', () => python.output().includes('"ADDED"'));
      await fx.apps.patchNamespacedDeployment(
        { name: 'forecast-web', namespace: 'demo', body: { spec: { replicas: 4 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect(await python.exited, python.errors()).toBe(0);
    } finally {
      python.kill();
    }
    const events = python.events<{ type: string; replicas: number }>();
    expect(events[0]?.type, python.errors()).toBe('ADDED');
    expect(events.at(-1)).toEqual({ type: 'MODIFIED', replicas: 4 });
  });

  it('reads watch=False as a list and any other value as a watch, as a real server does', async () => {
    const list = await rawRequest(
      fx.sandbox,
      '/apis/apps/v1/namespaces/demo/deployments?watch=False',
      fx.sandbox.tokens.admin,
    );
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toMatchObject({ kind: 'DeploymentList' });
    const watch = await rawRequest(
      fx.sandbox,
      '/apis/apps/v1/namespaces/demo/deployments?watch=yes&timeoutSeconds=1',
      fx.sandbox.tokens.admin,
    );
    expect(watch.status).toBe(200);
    const first = JSON.parse(watch.body.split('\n')[0] ?? '') as { type: string };
    expect(first.type).toBe('ADDED');
  });
});
