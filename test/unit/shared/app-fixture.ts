import { AppSchema, GIB, type App, type Pod, type Process } from '../../../shared/app-model';

/** A pod of a running process, for building app models by hand in tests. */
export function pod(name: string, overrides: Partial<Pod> = {}): Pod {
  return {
    name,
    node: 'node-1',
    phase: 'Running',
    ready: true,
    terminating: false,
    restarts: 0,
    waitingReason: null,
    lastTermination: null,
    memoryBytes: null,
    createdAt: null,
    ...overrides,
  };
}

export function process(name: string, replicas: number, overrides: Partial<Process> = {}): Process {
  return {
    name,
    deployment: `shop-${name}`,
    command: 'gunicorn app:server --workers 4',
    resourceVersion: '100',
    replicas: { desired: replicas, ready: replicas, updated: replicas, available: replicas },
    replicasBeforeStop: null,
    pods: Array.from({ length: replicas }, (_, i) => pod(`shop-${name}-${i}`)),
    workers: { count: 4, spelling: '--workers', preload: false },
    memoryLimit: { bytes: 8 * GIB, source: 'default' },
    memoryUsedBytes: null,
    memoryPerWorkerBytes: null,
    rollout: { state: 'complete', progress: 1, message: null },
    lastRestartAt: null,
    ...overrides,
  };
}

/**
 * DOMAIN.md's example: one web process at 2 replicas plus a workspace, 8 GiB each: 24 GiB.
 * Validated against the schema so a fixture can never drift from the model.
 */
export function shopApp(overrides: Partial<App> = {}): App {
  const web = process('web', 2);
  const workspace = process('workspace', 1, { workers: null, command: 'jupyter lab' });
  return AppSchema.parse({
    id: 'shop/shop',
    namespace: 'shop',
    name: 'shop',
    processes: [web],
    workspace,
    memory: { usedBytes: null, maxBytes: 24 * GIB },
    status: { kind: 'running', progress: null, message: 'Running' },
    permissions: {
      scale: { allowed: true, reason: null },
      patch: { allowed: true, reason: null },
    },
    podRoom: { quotaUsed: 3, quotaHard: 20, nodesFree: 100 },
    endpoint: null,
    lastRestartAt: null,
    lastChangeAt: null,
    ...overrides,
  });
}
