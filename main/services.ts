import type { EventBus } from './event-bus';
import type { Handlers } from './handlers';
import type { KeyValueStore } from './settings-store';
import { ScaleDeskError } from '../shared/errors';
import { kubeconfigPaths, listContexts, loadKubeconfig } from './kubeconfig';

export interface ServicesOptions {
  store: KeyValueStore;
  bus: EventBus;
  mode: 'desktop' | 'browser';
  version: string;
  /** Else KUBECONFIG (several paths merged) or ~/.kube/config; none at all: the sandbox cluster. */
  kubeconfigPath?: string;
  /** Else the last used (settings) or the kubeconfig's current context. */
  context?: string;
}

export interface Services {
  handlers: Handlers;
  stop(): Promise<void>;
}

function notConnected(operation: string): () => Promise<never> {
  return async () => {
    throw new ScaleDeskError(
      'NOT_CONNECTED',
      `${operation} is not available yet: not connected to a cluster.`,
    );
  };
}

/** The composition root: builds every service of main and the handlers both transports call. */
export async function createServices(options: ServicesOptions): Promise<Services> {
  const handlers: Handlers = {
    'app.info': async () => ({
      name: 'ScaleDesk',
      version: options.version,
      mode: options.mode,
      platform: process.platform,
    }),
    'cluster.contexts': async () => {
      const paths = kubeconfigPaths(
        options.kubeconfigPath ? { explicitPath: options.kubeconfigPath } : {},
      );
      const kc = loadKubeconfig(paths);
      return {
        contexts: listContexts(kc),
        current: kc.getCurrentContext() || null,
        source: 'kubeconfig' as const,
        kubeconfigPaths: paths,
      };
    },
    'cluster.connect': notConnected('cluster.connect'),
    'cluster.connection': notConnected('cluster.connection'),
    'cluster.namespaces': notConnected('cluster.namespaces'),
    'apps.list': notConnected('apps.list'),
    'apps.history': notConnected('apps.history'),
    'process.setReplicas': notConnected('process.setReplicas'),
    'process.setWorkers': notConnected('process.setWorkers'),
    'app.restart': notConnected('app.restart'),
    'app.start': notConnected('app.start'),
    'activity.list': notConnected('activity.list'),
    'activity.undo': notConnected('activity.undo'),
    'settings.get': notConnected('settings.get'),
    'settings.set': notConnected('settings.set'),
  };
  return { handlers, stop: async () => {} };
}
