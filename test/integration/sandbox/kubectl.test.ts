import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKubectl, kubectlFor } from '../../fixtures/kubectl';
import { eventually, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * The installed kubectl against the sandbox: the real client's verdict on its wire protocol.
 * kubectl only ever sees the sandbox's own kubeconfig (KUBECONFIG) and a throwaway cache dir.
 */

if (!hasKubectl)
  console.warn('kubectl is not installed: the kubectl tests against the sandbox are skipped');

let fx: SandboxFixture;
const runner = kubectlFor(() => fx.sandbox.kubeconfigPath);
const kubectl = runner.run;
const ok = runner.ok;

describe.skipIf(!hasKubectl)('kubectl against the sandbox', () => {
  beforeAll(async () => {
    fx = await startTestSandbox();
  });
  afterAll(async () => {
    await fx?.sandbox.stop();
    runner.dispose();
  });

  it('get deployments -A prints the seeded deployments with their columns', async () => {
    const out = await ok('get', 'deployments', '-A');
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(out).toMatch(/demo\s+sales-dash-web\s+2\/2\s+2\s+2\s+\d+d/);
    expect(out).toMatch(/demo\s+churn-report-web\s+0\/2\s+2\s+0/);
    expect(out).toMatch(/analytics\s+kpi-board-web\s+1\/1/);
  });

  it('get pods shows status and restarts as kubectl does against a real cluster', async () => {
    const out = await ok(
      'get',
      'pods',
      '-n',
      'demo',
      '-l',
      'app.kubernetes.io/part-of=churn-report,app.kubernetes.io/component=web',
    );
    expect(out).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(out).toMatch(
      /churn-report-web-\S+\s+0\/1\s+(CrashLoopBackOff|Running)\s+\d+ \(\S+ ago\)/,
    );
    const describe = await ok(
      'describe',
      'pod',
      '-n',
      'demo',
      '-l',
      'app.kubernetes.io/part-of=churn-report,app.kubernetes.io/component=web',
    );
    expect(describe).toContain('OOMKilled');
  });

  it('scale --replicas=3 puts the pods on more than one node', async () => {
    expect(await ok('scale', 'deployment/inventory-web', '--replicas=3')).toContain('scaled');
    const nodes = await eventually('three inventory-web pods on nodes', async () => {
      const out = await ok(
        'get',
        'pods',
        '-l',
        'app.kubernetes.io/part-of=inventory,app.kubernetes.io/component=web',
        '-o',
        'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}',
      );
      const names = out.trim().split('\n').filter(Boolean);
      return names.length === 3 ? names : undefined;
    });
    expect(new Set(nodes).size).toBeGreaterThan(1);
  });

  it('rollout restart then rollout status completes', async () => {
    expect(await ok('rollout', 'restart', 'deployment/sales-dash-web')).toContain('restarted');
    const status = await ok('rollout', 'status', 'deployment/sales-dash-web', '--timeout=60s');
    expect(status).toContain('successfully rolled out');
    const annotations = await ok(
      'get',
      'deployment',
      'sales-dash-web',
      '-o',
      'jsonpath={.spec.template.metadata.annotations}',
    );
    expect(annotations).toContain('kubectl.kubernetes.io/restartedAt');
  });

  it('top pod shows memory from the metrics API', async () => {
    const out = await eventually('kubectl top pod to have metrics', async () => {
      const r = await kubectl('top', 'pod', '-n', 'demo');
      return r.code === 0 ? r.stdout : undefined;
    });
    expect(out).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    expect(out).toMatch(/forecast-web-\S+\s+\d+m\s+\d+Mi/);
    const nodes = await ok('top', 'node');
    expect(nodes).toContain('sandbox-node-1');
  });

  it('get pods --watch sees a new pod', async () => {
    const child = spawn('kubectl', ['get', 'pods', '-n', 'analytics', '--watch'], {
      env: runner.env(),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually('the initial list', () => out.includes('kpi-board-web-'));
      await ok('scale', 'deployment/kpi-board-worker', '-n', 'analytics', '--replicas=2');
      await eventually('a second kpi-board-worker pod on the watch', () => {
        const names = new Set(out.match(/kpi-board-worker-[a-z0-9]+-[a-z0-9]{5}/g) ?? []);
        return names.size >= 2;
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(out).not.toContain('error');
  });

  it('apply -f creates then updates a deployment; create namespace, logs and describe service work', async () => {
    const manifest = join(runner.home, 'hello.json');
    const deployment = (replicas: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'hello',
        namespace: 'demo',
        labels: { 'app.kubernetes.io/part-of': 'hello', 'app.kubernetes.io/component': 'web' },
      },
      spec: {
        replicas,
        selector: {
          matchLabels: {
            'app.kubernetes.io/part-of': 'hello',
            'app.kubernetes.io/component': 'web',
          },
        },
        template: {
          metadata: {
            labels: { 'app.kubernetes.io/part-of': 'hello', 'app.kubernetes.io/component': 'web' },
          },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'hello:1',
                command: ['gunicorn', 'app:server', '--workers', '3', '--bind', '0.0.0.0:8050'],
              },
            ],
          },
        },
      },
    });
    writeFileSync(manifest, JSON.stringify(deployment(1)));
    expect(await ok('apply', '-f', manifest)).toContain('deployment.apps/hello created');
    writeFileSync(manifest, JSON.stringify(deployment(2)));
    // diff uses a server-side dry run: it shows the change and changes nothing.
    const diff = await kubectl('diff', '-f', manifest);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^\+\s+replicas: 2$/m);
    expect(await ok('get', 'deployment', 'hello', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
    expect(await ok('apply', '-f', manifest)).toContain('deployment.apps/hello configured');
    await ok('rollout', 'status', 'deployment/hello', '--timeout=60s');
    const logs = await ok('logs', 'deployment/hello');
    expect(logs.match(/Booting worker with pid/g)).toHaveLength(3);

    expect(await ok('create', 'namespace', 'scratch')).toContain('namespace/scratch created');
    expect(await ok('get', 'namespace', 'scratch')).toContain('Active');
    // Imperative creates go as protobuf: decoded faithfully, or refused, never half-read.
    await ok(
      'create',
      'deployment',
      'quick',
      '-n',
      'scratch',
      '--image=quick:1',
      '--replicas=2',
      '--port=8050',
      '--',
      'gunicorn',
      'app:server',
      '-w',
      '3',
    );
    const quick = JSON.parse(
      await ok('get', 'deployment', 'quick', '-n', 'scratch', '-o', 'json'),
    ) as {
      spec: {
        replicas: number;
        template: {
          spec: {
            containers: { image: string; command: string[]; ports: { containerPort: number }[] }[];
          };
        };
      };
    };
    expect(quick.spec.replicas).toBe(2);
    expect(quick.spec.template.spec.containers[0]).toMatchObject({
      image: 'quick:1',
      command: ['gunicorn', 'app:server', '-w', '3'],
      ports: [{ containerPort: 8050 }],
    });
    expect(
      await ok('expose', 'deployment', 'quick', '-n', 'scratch', '--port=80', '--target-port=8050'),
    ).toContain('service/quick exposed');
    expect(
      await ok(
        'run',
        'one-off',
        '-n',
        'scratch',
        '--image=busybox',
        '--env=MODE=test',
        '--',
        'sleep',
        '60',
      ),
    ).toContain('pod/one-off created');
    expect(
      await ok(
        'get',
        'pod',
        'one-off',
        '-n',
        'scratch',
        '-o',
        'jsonpath={.spec.containers[0].env[0].value}',
      ),
    ).toBe('test');

    const service = await ok('describe', 'service', 'sales-dash', '-n', 'demo');
    expect(service).toMatch(/Endpoints:\s+10\.244\.\d+\.\d+:8050/);
  });

  it('auth can-i answers yes for admin and no for viewer', async () => {
    const admin = await kubectl(
      'auth',
      'can-i',
      'patch',
      'deployments',
      '--subresource=scale',
      '-n',
      'demo',
    );
    expect(admin.stdout.trim()).toBe('yes');
    expect(admin.code).toBe(0);
    const viewer = await kubectl(
      '--context',
      'sandbox-viewer',
      'auth',
      'can-i',
      'patch',
      'deployments',
      '--subresource=scale',
      '-n',
      'demo',
    );
    expect(viewer.stdout.trim()).toBe('no');
    expect(viewer.code).toBe(1);
    const viewerRead = await kubectl(
      '--context',
      'sandbox-viewer',
      'auth',
      'can-i',
      'list',
      'pods',
      '-n',
      'demo',
    );
    expect(viewerRead.stdout.trim()).toBe('yes');
    const denied = await kubectl(
      '--context',
      'sandbox-viewer',
      'scale',
      'deployment/forecast-web',
      '--replicas=3',
    );
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('User "viewer" cannot patch resource "deployments/scale"');
  });
});
