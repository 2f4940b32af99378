import type { ControlPlane } from './control-plane';
import type { Container } from './kube-types';
import { TYPES } from './resource-types';
import {
  CELERY,
  COMPONENT,
  DAY,
  GUNICORN_WEB,
  PART_OF,
  seedApp,
  seedNamespace,
  type NamespaceSeed,
  type SeedApp,
} from './seed-apps';
import { timestamp } from './timestamps';

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
/** A pod of a DaemonSet (stored, but no DaemonSet controller runs: its one pod is seeded). */
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

/** Pods whose owner is not a ReplicaSet: one of a DaemonSet, one of nobody. */
function seedOddPods(cp: ControlPlane, namespace: string): void {
  const daemonSet = 'node-exporter';
  const daemonLabels = { 'app.kubernetes.io/name': daemonSet };
  // The owner exists, as on a real cluster: `kubectl drain --ignore-daemonsets` looks it up.
  const owner = cp.registry.create(TYPES.daemonsets, namespace, {
    metadata: { name: daemonSet, labels: daemonLabels },
    spec: {
      selector: { matchLabels: daemonLabels },
      template: {
        metadata: { labels: daemonLabels },
        spec: {
          containers: [{ name: daemonSet, image: 'quay.io/prometheus/node-exporter:v1.8.2' }],
        },
      },
    },
  });
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
          uid: owner.metadata.uid ?? '',
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
export function seedMixedNamespace(cp: ControlPlane): void {
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
