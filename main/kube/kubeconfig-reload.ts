import type { KubeConfig } from '@kubernetes/client-node';
import type { Connection } from '../../shared/contract';
import { KubeconfigWatch, type KubeconfigWatchOptions } from './kubeconfig-watch';

/**
 * What the composition root does when a kubeconfig file changes (kubeconfig-watch.ts): the
 * contexts are read again and announced, and the session reconnects, to the same context and
 * namespace, where what it connects with changed (the context's cluster: server, CA; or its user:
 * token, client certificate, plugin) or where it is failing for want of a login or a trusted
 * CA. A file caught half-written, or broken, changes nothing: the next save is heard too.
 */

export interface KubeconfigReader {
  merged: KubeConfig;
}

export interface ReloadPort<S extends KubeconfigReader> {
  read(): Promise<S>;
  /** The contexts changed (or may have): tell the UI. */
  announce(state: S): void;
  /** The connection now, and the kubeconfig it was made with (none: no connection yet). */
  current(): { connection: Connection; connectedWith: KubeConfig | null };
  reconnect(context: string, namespace: string | null | undefined): Promise<unknown>;
}

/** Errors a new login or CA in the kubeconfig may cure. */
const CURABLE = new Set(['UNAUTHORIZED', 'TLS', 'KUBECONFIG']);

/** What a context connects with, as written: its cluster and its user. */
function connectsWith(kc: KubeConfig, context: string): string | null {
  const ctx = kc.getContextObject(context);
  if (!ctx) return null;
  return JSON.stringify([kc.getCluster(ctx.cluster), ctx.user ? kc.getUser(ctx.user) : null]);
}

export function contextConnectionChanged(
  before: KubeConfig,
  after: KubeConfig,
  context: string,
): boolean {
  return connectsWith(before, context) !== connectsWith(after, context);
}

export async function reloadKubeconfig<S extends KubeconfigReader>(
  port: ReloadPort<S>,
): Promise<void> {
  let state: S;
  try {
    state = await port.read();
  } catch (error) {
    console.warn(`scaledesk: the changed kubeconfig cannot be read: ${(error as Error).message}`);
    return;
  }
  port.announce(state);
  const { connection, connectedWith } = port.current();
  const context = connection.context;
  if (!context || !state.merged.getContextObject(context)) return;
  const changed = !connectedWith || contextConnectionChanged(connectedWith, state.merged, context);
  const curable = CURABLE.has(connection.error?.code ?? '');
  if (!changed && !curable) return;
  // Where the first connection failed before a namespace was chosen, the usual choice stands.
  const namespace = connectedWith ? connection.namespace : (connection.namespace ?? undefined);
  await port.reconnect(context, namespace).catch(() => undefined);
}

/** Watches the files and reloads on each change; close() stops it. */
export function watchKubeconfig<S extends KubeconfigReader>(
  files: readonly string[],
  port: ReloadPort<S>,
  options: KubeconfigWatchOptions = {},
): KubeconfigWatch {
  let running: Promise<void> = Promise.resolve();
  // One reload at a time, in order: a save heard during a reload is read after it.
  return new KubeconfigWatch(
    files,
    () => {
      running = running.then(() => reloadKubeconfig(port));
    },
    options,
  );
}
