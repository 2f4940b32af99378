import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Container,
  type V1Deployment,
} from '@kubernetes/client-node';
import { createConfStore } from '../../../main/conf-store';
import type { ClusterSession } from '../../../main/cluster-session';
import { EventBus } from '../../../main/event-bus';
import { dispatch, type Handlers } from '../../../main/handlers';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kubeconfig';
import { LiveCluster } from '../../../main/live-cluster';
import { createOperations, type OperationHandlers } from '../../../main/operations';
import { startSandbox, type Sandbox } from '../../../main/sandbox';
import { createSettings, type SettingsService } from '../../../main/settings';
import type { KeyValueStore } from '../../../main/settings-store';
import type { App } from '../../../shared/app-model';
import type {
  OperationInput,
  OperationName,
  OperationOutput,
  OperationProgress,
} from '../../../shared/contract';
import type { ContractError, Result } from '../../../shared/errors';

const run = promisify(execFile);

/**
 * The operations against the sandbox cluster over HTTPS, with the real client on both sides:
 * ScaleDesk's session (LiveCluster, watches) to act, and a second plain client to check what
 * the cluster has. The test namespace `ops` is made here, so tests do not lean on the demo seed.
 */

export const NS = 'ops';
/** Pods the namespace quota allows. */
export const POD_QUOTA = 12;

interface TestProcess {
  component: string;
  replicas: number;
  container: Omit<V1Container, 'name' | 'image'>;
}

/** shop: gunicorn web (2 replicas, args), celery worker, workspace. */
export const SHOP: TestProcess[] = [
  {
    component: 'web',
    replicas: 2,
    container: {
      command: ['gunicorn'],
      args: ['--bind', '0.0.0.0:8050', '--workers', '4', 'app:server', '--timeout', '120'],
      resources: { limits: { memory: '8Gi' } },
    },
  },
  {
    component: 'worker',
    replicas: 1,
    container: {
      command: ['celery', '-A', 'tasks', 'worker'],
      resources: { limits: { memory: '2Gi' } },
    },
  },
  {
    component: 'workspace',
    replicas: 1,
    container: { command: ['jupyter', 'lab'], resources: { limits: { memory: '2Gi' } } },
  },
];

/** ledger: one web process with --preload, and its workers through WEB_CONCURRENCY elsewhere. */
export const LEDGER: TestProcess[] = [
  {
    component: 'web',
    replicas: 1,
    container: {
      command: ['sh', '-c', 'exec gunicorn app:server --preload -w 2 --bind 0.0.0.0:8050'],
      resources: { limits: { memory: '4Gi' } },
    },
  },
];

export const PORTAL: TestProcess[] = [
  {
    component: 'web',
    replicas: 1,
    container: {
      command: ['gunicorn', 'portal.wsgi:application'],
      env: [{ name: 'WEB_CONCURRENCY', value: '3' }],
      resources: { limits: { memory: '4Gi' } },
    },
  },
];

export interface Harness {
  sandbox: Sandbox;
  /** The second client: plain client-node, admin. */
  apps: AppsV1Api;
  core: CoreV1Api;
  live: LiveCluster;
  viewerLive: LiveCluster;
  bus: EventBus;
  store: KeyValueStore;
  settings: SettingsService;
  ops: OperationHandlers;
  viewerOps: OperationHandlers;
  /** Through dispatch, as both transports call it: input checked against the contract first. */
  call<N extends OperationName>(
    operation: N,
    input: OperationInput<N> | Record<string, unknown>,
    handlers?: OperationHandlers,
  ): Promise<Result<OperationOutput<N>>>;
  /** The final `operation` event (done or failed) of an operation. */
  outcome(operationId: string, timeoutMs?: number): Promise<OperationProgress>;
  /** Every `operation` event of an operation so far. */
  progressOf(operationId: string): OperationProgress[];
  kubectl(...args: string[]): Promise<string>;
  deployment(name: string): Promise<V1Deployment>;
  /** PATCH requests the sandbox has served (nothing sent = unchanged). */
  writes(): number;
  app(name: string): App;
  waitFor<T>(
    what: string,
    check: () => T | undefined | null | false,
    timeoutMs?: number,
  ): Promise<T>;
  stop(): Promise<void>;
}

async function createApp(apps: AppsV1Api, name: string, processes: TestProcess[]): Promise<void> {
  for (const [index, p] of processes.entries()) {
    const labels = {
      'app.kubernetes.io/part-of': name,
      'app.kubernetes.io/component': p.component,
    };
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: {
          name: `${name}-${p.component}`,
          labels,
          annotations: { 'scaledesk.io/procfile-index': String(index) },
        },
        spec: {
          replicas: p.replicas,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                { name: p.component, image: `registry.sandbox.local/${name}:1`, ...p.container },
              ],
            },
          },
        },
      },
    });
  }
}

function session(sandbox: Sandbox, context: string, bus: EventBus, settings: SettingsService) {
  const kubeConfig: KubeConfig = kubeConfigForContext(
    loadKubeconfig([sandbox.kubeconfigPath]),
    context,
    [sandbox.kubeconfigPath],
  );
  return new LiveCluster({
    kubeConfig,
    contextName: context,
    namespace: NS,
    source: 'kubeconfig',
    kubeconfigPaths: [sandbox.kubeconfigPath],
    bus,
    settings: () => settings.get(),
    timing: { metricsIntervalMs: 500 },
  });
}

/** The error a call answered with; fails the test if it succeeded. */
export function errorOf(result: { ok: boolean; error?: ContractError }): ContractError {
  if (result.ok || !result.error)
    throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

/** The value a call answered with; fails the test with the error if it did not succeed. */
export function valueOf<T>(
  result: { ok: true; value: T } | { ok: false; error: ContractError },
): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

export const TRACKING = { timeoutMs: 30_000, probeIntervalMs: 150, recheckMs: 200 };

export async function startHarness(): Promise<Harness> {
  const sandbox = await startSandbox({ seed: false, metricsIntervalMs: 500, readyDelayMs: 100 });
  const admin = kubeConfigForContext(loadKubeconfig([sandbox.kubeconfigPath]), 'sandbox', [
    sandbox.kubeconfigPath,
  ]);
  const apps = admin.makeApiClient(AppsV1Api);
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespacedResourceQuota({
    namespace: NS,
    body: { metadata: { name: 'pod-quota' }, spec: { hard: { pods: String(POD_QUOTA) } } },
  });
  await createApp(apps, 'shop', SHOP);
  // shop's web answers through the service proxy: "done" waits for it to answer.
  const webLabels = { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/component': 'web' };
  await core.createNamespacedService({
    namespace: NS,
    body: {
      metadata: { name: 'shop', labels: webLabels },
      spec: { selector: webLabels, ports: [{ name: 'http', port: 8050, targetPort: 8050 }] },
    },
  });
  await createApp(apps, 'ledger', LEDGER);
  await createApp(apps, 'portal', PORTAL);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-ops-'));
  const store = createConfStore(path.join(dir, 'config.json'));
  const bus = new EventBus();
  const settings = createSettings(store, bus);
  const live = session(sandbox, 'sandbox', bus, settings);
  // The viewer's own bus and store: its events and log are not the admin's.
  const viewerBus = new EventBus();
  const viewerStore = createConfStore(path.join(dir, 'viewer.json'));
  const viewerSettings = createSettings(viewerStore, viewerBus);
  const viewerLive = session(sandbox, 'sandbox-viewer', viewerBus, viewerSettings);
  await Promise.all([live.start(), viewerLive.start()]);

  const ops = createOperations({ session: () => live, store, bus, settings, tracking: TRACKING });
  const viewerOps = createOperations({
    session: () => viewerLive,
    store: viewerStore,
    bus: viewerBus,
    settings: viewerSettings,
    tracking: TRACKING,
  });

  const events: OperationProgress[] = [];
  bus.on('operation', (event) => events.push(event));

  const waitFor: Harness['waitFor'] = async (what, check, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const harness: Harness = {
    sandbox,
    apps,
    core,
    live,
    viewerLive,
    bus,
    store,
    settings,
    ops,
    viewerOps,
    call: (operation, input, handlers = ops) =>
      dispatch(handlers as unknown as Handlers, operation, input) as never,
    outcome: (operationId, timeoutMs = 30_000) =>
      waitFor(
        `the outcome of ${operationId}`,
        () =>
          events.find(
            (e) => e.operationId === operationId && (e.phase === 'done' || e.phase === 'failed'),
          ),
        timeoutMs,
      ),
    progressOf: (operationId) => events.filter((e) => e.operationId === operationId),
    kubectl: async (...args) => {
      const { stdout } = await run('kubectl', [...args, '-n', NS], {
        env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath },
      });
      return stdout;
    },
    deployment: (name) => apps.readNamespacedDeployment({ name, namespace: NS }),
    writes: () => sandbox.requestCountsByVerb()['patch'] ?? 0,
    app: (name) => {
      const app = live.getApp(`${NS}/${name}`);
      if (!app) throw new Error(`no app ${name} in the model`);
      return app;
    },
    waitFor,
    stop: async () => {
      await Promise.all([live.stop(), viewerLive.stop()]);
      await sandbox.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await waitFor('the test apps in the model', () => {
    const ids = live.listApps().map((a) => a.id);
    return ['shop', 'ledger', 'portal'].every((n) => ids.includes(`${NS}/${n}`));
  });
  return harness;
}

/** A ClusterSession that reports every permission as allowed: the cluster alone decides. */
export function withoutPermissionCheck(session: ClusterSession): ClusterSession {
  return {
    kubeConfig: session.kubeConfig,
    contextName: session.contextName,
    getApp: (id) => {
      const app = session.getApp(id);
      return app
        ? {
            ...app,
            permissions: {
              scale: { allowed: true, reason: null },
              patch: { allowed: true, reason: null },
            },
          }
        : undefined;
    },
    getDeployment: (ns, name) => session.getDeployment(ns, name),
    onAppChange: (id, listener) => session.onAppChange(id, listener),
    probeEndpoint: (id) => session.probeEndpoint(id),
  };
}
