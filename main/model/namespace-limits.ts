import type { V1LimitRange } from '@kubernetes/client-node';
import {
  limitRangeDefaults,
  NO_NAMESPACE_DEFAULT,
  type NamespaceMemoryDefault,
} from './memory-limits';

/**
 * The LimitRange default memory (limit and request) of each namespace, kept so an app's limit can
 * be read without going over every LimitRange, and so a LimitRange event rebuilds only the apps
 * of the namespaces whose default actually moved.
 */
export class NamespaceLimits {
  private defaults = new Map<string, NamespaceMemoryDefault>();

  /** The namespace's default memory limit per container; null where no LimitRange sets one. */
  defaultOf(namespace: string): number | null {
    return this.defaults.get(namespace)?.limitBytes ?? null;
  }

  /** The namespace's default memory request per container; null where no LimitRange sets one. */
  defaultRequestOf(namespace: string): number | null {
    return this.defaults.get(namespace)?.requestBytes ?? null;
  }

  /** What a process reads of its namespace (model/process-model.ts's ProcessContext). */
  readonly context = {
    limitDefault: (namespace: string) => this.defaultOf(namespace),
    limitDefaultRequest: (namespace: string) => this.defaultRequestOf(namespace),
  };

  /**
   * Recomputes every namespace's default from all the LimitRanges there are now (one event can
   * add, change or remove a range, and only the whole set says what the default is); returns
   * the namespaces whose default changed.
   */
  update(ranges: Iterable<V1LimitRange>): string[] {
    const byNamespace = new Map<string, V1LimitRange[]>();
    for (const range of ranges) {
      const namespace = range.metadata?.namespace ?? '';
      const list = byNamespace.get(namespace) ?? [];
      list.push(range);
      byNamespace.set(namespace, list);
    }
    const next = new Map<string, NamespaceMemoryDefault>();
    for (const [namespace, list] of byNamespace) next.set(namespace, limitRangeDefaults(list));
    const changed: string[] = [];
    for (const namespace of new Set([...next.keys(), ...this.defaults.keys()])) {
      const before = this.defaults.get(namespace) ?? NO_NAMESPACE_DEFAULT;
      const after = next.get(namespace) ?? NO_NAMESPACE_DEFAULT;
      if (before.limitBytes !== after.limitBytes || before.requestBytes !== after.requestBytes) {
        changed.push(namespace);
      }
    }
    this.defaults = next;
    return changed;
  }
}
