import type { CoreV1Api } from '@kubernetes/client-node';
import { toClusterError, withTimeout } from '../kube/cluster-errors';

/**
 * The namespaces offered to switch to: those the user may list; where listing namespaces is
 * forbidden (a user confined to a few), the ones known otherwise (the apps', the session's and
 * the context's own) rather than nothing.
 */
export async function namespaceChoices(options: {
  core: CoreV1Api;
  timeoutMs: number;
  context: string;
  server: string;
  known: () => Iterable<string>;
}): Promise<string[]> {
  try {
    const list = await withTimeout(options.core.listNamespace(), options.timeoutMs);
    return list.items
      .map((n) => n.metadata?.name ?? '')
      .filter((n) => n.length > 0)
      .sort();
  } catch (error) {
    const mapped = toClusterError(error, {
      verb: 'list',
      resource: 'namespaces',
      context: options.context,
      server: options.server,
    });
    if (mapped.code !== 'FORBIDDEN') throw mapped;
    return [...new Set(options.known())].sort();
  }
}
