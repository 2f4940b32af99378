import type { V1ListMeta } from '@kubernetes/client-node';
import { withTimeout } from './cluster-errors';

/**
 * A list read in pages (`limit` and `continue`), as kubectl and client-go's informers read them:
 * a big cluster's pods in one answer cost the API server and us a burst of memory. The list's
 * resourceVersion is its first page's (the pages are a snapshot at that version, and a watch
 * starts from it); a continue token that expired (410: the snapshot was compacted away) starts
 * the list again from its first page.
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

export type ListPageFn<T> = (page: ListPage) => Promise<{ metadata?: V1ListMeta; items: T[] }>;

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
  for (let restarts = 0; ; restarts++) {
    const items: T[] = [];
    let resourceVersion: string | null = null;
    let token: string | undefined;
    let expired = false;
    do {
      const page: ListPage = { limit, ...(token ? { _continue: token } : {}) };
      let answer: { metadata?: V1ListMeta; items: T[] };
      try {
        answer = await withTimeout(list(page), options.timeoutMs);
      } catch (error) {
        const status = (error as { code?: unknown } | null)?.code;
        if (token === undefined || status !== 410 || restarts >= MAX_LIST_RESTARTS) throw error;
        expired = true;
        break;
      }
      if (options.stopped?.()) return null;
      resourceVersion ??= answer.metadata?.resourceVersion ?? '';
      for (const item of answer.items) items.push(item);
      token = answer.metadata?._continue || undefined;
    } while (token !== undefined);
    if (!expired) return { resourceVersion: resourceVersion ?? '', items };
    options.restarted?.();
  }
}
