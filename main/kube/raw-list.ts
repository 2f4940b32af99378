import {
  ApiException,
  HttpMethod,
  type ApiType,
  type Configuration,
  type V1ListMeta,
} from '@kubernetes/client-node';
import type { ListPage, PageAnswer } from './paged-list';

/**
 * One page of a list read as the API server's JSON, not through client-node's models: its typed
 * API walks every field of every object (`ObjectSerializer.deserialize`) to make model classes
 * and Dates, which for a big cluster's pods was most of the first sync's CPU and garbage. The
 * watches keep only what the model reads of each object (object-slimming.ts) and turn just the
 * dates it reads into Dates there.
 *
 * Made by `kubeConfig.makeApiClient(RawListApi)`, so a page goes the way every typed request
 * goes: the kubeconfig's credentials applied by its `applySecurityAuthentication` (exec plugins
 * and OIDC included, a refused credential renewed once) and its throttling honoured by
 * request-retry.ts (a 429 or 503 with Retry-After sent again). A failure is client-node's own
 * ApiException, with the Status body and headers cluster-errors.ts reads.
 *
 * The page's items are decoded only when asked for (`items()`), and its metadata is read from
 * the head of the body first: paged-list.ts asks for the next page with the continue token
 * before this page's objects are parsed, so the server serves the next page meanwhile.
 */
export class RawListApi implements ApiType {
  constructor(private readonly configuration: Configuration) {}

  /** One page of the collection at `path` (e.g. `/api/v1/pods`). */
  async page(path: string, page: ListPage): Promise<PageAnswer<unknown>> {
    const { baseServer, authMethods, httpApi } = this.configuration;
    const request = baseServer.makeRequestContext(path, HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    request.setQueryParam('limit', String(page.limit));
    if (page._continue !== undefined) request.setQueryParam('continue', page._continue);
    await authMethods.default?.applySecurityAuthentication(request);
    const response = await httpApi.send(request).toPromise();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      // As the typed API answers a failure: 401 without a body, any other with its Status.
      const unauthorized = response.httpStatusCode === 401;
      throw new ApiException<unknown>(
        response.httpStatusCode,
        unauthorized ? 'Unauthorized' : 'Unknown API Status Code!',
        unauthorized ? undefined : await response.getBodyAsAny(),
        response.headers,
      );
    }
    return listBody(await response.body.text());
  }
}

/**
 * A list's JSON as a page: its metadata at once (from the head of the body where the server puts
 * it first, as the API server does), its items parsed when asked for.
 */
export function listBody(text: string): PageAnswer<unknown> {
  const head = leadingListMeta(text);
  let parsed: { metadata?: RawListMeta; items?: unknown } | null = null;
  const whole = () => (parsed ??= JSON.parse(text) as { metadata?: RawListMeta; items?: unknown });
  const meta = head ?? whole().metadata;
  return {
    metadata: listMeta(meta),
    items: () => {
      const items = whole().items;
      return Array.isArray(items) ? items : [];
    },
  };
}

/** The list metadata as the server's JSON names it (`continue`, which client-node calls `_continue`). */
interface RawListMeta {
  resourceVersion?: unknown;
  continue?: unknown;
  remainingItemCount?: unknown;
}

function listMeta(meta: RawListMeta | undefined): V1ListMeta {
  const result: V1ListMeta = {};
  if (typeof meta?.resourceVersion === 'string') result.resourceVersion = meta.resourceVersion;
  if (typeof meta?.continue === 'string' && meta.continue !== '') result._continue = meta.continue;
  if (typeof meta?.remainingItemCount === 'number') {
    result.remainingItemCount = meta.remainingItemCount;
  }
  return result;
}

/** Only the list's own metadata is looked for this far into the body. */
const HEAD_CHARS = 4096;

/**
 * The list's metadata where it comes before its items (`{"kind":..,"metadata":{..},"items":[`):
 * a ListMeta holds strings and numbers only, so its object ends at the first `}`. Null where the
 * body is laid out otherwise; the caller then parses the whole body for it.
 */
function leadingListMeta(text: string): RawListMeta | null {
  const head = text.slice(0, HEAD_CHARS);
  const items = head.indexOf('"items":');
  const start = head.indexOf('"metadata":{');
  if (start < 0 || (items >= 0 && items < start)) return null;
  const open = start + '"metadata":'.length;
  const close = head.indexOf('}', open);
  if (close < 0) return null;
  try {
    const meta: unknown = JSON.parse(head.slice(open, close + 1));
    return typeof meta === 'object' && meta !== null ? meta : null;
  } catch {
    return null;
  }
}
