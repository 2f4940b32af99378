import { Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKubectl, kubectlFor } from '../../fixtures/kubectl';
import {
  eventually,
  rawRequest,
  startTestSandbox,
  type SandboxFixture,
} from '../../fixtures/sandbox';

/**
 * Object semantics the real kubectl relies on (issue #12): `rollout pause` / `resume` and their
 * Progressing reasons, `delete --cascade` foreground and orphan as a watcher sees them, and
 * managedFields naming who set a field. `kubectl drain` is in objects-drain.test.ts.
 */

if (!hasKubectl) console.warn('kubectl is not installed: the object semantics tests are skipped');

let fx: SandboxFixture;
const runner = kubectlFor(() => fx.sandbox.kubeconfigPath);
const ok = runner.ok;

interface Meta {
  name: string;
  resourceVersion: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: { name: string }[];
  managedFields?: {
    manager: string;
    operation: string;
    subresource?: string;
    fieldsV1: Record<string, Record<string, unknown>>;
  }[];
}
interface Obj {
  metadata: Meta;
  spec?: { replicas?: number };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    observedGeneration?: number;
  };
}

async function getJson(...args: string[]): Promise<Obj> {
  return JSON.parse(await ok('get', ...args, '-o', 'json')) as Obj;
}

async function items(...args: string[]): Promise<Obj[]> {
  return (JSON.parse(await ok('get', ...args, '-o', 'json')) as { items: Obj[] }).items;
}

/** Watches a path with client-node; resolves the recorded events on stop. */
async function watchEvents(
  path: string,
  fieldSelector?: string,
): Promise<{ events: { type: string; obj: Obj }[]; stop: () => void }> {
  const events: { type: string; obj: Obj }[] = [];
  const request = await new Watch(fx.admin).watch(
    path,
    fieldSelector ? { fieldSelector } : {},
    (type, obj: Obj) => events.push({ type, obj }),
    () => undefined,
  );
  return { events, stop: () => request.abort() };
}

function progressing(d: Obj): { status: string; reason?: string; message?: string } | undefined {
  return d.status?.conditions?.find((c) => c.type === 'Progressing');
}

describe.skipIf(!hasKubectl)('object semantics kubectl relies on', () => {
  beforeAll(async () => {
    fx = await startTestSandbox({ hpaSyncIntervalMs: 300 });
  });
  afterAll(async () => {
    await fx?.sandbox.stop();
    runner.dispose();
  });

  describe('kubectl rollout pause and resume', () => {
    it('shows DeploymentPaused and rolls nothing out while paused; resume rolls it out', async () => {
      const name = 'forecast-web';
      const watch = await watchEvents(
        '/apis/apps/v1/namespaces/demo/deployments',
        `metadata.name=${name}`,
      );
      try {
        await ok('rollout', 'pause', `deployment/${name}`, '-n', 'demo');
        const paused = await eventually('the paused condition', async () => {
          const d = await getJson('deployment', name, '-n', 'demo');
          return progressing(d)?.reason === 'DeploymentPaused' ? d : undefined;
        });
        expect(progressing(paused)).toEqual(
          expect.objectContaining({ status: 'Unknown', message: 'Deployment is paused' }),
        );
        const replicaSets = async () =>
          (await items('rs', '-n', 'demo', '-l', 'app.kubernetes.io/part-of=forecast'))
            .map((r) => r.metadata.name)
            .filter((n) => n.startsWith(name))
            .sort();
        const before = await replicaSets();
        await ok(
          'set',
          'image',
          `deployment/${name}`,
          '-n',
          'demo',
          '*=registry.sandbox.local/demo/forecast:9',
        );
        // The controller has seen the new template (observedGeneration) and made nothing of it.
        await eventually('the new generation observed', async () => {
          const d = (await getJson('deployment', name, '-n', 'demo')) as Obj & {
            metadata: { generation?: number };
          };
          return d.status?.observedGeneration === d.metadata.generation;
        });
        expect(await replicaSets()).toEqual(before);
        expect(progressing(await getJson('deployment', name, '-n', 'demo'))?.reason).toBe(
          'DeploymentPaused',
        );

        await ok('rollout', 'resume', `deployment/${name}`, '-n', 'demo');
        await ok('rollout', 'status', `deployment/${name}`, '-n', 'demo', '--timeout=60s');
        const done = await getJson('deployment', name, '-n', 'demo');
        expect(progressing(done)?.reason).toBe('NewReplicaSetAvailable');
        expect((await replicaSets()).length).toBe(before.length + 1);
        const reasons = watch.events
          .map((e) => progressing(e.obj)?.reason)
          .filter((r, i, all) => r !== all[i - 1]);
        expect(reasons).toEqual(
          expect.arrayContaining([
            'DeploymentPaused',
            'DeploymentResumed',
            'NewReplicaSetAvailable',
          ]),
        );
        expect(reasons.indexOf('DeploymentResumed')).toBeLessThan(
          reasons.lastIndexOf('NewReplicaSetAvailable'),
        );
      } finally {
        watch.stop();
      }
    });
  });

  describe('kubectl delete --cascade', () => {
    async function created(name: string): Promise<void> {
      await ok(
        'create',
        'deployment',
        name,
        '-n',
        'demo',
        '--image=registry.sandbox.local/demo/web:1',
        '--replicas=2',
      );
      await ok('rollout', 'status', `deployment/${name}`, '-n', 'demo', '--timeout=60s');
    }

    it('foreground holds the Deployment with its finalizer until its ReplicaSets and pods are gone', async () => {
      await created('held');
      const deployments = await watchEvents(
        '/apis/apps/v1/namespaces/demo/deployments',
        'metadata.name=held',
      );
      const replicaSets = await watchEvents('/apis/apps/v1/namespaces/demo/replicasets');
      const pods = await watchEvents('/api/v1/namespaces/demo/pods');
      try {
        await ok('delete', 'deployment', 'held', '-n', 'demo', '--cascade=foreground');
        const gone = await eventually('the Deployment DELETED', () =>
          deployments.events.find((e) => e.type === 'DELETED'),
        );
        const marked = deployments.events.find(
          (e) => e.type === 'MODIFIED' && e.obj.metadata.deletionTimestamp,
        );
        expect(marked?.obj.metadata.finalizers).toEqual(['foregroundDeletion']);
        const rv = (e: { obj: Obj }) => Number(e.obj.metadata.resourceVersion);
        expect(rv(marked ?? gone)).toBeLessThan(rv(gone));
        // Every dependent went between the mark and the removal.
        const dependentsGone = [...replicaSets.events, ...pods.events].filter(
          (e) => e.type === 'DELETED' && e.obj.metadata.name.startsWith('held-'),
        );
        expect(dependentsGone.length).toBe(3);
        for (const e of dependentsGone) {
          expect(rv(e)).toBeGreaterThan(rv(marked ?? gone));
          expect(rv(e)).toBeLessThan(rv(gone));
        }
      } finally {
        deployments.stop();
        replicaSets.stop();
        pods.stop();
      }
    });

    it('orphan leaves the ReplicaSets and their pods, without the owner reference', async () => {
      await created('orphaned');
      await ok('delete', 'deployment', 'orphaned', '-n', 'demo', '--cascade=orphan');
      const left = (await items('rs', '-n', 'demo')).filter((r) =>
        r.metadata.name.startsWith('orphaned-'),
      );
      expect(left.length).toBe(1);
      expect(left[0]?.metadata.ownerReferences).toBeUndefined();
      const pods = (await items('pods', '-n', 'demo')).filter((p) =>
        p.metadata.name.startsWith('orphaned-'),
      );
      expect(pods.length).toBe(2);
    });
  });

  describe('managedFields', () => {
    function ownersOfReplicas(d: Obj): string[] {
      return (d.metadata.managedFields ?? [])
        .filter((m) => m.fieldsV1['f:spec']?.['f:replicas'] !== undefined)
        .map((m) => `${m.manager}${m.subresource ? `/${m.subresource}` : ''}`);
    }

    it('kubectl scale owns spec.replicas through the scale subresource; rollout pause owns spec.paused', async () => {
      await ok('scale', 'deployment/support-portal-web', '-n', 'demo', '--replicas=4');
      const d = await getJson(
        'deployment',
        'support-portal-web',
        '-n',
        'demo',
        '--show-managed-fields',
      );
      // kubectl 1.32 names no fieldManager on scale: the server takes its User-Agent's first word.
      expect(ownersOfReplicas(d)).toEqual(['kubectl/scale']);
      const entry = d.metadata.managedFields?.find((m) => m.subresource === 'scale');
      expect(entry).toMatchObject({
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      });
      await ok('rollout', 'pause', 'deployment/support-portal-web', '-n', 'demo');
      const paused = await getJson(
        'deployment',
        'support-portal-web',
        '-n',
        'demo',
        '--show-managed-fields',
      );
      const rollout = paused.metadata.managedFields?.find((m) => m.manager === 'kubectl-rollout');
      expect(rollout?.fieldsV1).toEqual({ 'f:spec': { 'f:paused': {} } });
      await ok('rollout', 'resume', 'deployment/support-portal-web', '-n', 'demo');
      // Without --show-managed-fields kubectl hides them, as against a real cluster.
      const hidden = await getJson('deployment', 'support-portal-web', '-n', 'demo');
      expect(hidden.metadata.managedFields).toBeUndefined();
    });

    it('after the HPA controller changes replicas, kube-controller-manager owns them', async () => {
      await ok('scale', 'deployment/inventory-web', '-n', 'demo', '--replicas=2');
      await ok(
        'autoscale',
        'deployment/inventory-web',
        '-n',
        'demo',
        '--min=3',
        '--max=5',
        '--cpu-percent=80',
      );
      const d = await eventually('the HPA scaled inventory-web to its minimum', async () => {
        const current = await getJson(
          'deployment',
          'inventory-web',
          '-n',
          'demo',
          '--show-managed-fields',
        );
        return current.spec?.replicas === 3 ? current : undefined;
      });
      expect(ownersOfReplicas(d)).toEqual(['kube-controller-manager/scale']);
    });

    it('a fieldManager longer than 128 characters is 422, like the real server', async () => {
      const res = await rawRequest(
        fx.sandbox,
        `/apis/apps/v1/namespaces/demo/deployments/sales-dash-web?fieldManager=${'m'.repeat(129)}`,
        fx.sandbox.tokens.admin,
        {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/merge-patch+json' },
          body: JSON.stringify({ metadata: { labels: { touched: 'yes' } } }),
        },
      );
      expect(res.status).toBe(422);
      expect(JSON.parse(res.body)).toMatchObject({
        reason: 'Invalid',
        message:
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
      });
    });
  });
});
