import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { processDeployment } from '../fixtures/kube-objects';
import { waitFor } from './stats';

/**
 * The heaviest app the Scale tab draws, made through the API on the bench's sandbox (the seed
 * has none like it): `fleet` in namespace demo, 10 processes (a gunicorn web, nine celery
 * queues) of 10 replicas each. Room for its 100 pods: two more nodes of 110 pods, and demo's
 * pod quota raised from 40 to 200.
 */

export const BIG_APP = { namespace: 'demo', name: 'fleet', processes: 10, replicas: 10 };

const COMPONENTS = [
  'web',
  'worker',
  'beat',
  'ingest',
  'export',
  'mailer',
  'reports',
  'search',
  'thumbnails',
  'billing',
];
const PART_OF = 'app.kubernetes.io/part-of';
const COMPONENT = 'app.kubernetes.io/component';

/** The process names, in Procfile order. */
export const BIG_APP_PROCESSES = COMPONENTS.slice(0, BIG_APP.processes);

function command(component: string): string[] {
  return component === 'web'
    ? ['gunicorn', 'fleet.app:server', '--workers', '4', '--bind', '0.0.0.0:8050']
    : ['celery', '-A', 'fleet.tasks', 'worker', '-Q', component, '--concurrency', '2'];
}

export async function createBigApp(kubeConfig: KubeConfig): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  for (const name of ['bench-node-1', 'bench-node-2']) {
    const pods = { pods: '110', cpu: '16', memory: '128Gi' };
    await core.createNode({
      body: {
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
        status: {
          capacity: pods,
          allocatable: pods,
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        },
      },
    });
  }
  await core.patchNamespacedResourceQuota(
    {
      name: 'pod-quota',
      namespace: BIG_APP.namespace,
      body: { spec: { hard: { pods: '200' } } },
    },
    merge,
  );
  for (const [index, component] of BIG_APP_PROCESSES.entries()) {
    await apps.createNamespacedDeployment({
      namespace: BIG_APP.namespace,
      body: processDeployment({
        app: BIG_APP.name,
        component,
        procfileIndex: index,
        replicas: BIG_APP.replicas,
        container: {
          name: component,
          image: 'registry.sandbox.local/demo/fleet:2025.6.1',
          command: command(component),
          resources: { limits: { memory: '2Gi' } },
          ...(component === 'web' ? { ports: [{ containerPort: 8050, name: 'http' }] } : {}),
        },
      }),
    });
  }
  const webLabels = { [PART_OF]: BIG_APP.name, [COMPONENT]: 'web' };
  await core.createNamespacedService({
    namespace: BIG_APP.namespace,
    body: {
      metadata: { name: BIG_APP.name, labels: webLabels },
      spec: { selector: webLabels, ports: [{ name: 'http', port: 8050, targetPort: 8050 }] },
    },
  });
  await waitFor(
    'the 100 pods of fleet to be ready',
    async () => {
      const list = await apps.listNamespacedDeployment({
        namespace: BIG_APP.namespace,
        labelSelector: `${PART_OF}=${BIG_APP.name}`,
      });
      const ready = list.items.reduce((n, d) => n + (d.status?.readyReplicas ?? 0), 0);
      return ready === BIG_APP.processes * BIG_APP.replicas;
    },
    60_000,
    250,
  );
}
