import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKubectl, kubectlFor } from '../../fixtures/kubectl';
import {
  eventually,
  rawRequest,
  startTestSandbox,
  type SandboxFixture,
} from '../../fixtures/sandbox';

/**
 * `kubectl drain` against the sandbox (issue #12): cordon, evictions through the pods/eviction
 * subresource, DaemonSet and bare pods handled as kubectl expects, a PodDisruptionBudget's 429,
 * the controllers' replacements on other nodes, and an Eviction sent as protobuf.
 */

if (!hasKubectl) console.warn('kubectl is not installed: the drain tests are skipped');

let fx: SandboxFixture;
const runner = kubectlFor(() => fx.sandbox.kubeconfigPath);
const kubectl = runner.run;
const ok = runner.ok;

interface Obj {
  metadata: { name: string; deletionTimestamp?: string };
  spec?: { nodeName?: string; unschedulable?: boolean };
  status?: { readyReplicas?: number };
}

async function getJson(...args: string[]): Promise<Obj> {
  return JSON.parse(await ok('get', ...args, '-o', 'json')) as Obj;
}

async function items(...args: string[]): Promise<Obj[]> {
  return (JSON.parse(await ok('get', ...args, '-o', 'json')) as { items: Obj[] }).items;
}

describe.skipIf(!hasKubectl)('kubectl drain and evictions', () => {
  beforeAll(async () => {
    fx = await startTestSandbox();
  });
  afterAll(async () => {
    await fx?.sandbox.stop();
    runner.dispose();
  });

  describe('kubectl drain', () => {
    it('refuses a node with a pod no controller owns unless --force', async () => {
      const bare = await getJson('pod', 'scratch-web', '-n', 'mixed');
      const node = bare.spec?.nodeName ?? '';
      const refused = await kubectl(
        'drain',
        node,
        '--ignore-daemonsets',
        '--delete-emptydir-data',
        '--timeout=30s',
      );
      expect(refused.stderr).toContain(
        'cannot delete Pods that declare no controller (use --force to override): mixed/scratch-web',
      );
      expect((await getJson('pod', 'scratch-web', '-n', 'mixed')).metadata.deletionTimestamp).toBe(
        undefined,
      );
      await ok('uncordon', node);
    });

    it('keeps a pod a PodDisruptionBudget protects: the eviction is 429 and kubectl retries', async () => {
      // `kubectl create pdb` sends the budget as protobuf.
      await ok(
        'create',
        'pdb',
        'sales-dash-web',
        '-n',
        'demo',
        '--selector=app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
        '--min-available=2',
      );
      const [pod] = await items(
        'pods',
        '-n',
        'demo',
        '-l',
        'app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
      );
      const node = pod?.spec?.nodeName ?? '';
      try {
        const refused = await kubectl(
          'drain',
          node,
          // Only the protected pod: the refusal alone is what this checks.
          '--pod-selector=app.kubernetes.io/part-of=sales-dash,app.kubernetes.io/component=web',
          '--timeout=1s',
        );
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain(
          "(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.",
        );
        const kept = await getJson('pod', pod?.metadata.name ?? '', '-n', 'demo');
        expect(kept.metadata.deletionTimestamp).toBeUndefined();
      } finally {
        await ok('delete', 'pdb', 'sales-dash-web', '-n', 'demo');
        await ok('uncordon', node);
      }
    });

    it('cordons the node, evicts its pods, skips the DaemonSet pod; controllers replace them elsewhere', async () => {
      const node = 'sandbox-node-1';
      const before = (await items('pods', '-A', '--field-selector', `spec.nodeName=${node}`)).map(
        (p) => p.metadata.name,
      );
      expect(before).toContain('node-exporter-7xk2p');
      expect(before.length).toBeGreaterThan(2);
      const bareHere = before.includes('scratch-web');
      const out = await ok(
        'drain',
        node,
        '--ignore-daemonsets',
        '--delete-emptydir-data',
        ...(bareHere ? ['--force'] : []),
        '--timeout=60s',
      );
      expect(out).toContain(`node/${node} cordoned`);
      expect(out).toMatch(/evicting pod \S+/);
      expect(out).toContain(`node/${node} drained`);
      expect((await getJson('node', node)).spec?.unschedulable).toBe(true);
      const left = (await items('pods', '-A', '--field-selector', `spec.nodeName=${node}`)).map(
        (p) => p.metadata.name,
      );
      expect(left).toEqual(['node-exporter-7xk2p']);
      // The replacements run on the other nodes: every seeded Deployment ready again.
      await eventually('sales-dash-web ready again off the drained node', async () => {
        const d = await getJson('deployment', 'sales-dash-web', '-n', 'demo');
        const pods = await items(
          'pods',
          '-n',
          'demo',
          '-l',
          'app.kubernetes.io/part-of=sales-dash',
        );
        return (
          (d as { status?: { readyReplicas?: number } }).status?.readyReplicas === 2 &&
          pods.every((p) => p.spec?.nodeName !== node)
        );
      });
      await ok('uncordon', node);
    });
  });

  describe('an Eviction in protobuf', () => {
    /** A length-delimited protobuf field; every length and tag here is below 128 (one byte). */
    const field = (id: number, ...parts: (Buffer | string)[]): Buffer => {
      const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
      return Buffer.concat([Buffer.from([(id << 3) | 2, body.length]), body]);
    };

    it('is decoded with its zero grace period: the pod goes at once', async () => {
      const name = 'scratch-web';
      const eviction = Buffer.concat([
        field(1, field(1, name), field(3, 'mixed')),
        // deleteOptions.gracePeriodSeconds = 0 (a varint field: tag 0x08, value 0).
        field(2, Buffer.from([0x08, 0x00])),
      ]);
      const body = Buffer.concat([
        Buffer.from('k8s\0'),
        field(1, field(1, 'policy/v1'), field(2, 'Eviction')),
        field(2, eviction),
      ]);
      const res = await rawRequest(
        fx.sandbox,
        `/api/v1/namespaces/mixed/pods/${name}/eviction`,
        fx.sandbox.tokens.admin,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
          // Every byte is below 0x80, so the string carries them unchanged.
          body: body.toString('latin1'),
        },
      );
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', status: 'Success' });
      const gone = await kubectl('get', 'pod', name, '-n', 'mixed');
      expect(gone.stderr).toContain(`pods "${name}" not found`);
    });
  });
});
