import path from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { appId as makeAppId } from '../shared/app-model';
import type { Connection } from '../shared/contract';
import { ScaleDeskError, toContractError } from '../shared/errors';
import { toClusterError, withTimeout } from './kube/cluster-errors';
import type { EventBus } from './transport/event-bus';
import type { Handlers } from './transport/dispatch';
import {
  contextNamespace,
  kubeConfigForContext,
  kubeconfigPaths,
  kubeconfigSecrets,
  kubeconfigWatchPaths,
  listContexts,
  loadKubeconfig,
} from './kube/kubeconfig';
import { watchKubeconfig } from './kube/kubeconfig-reload';
import { rememberSecrets } from './transport/redaction';
import { ClusterSession } from './session/cluster-session';
import { NO_METRICS_YET } from './session/connection-state';
import type { ClusterSessionOptions } from './session/session-options';
import { MemoryHistory } from './model/memory-history';
import { memoryAdviceOf } from './model/memory-advice';
import { recordReplicaPeaks } from './model/replica-peaks';
import { createOperations, type OperationsDeps } from './operations';
import { createSettings } from './store/settings';
import type { KeyValueStore } from './store/key-value-store';
// Types only: the sandbox's code is loaded by ensureSandbox, where there is no kubeconfig.
import type { DefaultSandbox } from './sandbox/index';

export interface ServicesOptions {
  store: KeyValueStore;
  bus: EventBus;
  mode: 'desktop' | 'browser';
  version: string;
  /** Else KUBECONFIG (several paths merged) or ~/.kube/config; none at all: the sandbox cluster. */
  kubeconfigPath?: string;
  /** Else the last used (settings) or the kubeconfig's current context. */
  context?: string;
  /** Tuning of the live model (tests use short intervals); see ClusterSessionOptions. */
  live?: Pick<ClusterSessionOptions, 'timing' | 'endpointProbes'>;
  /** Tuning of the operations (rollout tracking, activity log size). */
  operations?: Pick<OperationsDeps, 'tracking' | 'activityCap'>;
  /** Where the sandbox keeps its kubeconfig when there is none; default: beside the store file. */
  dataDir?: string;
}

export interface Services {
  handlers: Handlers;
  /** Settles when the first connection attempt has an answer (live, stale or error). */
  ready: Promise<Connection>;
  /** The live session, where connected (for tests and the bench). */
  session(): ClusterSession | null;
  stop(): Promise<void>;
}

interface KubeconfigState {
  source: Connection['source'];
  paths: string[];
  merged: KubeConfig;
}

/**
 * A namespace asked for by name must exist: Kubernetes lists an unknown namespace as empty, which
 * would show a typo as "no apps". Where the user may not read namespaces, or the cluster does
 * not answer, the session itself will say what it can.
 */
async function assertNamespace(
  kubeConfig: KubeConfig,
  context: string,
  namespace: string,
): Promise<void> {
  try {
    await withTimeout(
      kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: namespace }),
      10_000,
    );
  } catch (error) {
    const mapped = toClusterError(error, {
      verb: 'get',
      resource: 'namespaces',
      name: namespace,
      context,
    });
    if (mapped.code === 'NOT_FOUND') {
      throw new ScaleDeskError(
        'NOT_FOUND',
        `There is no namespace "${namespace}" in context "${context}".`,
        {
          context,
          namespace,
        },
      );
    }
  }
}

/**
 * The composition root: the settings, the kubeconfig (or the sandbox cluster where there is
 * none), the live session of the chosen context, and one handler per operation of the contract,
 * which both transports (IPC and HTTP) call through `dispatch`. Returns at once; the first
 * connection proceeds in the background (`ready`), announced by `connection` events.
 */
export async function createServices(options: ServicesOptions): Promise<Services> {
  const { bus } = options;
  const settings = createSettings(options.store, bus);
  let session: ClusterSession | null = null;
  /** Memory history per context, kept across namespace switches for the life of the process. */
  const histories = new Map<string, MemoryHistory>();
  let sandbox: DefaultSandbox | null = null;
  let sandboxStarting: Promise<DefaultSandbox> | null = null;
  let stopped = false;
  /** What cluster.connection says while there is no session (before one, or after a failure). */
  let idle: Connection = {
    state: 'disconnected',
    context: null,
    namespace: null,
    source: 'kubeconfig',
    kubeconfigPaths: [],
    server: null,
    error: null,
    syncedAt: null,
    metrics: NO_METRICS_YET,
    throttledSince: null,
  };
  /** The kubeconfig the session was made with: a change to its context's cluster or user reconnects. */
  let connectedWith: KubeConfig | null = null;
  /** Connections one at a time: a second waits for the first to settle, then replaces it. */
  let queue: Promise<unknown> = Promise.resolve();

  /**
   * The newcomer's cluster, where there is no kubeconfig at all: its kubeconfig goes into
   * ScaleDesk's data folder, never ~/.kube (which would make it look like the admin's own cluster
   * next time). The sandbox is loaded only here, so with a kubeconfig its code never is (in the
   * desktop bundle it is dist/main/sandbox.cjs, apart from main.cjs).
   */
  async function ensureSandbox(): Promise<DefaultSandbox> {
    if (sandbox) return sandbox;
    const dataDir = options.dataDir ?? path.dirname(options.store.path);
    const kubeconfigPath = path.join(dataDir, 'sandbox', 'kubeconfig');
    sandboxStarting ??= import('./sandbox/index')
      .then(({ startDefaultSandbox }) => startDefaultSandbox(kubeconfigPath))
      .catch((error: unknown) => {
        throw new ScaleDeskError(
          'INTERNAL',
          `No kubeconfig was found, and the sandbox cluster could not start: ${(error as Error).message}`,
          { kubeconfigPath },
        );
      });
    sandbox = await sandboxStarting;
    return sandbox;
  }

  /** Reads the kubeconfig afresh (the admin may have edited it); none at all: the sandbox's. */
  async function readKubeconfig(): Promise<KubeconfigState> {
    const paths = kubeconfigPaths(
      options.kubeconfigPath ? { explicitPath: options.kubeconfigPath } : {},
    );
    const state: KubeconfigState =
      paths.length > 0
        ? { source: 'kubeconfig', paths, merged: loadKubeconfig(paths) }
        : await ensureSandbox().then((own) => ({
            source: 'sandbox',
            paths: [own.kubeconfigPath],
            merged: loadKubeconfig([own.kubeconfigPath]),
          }));
    // Its credentials are redacted wherever a message quotes them (transport/redaction.ts).
    rememberSecrets(kubeconfigSecrets(state.merged));
    return state;
  }

  function fail(error: unknown, partial: Partial<Connection>): Connection {
    const contract = toContractError(error);
    idle = {
      ...idle,
      ...partial,
      state: 'error',
      error: { code: contract.code, message: contract.message },
      syncedAt: null,
      metrics: NO_METRICS_YET,
      throttledSince: null,
    };
    bus.emit('connection', idle);
    return idle;
  }

  async function connect(
    contextName: string | null,
    namespace: string | null | undefined,
  ): Promise<Connection> {
    if (!session) {
      // Reading the kubeconfig (or starting the sandbox) comes before any session: say so.
      idle = { ...idle, state: 'connecting', error: null, context: contextName ?? idle.context };
      bus.emit('connection', idle);
    }
    const state = await readKubeconfig();
    idle = { ...idle, source: state.source, kubeconfigPaths: state.paths };
    const chosen =
      contextName ??
      (() => {
        const last = settings.get().lastContext;
        if (last && state.merged.getContextObject(last)) return last;
        return state.merged.getCurrentContext() || state.merged.getContexts()[0]?.name || null;
      })();
    if (!chosen) {
      throw new ScaleDeskError(
        'KUBECONFIG',
        `The kubeconfig ${state.paths.join(', ')} defines no context.`,
        {
          file: state.paths.join(', '),
          problem: 'no contexts',
        },
      );
    }
    const kubeConfig = kubeConfigForContext(state.merged, chosen, state.paths);
    const ownNamespace = () => contextNamespace(state.merged, chosen, state.paths);
    const remembered = settings.get().lastContext === chosen;
    let ns: string | null;
    if (namespace !== undefined) ns = namespace;
    else if (remembered && settings.refused().includes('lastNamespace')) {
      // The settings dropped it at start as no namespace name (and said so): null would mean
      // all namespaces, which the admin did not choose. Start in the context's own instead.
      ns = ownNamespace();
      console.warn(
        `scaledesk: the namespace remembered for context "${chosen}" was not a namespace name; starting in "${ns}", the context's own.`,
      );
    } else if (remembered) ns = settings.get().lastNamespace;
    else ns = ownNamespace();

    if (ns !== null) {
      try {
        await assertNamespace(kubeConfig, chosen, ns);
      } catch (error) {
        // The namespace remembered from last time is gone: start in the context's own instead.
        if (namespace !== undefined) throw error;
        const gone = ns;
        ns = ownNamespace();
        if (gone !== ns) {
          console.warn(
            `scaledesk: the namespace "${gone}" remembered for context "${chosen}" is not there; starting in "${ns}", the context's own.`,
          );
        }
      }
    }
    let history = histories.get(chosen);
    if (!history) {
      history = new MemoryHistory();
      histories.set(chosen, history);
    }
    const previous = session;
    session = null;
    await previous?.stop();
    if (stopped) throw new ScaleDeskError('NOT_CONNECTED', 'ScaleDesk is shutting down.');
    const next = new ClusterSession({
      kubeConfig,
      contextName: chosen,
      namespace: ns,
      source: state.source,
      kubeconfigPaths: state.paths,
      bus,
      settings: () => settings.get(),
      history,
      ...(options.live ?? {}),
    });
    session = next;
    connectedWith = state.merged;
    idle = { ...idle, context: chosen, namespace: ns, error: null, state: 'disconnected' };
    const { lastContext, lastNamespace } = settings.get();
    if (lastContext !== chosen || lastNamespace !== ns)
      settings.set({ lastContext: chosen, lastNamespace: ns });
    return next.start();
  }

  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  function requireSession(operation: string): ClusterSession {
    if (!session) {
      const why = idle.error ? ` ${idle.error.message}` : '';
      throw new ScaleDeskError('NOT_CONNECTED', `${operation}: not connected to a cluster.${why}`);
    }
    return session;
  }

  // Each tick's per-replica peaks beside its history, for the recommended limits.
  bus.on('samples', (samples) => {
    if (session) recordReplicaPeaks(session.history, samples, (id) => session?.getApp(id));
  });

  const operations = createOperations({
    session: () => session,
    store: options.store,
    bus,
    settings,
    ...(options.operations ?? {}),
  });

  function contextsOf(state: KubeconfigState) {
    return {
      contexts: listContexts(state.merged),
      current: session?.contextName ?? (state.merged.getCurrentContext() || null),
      source: state.source,
      kubeconfigPaths: state.paths,
    };
  }

  // A fresh login or CA written into the kubeconfig is picked up without a restart.
  const kubeconfigWatch = watchKubeconfig(
    kubeconfigWatchPaths(options.kubeconfigPath ? { explicitPath: options.kubeconfigPath } : {}),
    {
      read: readKubeconfig,
      announce: (state) => bus.emit('contexts', contextsOf(state)),
      current: () => ({ connection: session?.connection() ?? idle, connectedWith }),
      reconnect: (context, namespace) =>
        enqueue(() => connect(context, namespace)).catch((error: unknown) => {
          if (!session) fail(error, { context, namespace: namespace ?? null });
        }),
    },
  );

  const ready = enqueue(() => connect(options.context ?? null, undefined)).catch((error: unknown) =>
    fail(error, {}),
  );

  const handlers: Handlers = {
    'app.info': async () => ({
      name: 'ScaleDesk',
      version: options.version,
      mode: options.mode,
      platform: process.platform,
    }),
    'cluster.contexts': async () => contextsOf(await readKubeconfig()),
    'cluster.connect': (input) =>
      enqueue(async () => {
        try {
          return await connect(input.context, input.namespace);
        } catch (error) {
          // The error goes back typed (an unknown context, a broken kubeconfig); the session
          // there was, if any, keeps running, else the connection shows the error.
          if (!session) fail(error, { context: input.context, namespace: input.namespace });
          throw error;
        }
      }),
    'cluster.connection': async () => session?.connection() ?? idle,
    'cluster.namespaces': async () => requireSession('cluster.namespaces').namespaces(),
    'cluster.namespaceSummary': async () =>
      requireSession('cluster.namespaceSummary').namespaceSummary(),
    'apps.list': async () => {
      // While the first connection is being made there are no apps yet; the `apps` event follows.
      if (!session && idle.state === 'connecting') return [];
      return requireSession('apps.list').listApps();
    },
    'app.memoryAdvice': async (input) =>
      memoryAdviceOf(requireSession('app.memoryAdvice'), input, settings.get()),
    'apps.history': async (input) => {
      const live = requireSession('apps.history');
      const id = makeAppId(input.namespace, input.app);
      const samples = live.historyOf(id, input.window, input.maxPoints);
      if (samples.length === 0 && !live.getApp(id)) {
        throw new ScaleDeskError(
          'NOT_FOUND',
          `There is no app "${input.app}" in namespace "${input.namespace}".`,
          {
            namespace: input.namespace,
            app: input.app,
          },
        );
      }
      return samples;
    },
    ...operations,
    'settings.get': async () => settings.get(),
    'settings.set': async (input) => settings.set(input),
  };

  return {
    handlers,
    ready,
    session: () => session,
    async stop() {
      stopped = true;
      kubeconfigWatch.close();
      // Stopping the session first lets a connection still waiting for its first sync settle.
      await session?.stop();
      await queue.catch(() => undefined);
      const last = session;
      session = null;
      await last?.stop();
      const own = sandbox ?? (sandboxStarting ? await sandboxStarting.catch(() => null) : null);
      await own?.stop();
    },
  };
}
