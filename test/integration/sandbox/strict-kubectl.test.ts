import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKubectl, kubectlFor } from '../../fixtures/kubectl';
import { startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * The sandbox as strict as a real API server, judged by the installed kubectl: unknown fields
 * under `fieldValidation` (kubectl sends Strict, or Warn with --validate=warn), requests above
 * limits, field selectors a resource does not support, 404s with details, and chunked lists.
 */

if (!hasKubectl) console.warn('kubectl is not installed: the kubectl strictness tests are skipped');

let fx: SandboxFixture;
const runner = kubectlFor(() => fx.sandbox.kubeconfigPath);
const { run: kubectl, ok } = runner;

function manifest(file: string, body: object): string {
  const path = join(runner.home, file);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

function deployment(
  name: string,
  spec: Record<string, unknown>,
  container: Record<string, unknown> = {},
): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'demo' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx', ...container }] },
      },
      ...spec,
    },
  };
}

describe.skipIf(!hasKubectl)('kubectl against a strict sandbox', () => {
  beforeAll(async () => {
    fx = await startTestSandbox();
  });
  afterAll(async () => {
    await fx?.sandbox.stop();
    runner.dispose();
  });

  it('apply of an unknown field fails with 400 naming it, and stores nothing', async () => {
    const file = manifest(
      'typo.json',
      deployment('typo-web', { replica: 2 }, { imagePullPolice: 'Always' }),
    );
    const applied = await kubectl('apply', '-f', file);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain('strict decoding error: unknown field "spec.replica"');
    expect(applied.stderr).toContain(
      'unknown field "spec.template.spec.containers[0].imagePullPolice"',
    );
    const created = await kubectl('create', '-f', file);
    expect(created.stderr).toContain('unknown field "spec.replica"');
    const got = await kubectl('get', 'deployment', 'typo-web', '-n', 'demo');
    expect(got.stderr).toContain('not found');
  });

  it('with --validate=warn, warns of the field and stores the object without it', async () => {
    const file = manifest('warn.json', deployment('warn-web', { replica: 2 }));
    const applied = await kubectl('apply', '--validate=warn', '-f', file);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain('Warning: unknown field "spec.replica"');
    const spec = await ok('get', 'deployment', 'warn-web', '-n', 'demo', '-o', 'jsonpath={.spec}');
    expect(JSON.parse(spec)).not.toHaveProperty('replica');
    // An apply that patches (the object exists now) is judged the same way.
    const again = await kubectl('apply', '-f', file);
    expect(again.stderr).toContain('unknown field "spec.replica"');
    expect(again.code).not.toBe(0);
  });

  it('refuses a request above its limit with 422, on create and on patch', async () => {
    const file = manifest(
      'greedy.json',
      deployment(
        'greedy-web',
        { replicas: 1 },
        { resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } },
      ),
    );
    const created = await kubectl('apply', '-f', file);
    expect(created.code).not.toBe(0);
    expect(created.stderr).toContain(
      'spec.template.spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
    );
    const fine = manifest(
      'limited.json',
      deployment(
        'limited-web',
        { replicas: 1 },
        { resources: { requests: { memory: '512Mi' }, limits: { memory: '1Gi' } } },
      ),
    );
    await ok('apply', '-f', fine);
    const patched = await kubectl(
      'patch',
      'deployment',
      'limited-web',
      '-n',
      'demo',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","resources":{"requests":{"memory":"2Gi"}}}]}}}}',
    );
    expect(patched.code).not.toBe(0);
    expect(patched.stderr).toContain('is invalid');
    expect(patched.stderr).toContain('must be less than or equal to memory limit of 1Gi');
    const stored = await ok(
      'get',
      'deployment',
      'limited-web',
      '-n',
      'demo',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].resources.requests.memory}',
    );
    expect(stored).toBe('512Mi');
  });

  it('refuses a field selector the resource does not support', async () => {
    const r = await kubectl(
      'get',
      'deployments',
      '-n',
      'demo',
      '--field-selector',
      'spec.replicas=2',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('field label not supported: spec.replicas');
    const pods = await ok('get', 'pods', '-n', 'demo', '--field-selector', 'status.phase=Running');
    expect(pods).toMatch(/Running/);
  });

  it('get of a missing object answers a 404 Status with details', async () => {
    const r = await kubectl('get', 'deployment', 'nope', '-n', 'demo', '-o', 'json', '-v=8');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deployments.apps \\"nope\\" not found');
    expect(r.stderr).toContain(
      '\\"details\\":{\\"name\\":\\"nope\\",\\"group\\":\\"apps\\",\\"kind\\":\\"deployments\\"}',
    );
  });

  it('debug of a pod fails as on a cluster without ephemeral containers, without a panic', async () => {
    const pod = (await ok('get', 'pods', '-n', 'demo', '-o', 'name')).trim().split('\n')[0] ?? '';
    const r = await kubectl('debug', '-n', 'demo', pod, '--image=busybox');
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toContain('panic');
    expect(r.stderr).toContain('ephemeral containers are disabled for this cluster');
  });

  it('get pods -A --chunk-size=2 pages through every pod', async () => {
    const all = await ok('get', 'pods', '-A', '-o', 'name');
    const chunked = await kubectl('get', 'pods', '-A', '-o', 'name', '--chunk-size=2', '-v=6');
    expect(chunked.code).toBe(0);
    expect(chunked.stdout.split('\n').sort()).toEqual(all.split('\n').sort());
    expect(chunked.stderr).toMatch(/continue=/);
  });
});
