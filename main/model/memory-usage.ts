import type { Metrics, PodMetricsList } from '@kubernetes/client-node';
import { quantityBytes } from './memory-limits';
import { toClusterError, withTimeout, type ClusterRequest } from '../kube/cluster-errors';
import { namespacedKey } from '../kube/object-key';

/**
 * Memory in use per pod from the metrics API (`metrics.k8s.io`, served by metrics-server),
 * through client-node's `Metrics` class and its quantity parser: one request per namespace (or
 * one cluster-wide in all-namespaces mode) per interval, whatever the number of apps.
 */

/** Bytes in use per pod (the sum over its containers), keyed `namespace/name`. */
export function podMemory(list: PodMetricsList): Map<string, number> {
  const usage = new Map<string, number>();
  for (const item of list.items ?? []) {
    let bytes = 0;
    let known = false;
    for (const container of item.containers ?? []) {
      const value = quantityBytes(container.usage?.memory);
      if (value === null) continue;
      bytes += value;
      known = true;
    }
    if (known) usage.set(namespacedKey(item.metadata.namespace, item.metadata.name), bytes);
  }
  return usage;
}

/** One metrics request for the namespace (null: all namespaces); throws a typed error. */
export async function readPodMemory(
  metrics: Metrics,
  namespace: string | null,
  timeoutMs: number,
  where: Pick<ClusterRequest, 'context' | 'server'> = {},
): Promise<Map<string, number>> {
  try {
    const list = await withTimeout(metrics.getPodMetrics(namespace ?? undefined), timeoutMs);
    return podMemory(list);
  } catch (error) {
    throw toClusterError(error, {
      verb: 'list',
      resource: 'pods.metrics.k8s.io',
      namespace,
      ...where,
    });
  }
}
