import type { AppProfile } from './app-profiles';
import type { ControlPlane } from './control-plane';
import type { Container, Deployment, EnvVar, Node, Pod } from './kube-types';
import { TYPES } from './resource-types';
import { timestamp } from './timestamps';

/**
 * The demo cluster a newcomer sees: three nodes, the namespaces `demo` and `analytics` with a
 * LimitRange (default memory limit 8Gi) and a pod ResourceQuota, and Dash-style apps whose
 * processes come from Procfile lines (gunicorn web, celery worker, a Jupyter workspace).
 * Among them: `forecast` runs close to its memory limit, `churn-report` is already stopped by
 * it (its web pods are OOMKilled in a crash loop), `inventory` uses --preload,
 * `support-portal` sets its workers through WEB_CONCURRENCY and runs near its capacity,
 * `pricing-api` has its own 2Gi container limit, `archive-viewer` is scaled to zero.
 * The namespace `mixed` holds what real clusters have besides: a Helm release, a plain
 * `app:`-labelled Deployment, an Argo CD application, an autoscaled part-of app (with an HPA),
 * a StatefulSet whose pods the plain Deployment's selector also matches, a pod of a DaemonSet
 * and a pod of nobody.
 * `--apps N` adds N generated apps in namespaces of 50 (`apps-01`, `apps-02`, ...).
 */

export const PART_OF = 'app.kubernetes.io/part-of';
export const COMPONENT = 'app.kubernetes.io/component';
export const PROCFILE_INDEX = 'scaledesk.io/procfile-index';
const DAY = 24 * 60 * 60 * 1000;

export interface SeedProcess {
  component: string;
  /** The Procfile line as argv; split across command and args where `args` is given. */
  command: string[];
  args?: string[];
  env?: EnvVar[];
  replicas: number;
  memoryLimit?: string;
  /** A CPU request of its own (an autoscaled process needs one: HPA utilization is of requests). */
  cpuRequest?: string;
  port?: number;
}

export interface SeedApp {
  namespace: string;
  name: string;
  processes: SeedProcess[];
  profile: AppProfile;
  /** Port of the web Service (8050 for Dash, 80 for plain Flask). */
  servicePort: number;
  ageDays: number;
  oomStopped?: boolean;
  annotations?: Record<string, string>;
}

export interface NamespaceSeed {
  name: string;
  podQuota: number;
}

const GUNICORN_WEB = (workers: string[], extra: string[] = []): string[] => [
  'gunicorn',
  'app:server',
  ...workers,
  ...extra,
  '--bind',
  '0.0.0.0:8050',
];
const CELERY = (extra: string[] = []): string[] => [
  'celery',
  '-A',
  'tasks',
  'worker',
  '--loglevel=info',
  ...extra,
];
const WORKSPACE: SeedProcess = {
  component: 'workspace',
  command: ['jupyter', 'lab', '--ip=0.0.0.0', '--port=8888', '--no-browser'],
  replicas: 1,
};

export const DEMO_NAMESPACES: NamespaceSeed[] = [
  { name: 'demo', podQuota: 40 },
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
        memory: '131886180Ki',
        pods: String(pods),
        'ephemeral-storage': '203056560Ki',
      },
      allocatable: {
        cpu: '15890m',
        memory: '129734244Ki',
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

function seedNamespace(cp: ControlPlane, ns: NamespaceSeed): void {
  cp.registry.create(TYPES.namespaces, '', { metadata: { name: ns.name } });
  cp.registry.create(TYPES.limitranges, ns.name, {
    metadata: { name: 'memory-defaults' },
    spec: {
      limits: [
        {
          type: 'Container',
          default: { memory: '8Gi' },
          defaultRequest: { memory: '256Mi', cpu: '100m' },
        },
      ],
    },
  });
  cp.registry.create(TYPES.resourcequotas, ns.name, {
    metadata: { name: 'pod-quota' },
    spec: { hard: { pods: String(ns.podQuota) } },
  });
}

function container(app: SeedApp, p: SeedProcess): Container {
  const c: Container = {
    name: p.component,
    image: `registry.sandbox.local/${app.namespace}/${app.name}:2025.${(app.ageDays % 12) + 1}.${app.ageDays % 7}`,
    command: p.command,
  };
  if (p.args) c.args = p.args;
  if (p.env) c.env = p.env;
  if (p.component === 'web')
    c.ports = [{ containerPort: p.port ?? 8050, name: 'http', protocol: 'TCP' }];
  if (p.component === 'workspace')
    c.ports = [{ containerPort: 8888, name: 'jupyter', protocol: 'TCP' }];
  if (p.memoryLimit) c.resources = { limits: { memory: p.memoryLimit } };
  if (p.cpuRequest) c.resources = { ...c.resources, requests: { cpu: p.cpuRequest } };
  return c;
}

export function seedApp(cp: ControlPlane, app: SeedApp): void {
  cp.profiles.set(app.namespace, app.name, app.profile);
  const created = timestamp(Date.now() - app.ageDays * DAY);
  let procfileIndex = 0;
  for (const p of app.processes) {
    const labels = { [PART_OF]: app.name, [COMPONENT]: p.component };
    const annotations: Record<string, string> = { ...(app.annotations ?? {}) };
    if (p.component !== 'workspace') annotations[PROCFILE_INDEX] = String(procfileIndex++);
    const deployment: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `${app.name}-${p.component}`,
        namespace: app.namespace,
        labels: { ...labels, 'app.kubernetes.io/name': app.name },
        annotations,
        creationTimestamp: created,
      },
      spec: {
        replicas: p.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [container(app, p)] },
        },
      },
    };
    cp.registry.create(TYPES.deployments, app.namespace, deployment);
    if (p.component === 'web') {
      cp.registry.create(TYPES.services, app.namespace, {
        metadata: { name: app.name, labels, creationTimestamp: created },
        spec: {
          selector: labels,
          ports: [
            { name: 'http', port: app.servicePort, targetPort: p.port ?? 8050, protocol: 'TCP' },
          ],
        },
      });
    }
  }
}

/** A generated app: a web process (1-3 replicas, 2-4 workers), often a worker and a workspace. */
export function generatedApp(index: number): SeedApp {
  const namespace = `apps-${String(Math.floor(index / APPS_PER_NAMESPACE) + 1).padStart(2, '0')}`;
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

/**
 * The namespace `mixed`: workloads labelled the ways real clusters label them, not ScaleDesk's
 * way, so the app can be taught to tell them apart. A namespace of its own keeps the counts of
 * `demo` and `analytics` as they were.
 */
export const MIXED_NAMESPACE: NamespaceSeed = { name: 'mixed', podQuota: 40 };

/** The one part-of app of `mixed`; its web process is autoscaled (MIXED_AUTOSCALER). */
export const AUTOSCALED_APP: SeedApp = {
  namespace: 'mixed',
  name: 'checkout',
  ageDays: 54,
  servicePort: 8050,
  processes: [
    {
      component: 'web',
      command: GUNICORN_WEB(['--workers', '2']),
      replicas: 2,
      cpuRequest: '500m',
    },
    { component: 'worker', command: CELERY(['--concurrency', '2']), replicas: 1 },
  ],
  // 3 req/s over 2 × 2 workers of 10: about 26 % of the 500m request (18-36 % as the load
  // swings), so its HPA keeps it at its minimum of 2 (ScalingLimited, TooFewReplicas) and the
  // seed's pod counts stay put.
  profile: {
    memory: {
      web: { baseMiB: 240, perWorkerMiB: 330 },
      worker: { baseMiB: 150, perWorkerMiB: 200 },
    },
    load: { requestsPerSecond: 3, perWorkerRps: 10, baseLatencyMs: 55 },
  },
};

/** The HPA of checkout's web process (autoscaling/v2, labelled with its app and process). */
export const MIXED_AUTOSCALER = {
  name: 'checkout-web',
  minReplicas: 2,
  maxReplicas: 5,
  cpuUtilization: 70,
};

/** A Helm release: `app.kubernetes.io/name` + `instance`, the release annotations, no part-of. */
export const HELM_RELEASE = 'storefront';
/** An Argo CD application tracking its Deployment by annotation (and by instance label). */
export const ARGO_APP = 'reports';
/** A pod owned by a DaemonSet the sandbox does not have (no DaemonSet controller runs). */
export const DAEMON_POD = 'node-exporter-7xk2p';
/** A pod nothing owns, as `kubectl run` makes it. */
export const BARE_POD = 'scratch-web';
/**
 * A StatefulSet whose pods carry `app: plain`, so the plain Deployment's selector matches them
 * too: only their owner references tell whose they are.
 */
export const STATEFUL_SET = 'plain-db';

interface ForeignDeployment {
  name: string;
  ageDays: number;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** Also the pod template's labels. */
  selector: Record<string, string>;
  replicas: number;
  container: Container;
  /** A Service of this name selecting the pods. */
  service?: { name: string; port: number; annotations?: Record<string, string> };
}

function gunicorn(module: string, workers: number, port: number, extra: string[] = []): string[] {
  return ['gunicorn', module, '--workers', String(workers), ...extra, '--bind', `0.0.0.0:${port}`];
}

function mixedDeployments(): ForeignDeployment[] {
  const ns = MIXED_NAMESPACE.name;
  const helm = (component: string): Record<string, string> => ({
    'app.kubernetes.io/name': HELM_RELEASE,
    'app.kubernetes.io/instance': HELM_RELEASE,
    'app.kubernetes.io/component': component,
  });
  const helmMeta = (component: string) => ({
    labels: {
      ...helm(component),
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/version': '3.4.0',
      'helm.sh/chart': `${HELM_RELEASE}-1.12.2`,
    },
    annotations: {
      'meta.helm.sh/release-name': HELM_RELEASE,
      'meta.helm.sh/release-namespace': ns,
    },
  });
  const image = (name: string, tag: string) => `registry.sandbox.local/${ns}/${name}:${tag}`;
  const argoSelector = {
    'app.kubernetes.io/name': `${ARGO_APP}-web`,
    'app.kubernetes.io/instance': ARGO_APP,
  };
  return [
    {
      name: `${HELM_RELEASE}-web`,
      ageDays: 88,
      ...helmMeta('web'),
      selector: helm('web'),
      replicas: 2,
      container: {
        name: 'web',
        image: image(HELM_RELEASE, '3.4.0'),
        command: gunicorn('storefront.wsgi:application', 3, 8000),
        ports: [{ containerPort: 8000, name: 'http', protocol: 'TCP' }],
      },
      service: {
        name: HELM_RELEASE,
        port: 80,
        annotations: {
          'meta.helm.sh/release-name': HELM_RELEASE,
          'meta.helm.sh/release-namespace': ns,
        },
      },
    },
    {
      name: `${HELM_RELEASE}-worker`,
      ageDays: 88,
      ...helmMeta('worker'),
      selector: helm('worker'),
      replicas: 1,
      container: {
        name: 'worker',
        image: image(HELM_RELEASE, '3.4.0'),
        command: gunicorn('storefront.jobs:app', 2, 8001, ['--worker-class', 'gthread']),
      },
    },
    {
      // As `kubectl create deployment plain --image=... -- gunicorn ...` makes it: `app` only.
      name: 'plain',
      ageDays: 12,
      labels: { app: 'plain' },
      selector: { app: 'plain' },
      replicas: 1,
      container: {
        name: 'plain',
        image: image('plain', '0.9.1'),
        command: gunicorn('app:app', 2, 8000),
      },
    },
    {
      name: `${ARGO_APP}-web`,
      ageDays: 140,
      labels: { ...argoSelector, 'app.kubernetes.io/component': 'web' },
      annotations: {
        'argocd.argoproj.io/tracking-id': `${ARGO_APP}:apps/Deployment:${ns}/${ARGO_APP}-web`,
      },
      selector: argoSelector,
      replicas: 2,
      container: {
        name: 'web',
        image: image(ARGO_APP, '2025.3.2'),
        command: gunicorn('reports.app:server', 2, 8050, ['--timeout', '90']),
        ports: [{ containerPort: 8050, name: 'http', protocol: 'TCP' }],
      },
      service: {
        name: `${ARGO_APP}-web`,
        port: 8050,
        annotations: {
          'argocd.argoproj.io/tracking-id': `${ARGO_APP}:/Service:${ns}/${ARGO_APP}-web`,
        },
      },
    },
  ];
}

function seedForeignDeployment(cp: ControlPlane, namespace: string, d: ForeignDeployment): void {
  const created = timestamp(Date.now() - d.ageDays * DAY);
  cp.registry.create(TYPES.deployments, namespace, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: d.name,
      namespace,
      labels: d.labels,
      ...(d.annotations ? { annotations: d.annotations } : {}),
      creationTimestamp: created,
    },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: d.selector },
      template: { metadata: { labels: d.selector }, spec: { containers: [d.container] } },
    },
  });
  if (d.service) {
    const port = d.container.ports?.[0]?.containerPort ?? d.service.port;
    cp.registry.create(TYPES.services, namespace, {
      metadata: {
        name: d.service.name,
        labels: d.labels,
        ...(d.service.annotations ? { annotations: d.service.annotations } : {}),
        creationTimestamp: created,
      },
      spec: {
        selector: d.selector,
        ports: [{ name: 'http', port: d.service.port, targetPort: port, protocol: 'TCP' }],
      },
    });
  }
}

/** Pods whose owner is not a ReplicaSet: one of a DaemonSet (absent), one of nobody. */
function seedOddPods(cp: ControlPlane, namespace: string): void {
  const daemonSet = 'node-exporter';
  // The kubelet keys a pod without a part-of label by its own name; this one is small.
  cp.profiles.set(namespace, DAEMON_POD, {
    memory: { metrics: { baseMiB: 24, perWorkerMiB: 0 } },
    load: { requestsPerSecond: 0, perWorkerRps: 1, baseLatencyMs: 5 },
  });
  cp.registry.create(TYPES.pods, namespace, {
    metadata: {
      name: DAEMON_POD,
      labels: {
        'app.kubernetes.io/name': daemonSet,
        'app.kubernetes.io/component': 'metrics',
        'controller-revision-hash': '6d9c8b7f5c',
        'pod-template-generation': '1',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          name: daemonSet,
          // No DaemonSet object exists: the reference is what marks the pod, as listed.
          uid: '5f0c6d3e-1b2a-4c8d-9e7f-0a1b2c3d4e5f',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      // The DaemonSet controller places its pods itself: one per node, bound from the start.
      nodeName: 'sandbox-node-1',
      containers: [
        {
          name: daemonSet,
          image: 'quay.io/prometheus/node-exporter:v1.8.2',
          args: ['--path.rootfs=/host'],
          ports: [{ containerPort: 9100, name: 'metrics', protocol: 'TCP' }],
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        },
      ],
    },
  });
  cp.registry.create(TYPES.pods, namespace, {
    metadata: { name: BARE_POD, labels: { run: BARE_POD } },
    spec: {
      restartPolicy: 'Always',
      containers: [
        {
          name: BARE_POD,
          image: `registry.sandbox.local/${namespace}/plain:0.9.1`,
          command: gunicorn('app:app', 1, 8000),
        },
      ],
    },
  });
}

function seedStatefulSet(cp: ControlPlane, namespace: string): void {
  const labels = { app: 'plain', role: 'db' };
  const created = timestamp(Date.now() - 12 * DAY);
  cp.registry.create(TYPES.services, namespace, {
    metadata: { name: STATEFUL_SET, labels, creationTimestamp: created },
    spec: {
      clusterIP: 'None',
      selector: labels,
      ports: [{ name: 'http', port: 8000, targetPort: 8000, protocol: 'TCP' }],
    },
  });
  cp.registry.create(TYPES.statefulsets, namespace, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: STATEFUL_SET, labels, creationTimestamp: created },
    spec: {
      replicas: 2,
      serviceName: STATEFUL_SET,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'db-api',
              image: `registry.sandbox.local/${namespace}/plain-db:0.9.1`,
              command: gunicorn('dbapi:app', 2, 8000),
              ports: [{ containerPort: 8000, name: 'http', protocol: 'TCP' }],
            },
          ],
        },
      },
    },
  });
}

/** The `mixed` namespace: Helm, plain, Argo CD and autoscaled workloads, and odd pods. */
function seedMixedNamespace(cp: ControlPlane): void {
  const ns = MIXED_NAMESPACE.name;
  seedNamespace(cp, MIXED_NAMESPACE);
  seedApp(cp, AUTOSCALED_APP);
  for (const d of mixedDeployments()) seedForeignDeployment(cp, ns, d);
  seedOddPods(cp, ns);
  seedStatefulSet(cp, ns);
  const hpa = cp.registry.create(TYPES.horizontalpodautoscalers, ns, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: MIXED_AUTOSCALER.name,
      labels: { [PART_OF]: AUTOSCALED_APP.name, [COMPONENT]: 'web' },
      creationTimestamp: timestamp(Date.now() - 30 * DAY),
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: MIXED_AUTOSCALER.name },
      minReplicas: MIXED_AUTOSCALER.minReplicas,
      maxReplicas: MIXED_AUTOSCALER.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: MIXED_AUTOSCALER.cpuUtilization },
          },
        },
      ],
    },
  });
  // It has scaled before; the controller measures it (conditions, metrics) when it starts.
  cp.registry.updateStatus(TYPES.horizontalpodautoscalers, ns, MIXED_AUTOSCALER.name, {
    ...hpa,
    status: {
      lastScaleTime: timestamp(Date.now() - 2 * DAY),
      currentReplicas: MIXED_AUTOSCALER.minReplicas,
      desiredReplicas: MIXED_AUTOSCALER.minReplicas,
    },
  });
}

function podCount(app: SeedApp): number {
  return app.processes.reduce((n, p) => n + p.replicas, 0);
}

export interface SeedOptions {
  demo: boolean;
  apps: number;
}

/** Creates the seed and lets the controllers settle it: pods running, ready, spread over nodes. */
export function seedCluster(cp: ControlPlane, options: SeedOptions): void {
  const generated = Array.from({ length: options.apps }, (_, i) => generatedApp(i));
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
