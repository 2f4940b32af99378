import type { V1ListMeta } from '@kubernetes/client-node';
import { withTimeout } from './cluster-errors';

/**
 * A list read in pages (`limit` and `continue`), as kubectl and client-go's informers read them:
 * a big cluster's pods in one answer cost the API server and us a burst of memory. The list's
 * resourceVersion is its first page's (the pages are a snapshot at that version, and a watch
 * starts from it); a continue token that expired (410: the snapshot was compacted away) starts
 * the list again from its first page.
 *
 * The next page is asked for as soon as a page's continue token is known, before that page's
 * items are decoded (a page may hand its items over lazily, see raw-list.ts): decoding one page
 * and the server producing the next overlap, instead of each page waiting for the one before.
 */

/** Objects per list page: the page size client-go's informers use. */
export const LIST_PAGE_SIZE = 500;

/** A 410 on a continue token starts the list again; this many times, then the list fails. */
const MAX_LIST_RESTARTS = 3;

/** One page of a list: the typed API's `limit` and `_continue` parameters. */
export interface ListPage {
  limit: number;
  _continue?: string;
}

/**
 * One page as answered: its list metadata, and its items, or how to decode them (called once,
 * after the next page has been asked for).
 */
export interface PageAnswer<T> {
  metadata?: V1ListMeta;
  items: T[] | (() => T[]);
}

export type ListPageFn<T> = (page: ListPage) => Promise<PageAnswer<T>>;

/**
 * The same pages with their items decoded by `decode` a page at a time, when asked for: a page's
 * parsed JSON dies young instead of being held until the whole list has come.
 */
export function decodingPages<R, T>(list: ListPageFn<R>, decode: (item: R) => T): ListPageFn<T> {
  return async (page) => {
    const { metadata, items } = await list(page);
    return {
      ...(metadata ? { metadata } : {}),
      items: () => (typeof items === 'function' ? items() : items).map(decode),
    };
  };
}

export interface PagedListOptions {
  pageSize?: number;
  /** Each page that does not answer in this time is a failure. */
  timeoutMs: number;
  /** Stop between pages (the caller stopped); the list then resolves null. */
  stopped?: () => boolean;
  /** Called each time an expired continue token starts the list again. */
  restarted?: () => void;
}

/** Every page of the list, with the first page's resourceVersion; null where stopped meanwhile. */
export async function listAllPages<T>(
  list: ListPageFn<T>,
  options: PagedListOptions,
): Promise<{ resourceVersion: string; items: T[] } | null> {
  const limit = options.pageSize ?? LIST_PAGE_SIZE;
  const ask = (token: string | undefined) => {
    const asked = withTimeout(
      list({ limit, ...(token ? { _continue: token } : {}) }),
      options.timeoutMs,
    );
    // Asked ahead: where the list ends first (stopped, or a decoding failed), nobody awaits it.
    asked.catch(() => {});
    return asked;
  };
  for (let restarts = 0; ; restarts++) {
    const items: T[] = [];
    let resourceVersion: string | null = null;
    let token: string | undefined;
    let next = ask(undefined);
    let expired = false;
    for (;;) {
      let answer: PageAnswer<T>;
      try {
        answer = await next;
      } catch (error) {
        const status = (error as { code?: unknown } | null)?.code;
        if (token === undefined || status !== 410 || restarts >= MAX_LIST_RESTARTS) throw error;
        expired = true;
        break;
      }
      if (options.stopped?.()) return null;
      resourceVersion ??= answer.metadata?.resourceVersion ?? '';
      token = answer.metadata?._continue || undefined;
      if (token !== undefined) next = ask(token);
      const decoded = typeof answer.items === 'function' ? answer.items() : answer.items;
      for (const item of decoded) items.push(item);
      if (token === undefined) break;
    }
    if (!expired) return { resourceVersion: resourceVersion ?? '', items };
    options.restarted?.();
  }
}
