import type { V1Container, V1LimitRange, V1PodSpec } from '@kubernetes/client-node';
import { quantityToScalar } from '../kube/client-node';
import { DEFAULT_MEMORY_LIMIT_BYTES, type MemoryLimit } from '../../shared/app-model';

/**
 * The memory limit of one replica and where it came from (DOMAIN.md): the container's own
 * `resources.limits.memory`; where unset, the namespace LimitRange default (what the admission
 * controller would have filled in); where there is none, the product's 8 GiB default.
 */

/** Bytes of a Kubernetes quantity (`512Mi`, `8G`, `1.5Gi`) through client-node's parser; null where malformed. */
export function quantityBytes(quantity: string | undefined | null): number | null {
  if (quantity === undefined || quantity === null || quantity === '') return null;
  try {
    const value = Number(quantityToScalar(String(quantity)));
    return Number.isFinite(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}

/**
 * The default memory limit the namespace's LimitRanges give a container without one; null where
 * none sets it. Where several do, the lowest, as the tightest one is what the admin will hit.
 */
export function limitRangeDefaultMemory(limitRanges: Iterable<V1LimitRange>): number | null {
  let lowest: number | null = null;
  for (const range of limitRanges) {
    for (const item of range.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      const bytes = quantityBytes(item._default?.['memory']);
      if (bytes !== null && bytes > 0 && (lowest === null || bytes < lowest)) lowest = bytes;
    }
  }
  return lowest;
}

function containerLimit(
  container: V1Container,
  namespaceDefault: number | null,
): { bytes: number; source: MemoryLimit['source'] } | null {
  const own = quantityBytes(container.resources?.limits?.['memory']);
  if (own !== null && own > 0) return { bytes: own, source: 'container' };
  if (namespaceDefault !== null) return { bytes: namespaceDefault, source: 'limitrange' };
  return null;
}

/**
 * One replica's limit: the sum over its containers. The source is that of the first container
 * (the one running the Procfile line); containers with no limit at all add nothing, and where
 * none has one the replica gets the 8 GiB default.
 */
export function memoryLimitOf(
  spec: V1PodSpec | undefined,
  namespaceDefault: number | null,
): MemoryLimit {
  const containers = spec?.containers ?? [];
  let bytes = 0;
  let source: MemoryLimit['source'] | null = null;
  for (const container of containers) {
    const limit = containerLimit(container, namespaceDefault);
    if (!limit) continue;
    bytes += limit.bytes;
    source ??= limit.source;
  }
  if (source === null || bytes <= 0)
    return { bytes: DEFAULT_MEMORY_LIMIT_BYTES, source: 'default' };
  return { bytes, source };
}
