import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { AppSchema, PART_OF_LABEL, type App } from '../../../shared/app-model';
import { whyNoApps } from '../../../shared/namespace-summary';
import { adminClient, until, useConnectedSandbox } from '../../fixtures/services';
import { gunicornStatefulSetManifest } from '../../fixtures/workloads';

/**
 * Every workload an admin runs shows up, whatever its labels: the real client against the
 * sandbox, objects created with client-node as kubectl and Helm create them (not ScaleDesk's
 * part-of way), in a namespace of this file's own. StatefulSets are processes too, scaled,
 * redeployed and restarted through their own API; pods belong to a process only through their
 * owner references.
 */

const NS = 'discovery';

const live = useConnectedSandbox({
  prepare: async (sandbox) => {
    await adminClient(sandbox).core.createNamespace({ body: { metadata: { name: NS } } });
  },
});

function client() {
  return adminClient(live.sandbox);
}

async function apps(): Promise<App[]> {
  return live.harness.services.handlers['apps.list']({});
}

async function appNamed(name: string): Promise<App | undefined> {
  const found = (await apps()).find((a) => a.id === `${NS}/${name}`);
  return found && AppSchema.parse(found);
}

/** A Deployment whose labels are also its selector and template labels, as kubectl makes them. */
function labelledDeployment(
  name: string,
  labels: Record<string, string>,
  container: { name: string; image: string; command?: string[] },
  extra: { replicas?: number; annotations?: Record<string, string> } = {},
): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: NS,
      labels,
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [container] } },
    },
  };
}

function gunicornStatefulSet(
  name: string,
  labels: Record<string, string>,
  replicas: number,
): V1StatefulSet {
  return gunicornStatefulSetManifest({
    name,
    namespace: NS,
    labels,
    replicas,
    image: 'registry.sandbox.local/discovery/ledger:1',
  });
}

describe('every workload shows up as an app', () => {
  it('lists a Deployment of `kubectl create deployment plain --image=nginx --replicas=2` as an app of its own', async () => {
    // What kubectl create deployment makes: the label app=plain, a container named after the image.
    await client().apps.createNamespacedDeployment({
      namespace: NS,
      body: labelledDeployment(
        'plain',
        { app: 'plain' },
        { name: 'nginx', image: 'nginx' },
        { replicas: 2 },
      ),
    });
    const plain = await until('plain with 2 pods', async () => {
      const found = await appNamed('plain');
      return found?.processes[0]?.pods.length === 2 ? found : undefined;
    });
    expect(plain.groupedBy).toEqual({ rule: 'app-label', key: 'app' });
    expect(plain.processes.map((p) => [p.name, p.workloadKind, p.deployment])).toEqual([
      ['nginx', 'Deployment', 'plain'],
    ]);
  });

  it('groups the two gunicorn Deployments of a Helm release into one app with two processes', async () => {
    const helm = (process: string, module: string) =>
      labelledDeployment(
        `shop-${process}`,
        {
          'app.kubernetes.io/name': 'shop',
          'app.kubernetes.io/instance': 'shop',
          'app.kubernetes.io/managed-by': 'Helm',
          // Helm charts tell their Deployments apart by a label of their own.
          tier: process,
        },
        {
          name: 'shop',
          image: 'registry.sandbox.local/discovery/shop:1',
          command: ['gunicorn', module, '--workers', '2', '--bind', '0.0.0.0:8000'],
        },
        { annotations: { 'meta.helm.sh/release-name': 'shop' } },
      );
    for (const body of [helm('web', 'shop.wsgi:app'), helm('worker', 'shop.jobs:app')]) {
      await client().apps.createNamespacedDeployment({ namespace: NS, body });
    }
    const shop = await until('shop with both processes', async () => {
      const found = await appNamed('shop');
      return found?.processes.length === 2 ? found : undefined;
    });
    expect(shop.groupedBy).toEqual({ rule: 'helm-release', key: 'app.kubernetes.io/instance' });
    expect(shop.processes.map((p) => [p.name, p.deployment])).toEqual([
      ['web', 'shop-web'],
      ['worker', 'shop-worker'],
    ]);
    expect(shop.processes.every((p) => p.workers?.count === 2)).toBe(true);
    // Neither is an app of its own.
    expect((await apps()).filter((a) => a.namespace === NS).map((a) => a.name)).not.toContain(
      'shop-web',
    );
  });
});

describe('a StatefulSet running gunicorn', () => {
  const ledger = { namespace: NS, app: 'ledger', process: 'db' };

  it('is a process of its app, with its pods and its rollout', async () => {
    await client().apps.createNamespacedStatefulSet({
      namespace: NS,
      body: gunicornStatefulSet('ledger-db', { app: 'ledger' }, 1),
    });
    const app = await until('ledger with its ready pod', async () => {
      const found = await appNamed('ledger');
      const db = found?.processes[0];
      return db?.replicas.ready === 1 && db.rollout.state === 'complete' ? found : undefined;
    });
    expect(app.processes[0]).toMatchObject({
      name: 'db',
      workloadKind: 'StatefulSet',
      deployment: 'ledger-db',
      workers: { count: 2 },
    });
    expect(app.processes[0]?.pods.map((p) => p.name)).toEqual(['ledger-db-0']);
  });

  it('is scaled through statefulsets/scale, and client-node sees the new count', async () => {
    const handlers = live.harness.services.handlers;
    const result = await handlers['process.setReplicas']({
      ...ledger,
      replicas: 2,
      expectedReplicas: 1,
    });
    expect(result.activity.command).toBe(
      `kubectl scale statefulset/ledger-db --replicas=2 -n ${NS} --context sandbox`,
    );
    const set = await client().apps.readNamespacedStatefulSet({ name: 'ledger-db', namespace: NS });
    expect(set.spec?.replicas).toBe(2);
    await until('the model to show 2 ready replicas', async () => {
      const db = (await appNamed('ledger'))?.processes[0];
      return db?.replicas.ready === 2 && db.pods.length === 2;
    });
    // The change is followed to its end, as a Deployment's is.
    const entry = await until('the activity entry to settle', async () => {
      const list = await handlers['activity.list']({ limit: 200 });
      const found = list.find((e) => e.id === result.activity.id);
      return found && found.result !== 'pending' ? found : undefined;
    });
    expect(entry.result).toBe('done');
  });

  it("sets the workers by a JSON patch of the StatefulSet's template", async () => {
    const result = await live.harness.services.handlers['process.setWorkers']({
      ...ledger,
      workers: 3,
      expectedWorkers: 2,
    });
    expect(result.activity.command).toMatch(/^kubectl patch statefulset\/ledger-db --type=json /);
    const set = await client().apps.readNamespacedStatefulSet({ name: 'ledger-db', namespace: NS });
    expect(set.spec?.template.spec?.containers[0]?.command).toEqual([
      'gunicorn',
      'ledger:app',
      '--workers',
      '3',
      '--bind',
      '0.0.0.0:8000',
    ]);
    await until('the model to show 3 workers', async () => {
      return (await appNamed('ledger'))?.processes[0]?.workers?.count === 3;
    });
  });

  it('is restarted as kubectl rollout restart does: the restartedAt template annotation', async () => {
    const result = await live.harness.services.handlers['app.restart']({
      namespace: NS,
      app: 'ledger',
    });
    expect(result.activity.command).toBe(
      `kubectl rollout restart statefulset/ledger-db -n ${NS} --context sandbox`,
    );
    const set = await client().apps.readNamespacedStatefulSet({ name: 'ledger-db', namespace: NS });
    expect(set.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe(
      result.activity.to,
    );
    await until('the model to show the restart', async () => {
      return (await appNamed('ledger'))?.lastRestartAt === result.activity.to;
    });
  });
});

describe('pods belong to a process only through their owner references', () => {
  it("never counts a StatefulSet's pod for the Deployment whose selector matches its labels", async () => {
    // chart-web selects app=chart; the pods of chart-db carry app=chart (and role=db) too.
    await client().apps.createNamespacedDeployment({
      namespace: NS,
      body: labelledDeployment(
        'chart-web',
        { app: 'chart' },
        {
          name: 'web',
          image: 'registry.sandbox.local/discovery/chart:1',
          command: ['gunicorn', 'chart:app', '--workers', '2', '--bind', '0.0.0.0:8000'],
        },
      ),
    });
    await client().apps.createNamespacedStatefulSet({
      namespace: NS,
      body: gunicornStatefulSet('chart-db', { app: 'chart', role: 'db' }, 1),
    });
    const chart = await until('chart with both processes running', async () => {
      const found = await appNamed('chart');
      const ready = found?.processes.every((p) => p.replicas.ready === 1 && p.pods.length === 1);
      return found?.processes.length === 2 && ready ? found : undefined;
    });
    const web = chart.processes.find((p) => p.deployment === 'chart-web')!;
    const db = chart.processes.find((p) => p.deployment === 'chart-db')!;
    expect(web.pods.every((p) => p.name.startsWith('chart-web-'))).toBe(true);
    expect(db.pods.map((p) => p.name)).toEqual(['chart-db-0']);
    // chart-db-0 does match chart-web's selector: only its owner reference says whose it is.
    const { items } = await client().core.listNamespacedPod({
      namespace: NS,
      labelSelector: 'app=chart',
    });
    expect(items.map((p: V1Pod) => p.metadata?.name).sort()).toEqual(
      [...web.pods.map((p) => p.name), 'chart-db-0'].sort(),
    );
  });
});

describe('the grouping label setting', () => {
  it('regroups the apps by the label the admin names, and back', async () => {
    const team = (name: string) =>
      labelledDeployment(
        name,
        { 'team.example.com/app': 'billing', [PART_OF_LABEL]: name },
        {
          name: 'web',
          image: 'registry.sandbox.local/discovery/billing:1',
          command: ['gunicorn', `${name}:app`, '--workers', '2'],
        },
      );
    for (const name of ['invoices', 'payments']) {
      await client().apps.createNamespacedDeployment({ namespace: NS, body: team(name) });
    }
    await until('invoices and payments as apps', async () => {
      const names = (await apps()).map((a) => a.id);
      return names.includes(`${NS}/invoices`) && names.includes(`${NS}/payments`);
    });
    const handlers = live.harness.services.handlers;
    try {
      await handlers['settings.set']({ groupingLabel: 'team.example.com/app' });
      const billing = await until('one app billing', async () => {
        const list = await apps();
        const found = list.find((a) => a.id === `${NS}/billing`);
        return found && !list.some((a) => a.id === `${NS}/invoices`) ? found : undefined;
      });
      expect(billing.groupedBy).toEqual({ rule: 'grouping-label', key: 'team.example.com/app' });
      expect(billing.processes.map((p) => p.deployment).sort()).toEqual(['invoices', 'payments']);
      // The apps the setting does not touch keep their grouping (the Helm release, here).
      expect((await appNamed('shop'))?.groupedBy.rule).toBe('helm-release');
    } finally {
      await handlers['settings.set']({ groupingLabel: PART_OF_LABEL });
    }
    await until('invoices and payments back', async () => {
      const names = (await apps()).map((a) => a.id);
      return names.includes(`${NS}/invoices`) && !names.includes(`${NS}/billing`);
    });
  });
});

describe('a namespace with nothing ScaleDesk can scale', () => {
  it('says what it found there and why nothing is listed', async () => {
    const core = client().core;
    const ns = 'daemons-only';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const container = { name: 'main', image: 'registry.sandbox.local/daemons/agent:1' };
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: {
          name: 'node-agent-x7k2p',
          labels: { app: 'node-agent' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              name: 'node-agent',
              uid: '0b7c2f1e-6a1d-4f7e-9d1c-2a3b4c5d6e7f',
              controller: true,
            },
          ],
        },
        spec: { containers: [container] },
      },
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'scratch', labels: { run: 'scratch' } },
        spec: { containers: [container] },
      },
    });
    const handlers = live.harness.services.handlers;
    await handlers['cluster.connect']({ context: 'sandbox', namespace: ns });
    expect(await apps()).toEqual([]);
    const summary = await until('both pods counted', async () => {
      const found = await handlers['cluster.namespaceSummary']({});
      return found.pods === 2 ? found : undefined;
    });
    expect(summary).toEqual({
      namespace: ns,
      workloads: 0,
      pods: 2,
      unlisted: [
        { kind: 'DaemonSet', owners: 1, pods: 1 },
        { kind: null, owners: 0, pods: 1 },
      ],
      statefulSetsUnreadable: false,
    });
    expect(whyNoApps(summary, 'in this namespace')).toBe(
      'Found 1 pod of a DaemonSet and 1 bare pod (no owner) in this namespace; ScaleDesk lists Deployments and StatefulSets.',
    );
  });
});
