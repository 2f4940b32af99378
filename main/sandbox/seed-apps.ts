import type { AppProfile } from './app-profiles';
import type { ControlPlane } from './control-plane';
import type { Container, Deployment, EnvVar } from './kube-types';
import { TYPES } from './resource-types';
import { timestamp } from './timestamps';

/**
 * How the seed turns an app into objects, the way ScaleDesk expects to find one: a namespace
 * with its LimitRange and pod quota, and per process (a Procfile line) a Deployment
 * `APP-COMPONENT` labelled `app.kubernetes.io/part-of: APP` and `component: COMPONENT`, with its
 * Procfile index; the web process also gets the Service `APP`. The app's profile (memory, load)
 * is registered for the kubelet and the load model.
 */

export const PART_OF = 'app.kubernetes.io/part-of';
export const COMPONENT = 'app.kubernetes.io/component';
export const PROCFILE_INDEX = 'scaledesk.io/procfile-index';
export const DAY = 24 * 60 * 60 * 1000;

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
  /** The quota's `limits.memory`, where the namespace has one. */
  limitsMemoryQuota?: string;
}

export const GUNICORN_WEB = (workers: string[], extra: string[] = []): string[] => [
  'gunicorn',
  'app:server',
  ...workers,
  ...extra,
  '--bind',
  '0.0.0.0:8050',
];
export const CELERY = (extra: string[] = []): string[] => [
  'celery',
  '-A',
  'tasks',
  'worker',
  '--loglevel=info',
  ...extra,
];
export const WORKSPACE: SeedProcess = {
  component: 'workspace',
  command: ['jupyter', 'lab', '--ip=0.0.0.0', '--port=8888', '--no-browser'],
  replicas: 1,
};

export function seedNamespace(cp: ControlPlane, ns: NamespaceSeed): void {
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
    spec: {
      hard: {
        pods: String(ns.podQuota),
        ...(ns.limitsMemoryQuota ? { 'limits.memory': ns.limitsMemoryQuota } : {}),
      },
    },
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
