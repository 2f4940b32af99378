import { GIB, type App, type Pod, type Process } from '../../../shared/app-model';
import type { ActivityEntry, Settings } from '../../../shared/contract';
import { SettingsSchema } from '../../../shared/contract';

export function makePod(overrides: Partial<Pod> & { name: string }): Pod {
  return {
    node: 'node-a',
    phase: 'Running',
    ready: true,
    terminating: false,
    restarts: 0,
    waitingReason: null,
    lastTermination: null,
    memoryBytes: 0.5 * GIB,
    createdAt: '2026-01-01T10:00:00Z',
    ...overrides,
  };
}

export function makeProcess(overrides: Partial<Process> & { name: string }): Process {
  const desired = overrides.replicas?.desired ?? 1;
  const deployment = overrides.deployment ?? `shop-${overrides.name}`;
  return {
    deployment,
    command: `celery -A tasks ${overrides.name}`,
    resourceVersion: '100',
    replicas: { desired, ready: desired, updated: desired, available: desired },
    replicasBeforeStop: null,
    pods: Array.from({ length: desired }, (_, index) =>
      makePod({ name: `${deployment}-abc-${index}`, node: index % 2 === 0 ? 'node-a' : 'node-b' }),
    ),
    workers: null,
    memoryLimit: { bytes: 8 * GIB, source: 'default' },
    memoryUsedBytes: desired * 0.5 * GIB,
    memoryPerWorkerBytes: null,
    rollout: { state: 'complete', progress: 1, message: null },
    lastRestartAt: null,
    ...overrides,
  };
}

/** `shop` in `team-a`: web (gunicorn, 2 replicas, 4 workers), worker (1 replica) and a
 * workspace, at 8 GiB each: a maximum of 32 GiB. */
export function makeApp(overrides: Partial<App> = {}): App {
  const namespace = overrides.namespace ?? 'team-a';
  const name = overrides.name ?? 'shop';
  const web = makeProcess({
    name: 'web',
    command: 'gunicorn app:server --workers 4',
    replicas: { desired: 2, ready: 2, updated: 2, available: 2 },
    workers: { count: 4, spelling: '--workers', preload: false },
    memoryPerWorkerBytes: 0.5 * GIB,
    memoryUsedBytes: 4 * GIB,
  });
  const worker = makeProcess({ name: 'worker', command: 'celery -A tasks worker' });
  const workspace = makeProcess({ name: 'workspace', command: 'jupyter lab' });
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    processes: [web, worker],
    workspace,
    memory: { usedBytes: 5.2 * GIB, maxBytes: 32 * GIB },
    status: { kind: 'running', progress: null, message: 'All replicas ready.' },
    permissions: {
      scale: { allowed: true, reason: null },
      patch: { allowed: true, reason: null },
    },
    podRoom: { quotaUsed: 4, quotaHard: 20, nodesFree: 50 },
    endpoint: {
      answering: true,
      latencyMs: 120,
      errorRate: 0,
      checkedAt: '2026-01-01T10:00:00Z',
      message: null,
    },
    lastRestartAt: null,
    lastChangeAt: null,
    ...overrides,
  };
}

export function makeSettings(overrides: Partial<Settings> = {}): Settings {
  return { ...SettingsSchema.parse({}), ...overrides };
}

export function makeActivity(overrides: Partial<ActivityEntry> & { id: string }): ActivityEntry {
  return {
    at: '2026-01-01T10:00:00Z',
    context: 'sandbox',
    namespace: 'team-a',
    app: 'shop',
    process: 'web',
    kind: 'replicas',
    from: 2,
    to: 3,
    result: 'done',
    message: null,
    command: 'kubectl scale deployment/shop-web --replicas=3 -n team-a',
    undoOf: null,
    ...overrides,
  };
}
