import type { ControlPlane } from './control-plane';
import type { Node, Pod } from './kube-types';
import { TYPES } from './resource-types';
import {
  CELERY,
  COMPONENT,
  DAY,
  GUNICORN_WEB,
  PART_OF,
  seedApp,
  seedNamespace,
  WORKSPACE,
  type NamespaceSeed,
  type SeedApp,
  type SeedProcess,
} from './seed-apps';
import { seedMixedNamespace } from './seed-mixed';
import { timestamp } from './timestamps';

/**
 * The demo cluster a newcomer sees: three nodes of 32Gi allocatable memory, the namespaces
 * `demo` and `analytics` with a LimitRange (default memory limit 8Gi) and a pod ResourceQuota
 * (demo's also caps `limits.memory` at 256Gi), and Dash-style apps whose
 * processes come from Procfile lines (gunicorn web, celery worker, a Jupyter workspace).
 * Among them: `forecast` runs close to its memory limit, `churn-report` is already stopped by
 * it (its web pods are OOMKilled in a crash loop), `inventory` uses --preload,
 * `support-portal` sets its workers through WEB_CONCURRENCY and runs near its capacity,
 * `pricing-api` has its own 2Gi container limit, `archive-viewer` is scaled to zero.
 * The namespace `mixed` holds what real clusters have besides: a Helm release, a plain
 * `app:`-labelled Deployment, an Argo CD application, an autoscaled part-of app (with an HPA),
 * a StatefulSet whose pods the plain Deployment's selector also matches, a pod of a DaemonSet
 * and a pod of nobody.
 * `--apps N` adds N generated apps in namespaces of 50 (`apps-01`, `apps-02`, ...); with
 * `--namespaces M` they spread evenly over M namespaces instead.
 * How an app becomes objects is seed-apps.ts; the `mixed` namespace is seed-mixed.ts.
 */

export const DEMO_NAMESPACES: NamespaceSeed[] = [
  // The demo apps' pods have 132Gi of limits between them: room for a few more apps or raised
  // limits (an admin trying things, the tests' own workloads), and a cap one can still reach.
  { name: 'demo', podQuota: 40, limitsMemoryQuota: '256Gi' },
  { name: 'analytics', podQuota: 20 },
];

export const DEMO_APPS: SeedApp[] = [
  {
    namespace: 'demo',
    name: 'sales-dash',
    ageDays: 41,
    servicePort: 8050,
    processes: [
      {
        component: 'web',
        command: ['gunicorn'],
        args: ['app:server', '--workers', '4', '--bind', '0.0.0.0:8050'],
        replicas: 2,
      },
      { component: 'worker', command: CELERY(['--concurrency', '2']), replicas: 1 },
      WORKSPACE,
    ],
    profile: {
      memory: {
        web: { baseMiB: 220, perWorkerMiB: 310 },
        worker: { baseMiB: 160, perWorkerMiB: 190 },
        workspace: { baseMiB: 1100, perWorkerMiB: 0 },
      },
      load: { requestsPerSecond: 30, perWorkerRps: 10, baseLatencyMs: 45 },
    },
  },
  {
    namespace: 'demo',
    name: 'forecast',
    ageDays: 23,
    servicePort: 8050,
    processes: [
      { component: 'web', command: GUNICORN_WEB(['--workers', '4']), replicas: 2 },
      WORKSPACE,
    ],
    // 1024 + 4 x 1550 MiB = 7224 MiB: 88% of the 8Gi default, drifting to about 95%.
    profile: {
      memory: {
        web: { baseMiB: 1024, perWorkerMiB: 1550 },
        workspace: { baseMiB: 2300, perWorkerMiB: 0 },
      },
      load: { requestsPerSecond: 12, perWorkerRps: 6, baseLatencyMs: 120 },
    },
  },
  {
    namespace: 'demo',
    name: 'churn-report',
    ageDays: 17,
    servicePort: 8050,
    oomStopped: true,
    processes: [
      { component: 'web', command: GUNICORN_WEB(['-w', '6']), replicas: 2 },
      { component: 'worker', command: CELERY(), replicas: 1 },
    ],
    // 400 + 6 x 900 MiB = 5800 MiB fits; the running pods hold a dataset that does not.
    profile: {
      memory: {
        web: { baseMiB: 400, perWorkerMiB: 900 },
        worker: { baseMiB: 150, perWorkerMiB: 220 },
      },
      load: { requestsPerSecond: 15, perWorkerRps: 7, baseLatencyMs: 90 },
    },
  },
  {
    namespace: 'demo',
    name: 'inventory',
    ageDays: 65,
    servicePort: 8050,
    processes: [
      { component: 'web', command: GUNICORN_WEB(['--workers=3'], ['--preload']), replicas: 2 },
      { component: 'worker', command: CELERY(['-c', '4']), replicas: 1 },
    ],
    profile: {
      memory: {
        web: { baseMiB: 300, perWorkerMiB: 700 },
        worker: { baseMiB: 150, perWorkerMiB: 180 },
      },
      load: { requestsPerSecond: 20, perWorkerRps: 9, baseLatencyMs: 50 },
    },
  },
  {
    namespace: 'demo',
    name: 'support-portal',
    ageDays: 9,
    servicePort: 8050,
    processes: [
      {
        component: 'web',
        command: ['gunicorn', 'app:server', '--bind', '0.0.0.0:8050'],
        env: [{ name: 'WEB_CONCURRENCY', value: '3' }],
        replicas: 3,
      },
    ],
    // 60 req/s against 3 x 3 x 8 = 72: near capacity, so response times are visibly high.
    profile: {
      memory: { web: { baseMiB: 200, perWorkerMiB: 280 } },
      load: { requestsPerSecond: 60, perWorkerRps: 8, baseLatencyMs: 60 },
    },
  },
  {
    namespace: 'demo',
    name: 'pricing-api',
    ageDays: 120,
    servicePort: 80,
    processes: [
      {
        component: 'web',
        command: ['gunicorn', 'wsgi:app', '-w2', '--bind', '0.0.0.0:80'],
        replicas: 2,
        memoryLimit: '2Gi',
        port: 80,
      },
    ],
    profile: {
      memory: { web: { baseMiB: 250, perWorkerMiB: 600 } },
      load: { requestsPerSecond: 25, perWorkerRps: 20, baseLatencyMs: 25 },
    },
  },
  {
    namespace: 'analytics',
    name: 'ml-explorer',
    ageDays: 33,
    servicePort: 8050,
    processes: [
      {
        component: 'web',
        command: GUNICORN_WEB(['--workers', '2'], ['--timeout', '120']),
        replicas: 1,
      },
      WORKSPACE,
    ],
    profile: {
      memory: {
        web: { baseMiB: 600, perWorkerMiB: 1200 },
        workspace: { baseMiB: 3000, perWorkerMiB: 0 },
      },
      load: { requestsPerSecond: 3, perWorkerRps: 4, baseLatencyMs: 150 },
    },
  },
  {
    namespace: 'analytics',
    name: 'kpi-board',
    ageDays: 200,
    servicePort: 8050,
    processes: [
      { component: 'web', command: GUNICORN_WEB(['--workers=2']), replicas: 1 },
      { component: 'worker', command: CELERY(), replicas: 1 },
    ],
    profile: {
      memory: { web: { baseMiB: 180, perWorkerMiB: 240 } },
      load: { requestsPerSecond: 5, perWorkerRps: 10, baseLatencyMs: 40 },
    },
  },
  {
    namespace: 'analytics',
    name: 'archive-viewer',
    ageDays: 300,
    servicePort: 8050,
    annotations: { 'scaledesk.io/replicas-before-stop': '1' },
    processes: [{ component: 'web', command: GUNICORN_WEB(['--workers', '2']), replicas: 0 }],
    profile: {
      memory: { web: { baseMiB: 200, perWorkerMiB: 300 } },
      load: { requestsPerSecond: 1, perWorkerRps: 10, baseLatencyMs: 40 },
    },
  },
];

export const SEED_NODE_PODS = 30;
export const GENERATED_NODE_PODS = 110;
export const APPS_PER_NAMESPACE = 50;
export const GENERATED_QUOTA = 300;

function node(name: string, index: number, pods: number, ageDays: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      creationTimestamp: timestamp(Date.now() - ageDays * DAY),
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'sandbox.large',
        'topology.kubernetes.io/zone': `sandbox-${'abc'[index % 3]}`,
      },
    },
    spec: {},
    status: {
      capacity: {
        cpu: '16',
        memory: '35651584Ki',
        pods: String(pods),
        'ephemeral-storage': '203056560Ki',
      },
      allocatable: {
        cpu: '15890m',
        // 32Gi: the room the scheduler fits memory requests into (capacity less system reserve).
        memory: '33554432Ki',
        pods: String(pods),
        'ephemeral-storage': '187136925387',
      },
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          message: 'kubelet has sufficient memory available',
        },
        {
          type: 'DiskPressure',
          status: 'False',
          reason: 'KubeletHasNoDiskPressure',
          message: 'kubelet has no disk pressure',
        },
        {
          type: 'PIDPressure',
          status: 'False',
          reason: 'KubeletHasSufficientPID',
          message: 'kubelet has sufficient PID available',
        },
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ].map((c) => ({
        ...c,
        status: c.status as 'True' | 'False',
        lastHeartbeatTime: timestamp(),
        lastTransitionTime: timestamp(Date.now() - ageDays * DAY),
      })),
      addresses: [
        {
          type: 'InternalIP',
          address: `172.18.${Math.floor((index + 2) / 250)}.${((index + 2) % 250) + 1}`,
        },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.1.0-31-amd64',
        kubeProxyVersion: 'v1.32.4',
        kubeletVersion: 'v1.32.4',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        machineID: `${index}`.padStart(32, '0'),
        systemUUID: `00000000-0000-0000-0000-${`${index}`.padStart(12, '0')}`,
        bootID: `00000000-0000-0000-0000-${`${index}`.padStart(12, '0')}`,
      },
    },
  };
}

/**
 * The namespace of generated app `index` of `apps`: by default 50 to a namespace (`apps-01`,
 * `apps-02`, ...); given a namespace count, the apps spread evenly over that many namespaces in
 * order (2,000 namespaces for 5,000 apps: two or three each), named with as many digits as the
 * count needs (`apps-0001` ... `apps-2000`) so that they sort as they were made.
 */
export function generatedNamespace(
  index: number,
  spread?: { apps: number; namespaces: number },
): string {
  if (!spread) return `apps-${String(Math.floor(index / APPS_PER_NAMESPACE) + 1).padStart(2, '0')}`;
  const width = Math.max(2, String(spread.namespaces).length);
  const n = Math.floor((index * spread.namespaces) / spread.apps) + 1;
  return `apps-${String(n).padStart(width, '0')}`;
}

/** A generated app: a web process (1-3 replicas, 2-4 workers), often a worker and a workspace. */
export function generatedApp(index: number, namespace = generatedNamespace(index)): SeedApp {
  const name = `app-${String(index + 1).padStart(4, '0')}`;
  const workers = 2 + (index % 3);
  const processes: SeedProcess[] = [
    {
      component: 'web',
      command: GUNICORN_WEB(['--workers', String(workers)]),
      replicas: 1 + (index % 3),
    },
  ];
  if (index % 2 === 0) processes.push({ component: 'worker', command: CELERY(), replicas: 1 });
  if (index % 3 === 0) processes.push(WORKSPACE);
  return {
    namespace,
    name,
    processes,
    servicePort: 8050,
    ageDays: 1 + (index % 90),
    // Sized to stay well under the 8Gi default: generated apps are for scale, not for drama.
    profile: {
      memory: {
        web: { baseMiB: 150 + (index % 5) * 40, perWorkerMiB: 200 + (index % 7) * 50 },
        worker: { baseMiB: 150, perWorkerMiB: 180 },
        workspace: { baseMiB: 800, perWorkerMiB: 0 },
      },
      load: {
        requestsPerSecond: 2 + (index % 20),
        perWorkerRps: 8 + (index % 5),
        baseLatencyMs: 30 + (index % 40),
      },
    },
  };
}

function podCount(app: SeedApp): number {
  return app.processes.reduce((n, p) => n + p.replicas, 0);
}

export interface SeedOptions {
  demo: boolean;
  apps: number;
  /** Namespaces the generated apps spread over (default: one per 50 apps). */
  namespaces?: number;
}

/** Creates the seed and lets the controllers settle it: pods running, ready, spread over nodes. */
export function seedCluster(cp: ControlPlane, options: SeedOptions): void {
  if (options.namespaces !== undefined && options.namespaces < 1)
    throw new Error(`namespaces must be at least 1, got ${options.namespaces}`);
  // More namespaces than apps would leave some empty: each namespace holds one app at least.
  const spread =
    options.namespaces === undefined
      ? undefined
      : { apps: options.apps, namespaces: Math.min(options.namespaces, options.apps) };
  const generated = Array.from({ length: options.apps }, (_, i) =>
    generatedApp(i, generatedNamespace(i, spread)),
  );
  const generatedPods = generated.reduce((n, a) => n + podCount(a), 0);
  const extraNodes =
    generatedPods > 0 ? Math.ceil((generatedPods * 1.25) / GENERATED_NODE_PODS) : 0;

  cp.events.muted = true;
  cp.kubelet.instant = true;
  cp.registry.backdateMs = 3 * DAY;
  try {
    for (let i = 0; i < 3; i++)
      cp.store.create(TYPES.nodes, node(`sandbox-node-${i + 1}`, i, SEED_NODE_PODS, 120));
    for (let i = 0; i < extraNodes; i++)
      cp.store.create(TYPES.nodes, node(`sandbox-node-${i + 4}`, i + 3, GENERATED_NODE_PODS, 60));
    cp.registry.create(TYPES.namespaces, '', { metadata: { name: 'default' } });
    cp.registry.create(TYPES.namespaces, '', { metadata: { name: 'kube-system' } });
    if (options.demo) {
      for (const ns of DEMO_NAMESPACES) seedNamespace(cp, ns);
      for (const app of DEMO_APPS) seedApp(cp, app);
      seedMixedNamespace(cp);
    }
    const namespaces = [...new Set(generated.map((a) => a.namespace))];
    for (const ns of namespaces) seedNamespace(cp, { name: ns, podQuota: GENERATED_QUOTA });
    for (const app of generated) seedApp(cp, app);
    cp.settle();
  } finally {
    cp.kubelet.instant = false;
    cp.registry.backdateMs = 0;
    cp.events.muted = false;
  }
  if (options.demo) {
    for (const app of DEMO_APPS.filter((a) => a.oomStopped)) {
      for (const object of cp.store.each(TYPES.pods, app.namespace)) {
        const pod = object as Pod;
        const labels = pod.metadata.labels ?? {};
        if (labels[PART_OF] === app.name && labels[COMPONENT] === 'web') {
          cp.kubelet.presetCrashLoop(app.namespace, pod.metadata.name ?? '', 7);
        }
      }
    }
    cp.settle();
  }
  // Watch history starts after the seed: older versions are as good as compacted.
  cp.store.compact();
}
