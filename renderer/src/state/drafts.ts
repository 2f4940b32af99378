import { useCallback, useSyncExternalStore } from 'react';
import { useDrafts } from './StoreContext';

/**
 * What the admin has typed but not saved, by key (`replicas:ns/app/web`). Kept outside the
 * components so that an error, a redraw from a cluster event or a tab switch loses nothing.
 */
export class Drafts {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Set<() => void>();

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  set(key: string, value: string | undefined): void {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    for (const listener of this.listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** A draft value and its setter; `undefined` means nothing typed (show the live value). */
export function useDraft(key: string): [string | undefined, (value: string | undefined) => void] {
  const drafts = useDrafts();
  const value = useSyncExternalStore(drafts.subscribe, () => drafts.get(key));
  const set = useCallback((next: string | undefined) => drafts.set(key, next), [drafts, key]);
  return [value, set];
}
