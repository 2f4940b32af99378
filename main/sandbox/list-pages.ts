import { ApiError, badRequest, invalid, type StatusCause } from './api-errors';
import type { KubeObject } from './kube-types';
import type { ObjectStore, StoreEvent } from './object-store';
import { storeKey, type ResourceType } from './resource-types';
import type { Matcher } from './selectors';

/**
 * A list as the API server serves it from etcd: at the version its `resourceVersion` and
 * `resourceVersionMatch` ask for, in pages of `limit` whose continue token carries the first
 * page's version, so every later page is read from the same snapshot (objects changed or added
 * since do not show, ones deleted since still do). A snapshot is the live objects with the
 * change log after its version undone, and only when something of that type changed: paging
 * through an idle cluster copies nothing. Once compaction has passed that version, a continue
 * is 410 Expired with a token to go on inconsistently, as etcd's store answers.
 */

export interface ListRequest {
  type: ResourceType;
  namespace: string | undefined;
  match: Matcher;
  /** A label or field selector filters the list (then no remainingItemCount is given). */
  selective: boolean;
  limit: number | undefined;
  continueToken: string | null;
  resourceVersion: string | null;
  resourceVersionMatch: string | null;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remaining?: number;
}

const MAX_LIST_LIMIT = 10_000;

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** What a continue token holds, as the API server's: the version, and the key to start after. */
interface ContinueKey {
  /** The snapshot's version; -1 for an inconsistent continue (read the latest). */
  rv: number;
  namespace: string;
  name: string;
}

export function encodeContinue(key: ContinueKey): string {
  const start = `${key.namespace}/${key.name}\u0000`;
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: key.rv, start })).toString(
    'base64url',
  );
}

export function decodeContinue(token: string): ContinueKey {
  try {
    const raw: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (raw && typeof raw === 'object' && 'rv' in raw && 'start' in raw) {
      const { rv, start } = raw;
      if (typeof rv === 'number' && typeof start === 'string' && rv !== 0) {
        const key = start.endsWith('\u0000') ? start.slice(0, -1) : start;
        const slash = key.indexOf('/');
        return { rv, namespace: key.slice(0, slash), name: key.slice(slash + 1) };
      }
    }
  } catch {
    // Fall through to the API server's answer for a token it cannot read.
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}

/** The index of the first object whose key comes after the token's start key. */
function firstAfter(objects: KubeObject[], key: ContinueKey): number {
  const probe: KubeObject = { metadata: { namespace: key.namespace, name: key.name } };
  let lo = 0;
  let hi = objects.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byKey(objects[mid] as KubeObject, probe) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function listOptionsInvalid(causes: StatusCause[]): ApiError {
  return invalid('ListOptions', 'meta.k8s.io', '', causes);
}

function forbidden(message: string): StatusCause {
  return {
    reason: 'FieldValueForbidden',
    message: `Forbidden: ${message}`,
    field: 'resourceVersionMatch',
  };
}

/** ValidateListOptions' rules on resourceVersionMatch. */
function checkListOptions(request: ListRequest): void {
  const match = request.resourceVersionMatch;
  if (!match) return;
  const causes: StatusCause[] = [];
  if (!request.resourceVersion) {
    causes.push(forbidden('resourceVersionMatch is forbidden unless resourceVersion is provided'));
  }
  if (request.continueToken) {
    causes.push(forbidden('resourceVersionMatch is forbidden when continue is provided'));
  }
  if (match === 'Exact') {
    if (request.resourceVersion === '0') {
      causes.push(forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  } else if (match !== 'NotOlderThan') {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
      field: 'resourceVersionMatch',
    });
  }
  if (causes.length > 0) throw listOptionsInvalid(causes);
}

function parseVersion(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version: ${text}`);
  return Number(text);
}

/** What the watch cache answers for a version it has not reached (after waiting for it). */
export function tooLargeResourceVersion(asked: number, current: number): ApiError {
  return new ApiError(
    504,
    'Timeout',
    `Timeout: Too large resource version: ${asked}, current: ${current}`,
    {
      causes: [
        { reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' },
      ],
      retryAfterSeconds: 1,
    },
  );
}

/** etcd's store on a list at a compacted version (a watch says "too old resource version"). */
function tooOld(): ApiError {
  return new ApiError(410, 'Expired', 'The resourceVersion for the provided list is too old.');
}

/**
 * The objects of a type (in a namespace) as they were at `rv`, sorted; 'expired' where the log
 * no longer reaches back to it.
 */
export function objectsAt(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  rv: number,
): KubeObject[] | 'expired' {
  const changes = store.changesSince(rv);
  if (changes === 'expired') return 'expired';
  const key = storeKey(type);
  const inScope = (e: StoreEvent) =>
    e.key === key && (namespace === undefined || e.namespace === namespace);
  const relevant = changes.filter(inScope);
  const live = store.list(type, namespace);
  if (relevant.length === 0) return live;
  const id = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  // Each changed object as it was at `rv`: the state before its first change since (none where
  // that change created it). Everything else is live and already in order.
  const then = new Map<string, KubeObject | undefined>();
  for (const event of relevant) {
    const key = id(event.object);
    if (!then.has(key)) then.set(key, event.type === 'ADDED' ? undefined : event.previous);
  }
  const restored = [...then.values()].filter((o): o is KubeObject => o !== undefined).sort(byKey);
  // The live versions of the changed objects, by reference: no key is built per live object.
  const changed = new Set<KubeObject>();
  for (const key of then.keys()) {
    const slash = key.indexOf('/');
    const now = store.get(type, key.slice(0, slash), key.slice(slash + 1));
    if (now) changed.add(now);
  }
  const out: KubeObject[] = [];
  let r = 0;
  for (const o of live) {
    if (changed.has(o)) continue;
    while (r < restored.length && byKey(restored[r] as KubeObject, o) < 0) {
      out.push(restored[r++] as KubeObject);
    }
    out.push(o);
  }
  while (r < restored.length) out.push(restored[r++] as KubeObject);
  return out;
}

/** Namespace, then name: the order of etcd's keys and of ObjectStore.list. */
function byKey(a: KubeObject, b: KubeObject): number {
  const na = a.metadata.namespace ?? '';
  const nb = b.metadata.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  const ma = a.metadata.name ?? '';
  const mb = b.metadata.name ?? '';
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

export function listPage(store: ObjectStore, request: ListRequest): ListPage {
  checkListOptions(request);
  const current = store.resourceVersion;
  let snapshot: number | undefined;
  let start: ContinueKey | undefined;
  if (request.continueToken) {
    if (request.resourceVersion && request.resourceVersion !== '0') {
      throw badRequest('specifying resource version is not allowed when using continue');
    }
    start = decodeContinue(request.continueToken);
    if (start.rv > 0) snapshot = start.rv;
  } else if (request.resourceVersion && request.resourceVersion !== '0') {
    const asked = parseVersion(request.resourceVersion);
    if (asked > current) throw tooLargeResourceVersion(asked, current);
    if (request.resourceVersionMatch === 'Exact') snapshot = asked;
  }

  let objects: KubeObject[];
  if (snapshot === undefined || snapshot >= current) {
    objects = store.list(request.type, request.namespace);
  } else {
    const at = objectsAt(store, request.type, request.namespace, snapshot);
    if (at === 'expired') {
      if (!start) throw tooOld();
      throw new ApiError(410, 'Expired', CONTINUE_EXPIRED, undefined, {
        continue: encodeContinue({ ...start, rv: -1 }),
      });
    }
    objects = at;
  }
  const version = snapshot ?? current;
  // The objects are in key order: a page starts at the first key after the token's, found by
  // bisection, and reads only as far as it needs.
  let index = start ? firstAfter(objects, start) : 0;
  const limit = request.limit !== undefined && request.limit > 0 ? request.limit : undefined;
  const size = limit === undefined ? Infinity : Math.min(limit, MAX_LIST_LIMIT);
  const items: KubeObject[] = [];
  for (; index < objects.length && items.length < size; index++) {
    const o = objects[index] as KubeObject;
    if (request.match(o)) items.push(o);
  }
  let more = false;
  for (let i = index; i < objects.length && !more; i++)
    more = request.match(objects[i] as KubeObject);
  let continueToken: string | undefined;
  let remaining: number | undefined;
  if (more) {
    const last = items[items.length - 1] as KubeObject;
    continueToken = encodeContinue({
      rv: version,
      namespace: last.metadata.namespace ?? '',
      name: last.metadata.name ?? '',
    });
    // As the API server: counted only where no selector filters the list.
    if (!request.selective) remaining = objects.length - index;
  }
  return { items, resourceVersion: String(version), continueToken, remaining };
}
