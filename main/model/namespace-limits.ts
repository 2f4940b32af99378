import type { V1LimitRange } from '@kubernetes/client-node';
import { limitRangeDefaultMemory } from './memory-limits';

/**
 * The LimitRange default memory of each namespace, kept so an app's limit can be read without
 * going over every LimitRange, and so a LimitRange event rebuilds only the apps of the
 * namespaces whose default actually moved.
 */
export class NamespaceLimits {
  private defaults = new Map<string, number | null>();

  /** The namespace's default memory limit per container; null where no LimitRange sets one. */
  defaultOf(namespace: string): number | null {
    return this.defaults.get(namespace) ?? null;
  }

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
    const next = new Map<string, number | null>();
    for (const [namespace, list] of byNamespace) next.set(namespace, limitRangeDefaultMemory(list));
    const changed: string[] = [];
    for (const namespace of new Set([...next.keys(), ...this.defaults.keys()])) {
      if ((next.get(namespace) ?? null) !== (this.defaults.get(namespace) ?? null)) {
        changed.push(namespace);
      }
    }
    this.defaults = next;
    return changed;
  }
}
