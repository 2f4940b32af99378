import { invalid } from './api-errors';
import type { KubeObject } from './kube-types';

/**
 * `metadata.managedFields` as the API server keeps them for Update operations (server-side
 * apply is not served): each write is recorded under its field manager, which takes the fields
 * the write set or changed from every other manager; fields the write removed leave every
 * manager; a manager left owning nothing is dropped. That is how `kubectl get -o yaml
 * --show-managed-fields` tells who last set `spec.replicas` (`kubectl-scale`, or
 * `kube-controller-manager` through the scale subresource for an HPA).
 *
 * Cheap by construction: one walk over the written object against the stored one; the other
 * managers' sets are touched only where this write changed or removed something.
 */

export type FieldsV1 = { [key: string]: FieldsV1 };

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Update' | 'Apply';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

/** Who writes, and through which URL: the subresource decides which part of the object counts. */
export interface FieldWrite {
  manager: string;
  apiVersion: string;
  time: string;
  subresource?: string;
  /** Whether the kind has a status subresource (then the main resource's writes own no status). */
  statusIsSubresource: boolean;
}

/** The longest fieldManager the API server accepts. */
export const MAX_FIELD_MANAGER_LENGTH = 128;

/** Paths are the fieldsV1 keys from the root, joined by a character no key contains. */
const SEP = '\u0000';

/** Metadata the server owns: never part of anybody's fields. */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/**
 * The manager of a write: the `fieldManager` query parameter, or else the User-Agent up to its
 * first `/` (what `prefixFromUserAgent` takes). Too long a name is 422, as upstream.
 */
export function fieldManagerOf(
  options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions',
  given: string | null,
  userAgent: string | undefined,
): string {
  if (given !== null && given.length > MAX_FIELD_MANAGER_LENGTH) {
    throw invalid(options, 'meta.k8s.io', '', [
      {
        reason: 'FieldValueTooLong',
        message: `Too long: may not be more than ${MAX_FIELD_MANAGER_LENGTH} bytes`,
        field: 'fieldManager',
      },
    ]);
  }
  if (given) return given;
  // Upstream's prefixFromUserAgent: up to the first `/`, printable, at most the limit.
  const prefix = ((userAgent ?? '').split('/')[0] ?? '').replace(/[^\x20-\x7e]/g, '');
  return prefix.slice(0, MAX_FIELD_MANAGER_LENGTH);
}

type Json = Record<string, unknown>;

/**
 * Fields whose own presence is owned (`.`), as the schema makes them: string maps and optional
 * (pointer) structs. Plain structs (spec, template, metadata) own nothing by themselves.
 */
const OWNED_CONTAINERS = new Set([
  'labels',
  'annotations',
  'matchLabels',
  'nodeSelector',
  'limits',
  'requests',
  'rollingUpdate',
  'data',
]);

/** A LabelSelector is atomic (structType=atomic): owned whole, as `f:selector: {}`. */
function isAtomic(key: string, value: Json): boolean {
  return key === 'selector' && ('matchLabels' in value || 'matchExpressions' in value);
}

function isMap(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The key of an element in the lists Kubernetes merges by key; undefined for atomic lists. */
function elementKey(element: unknown): string | undefined {
  if (!isMap(element)) return undefined;
  if (typeof element['containerPort'] === 'number') {
    return `k:${JSON.stringify({ containerPort: element['containerPort'], protocol: element['protocol'] ?? 'TCP' })}`;
  }
  if (typeof element['port'] === 'number') {
    return `k:${JSON.stringify({ port: element['port'], protocol: element['protocol'] ?? 'TCP' })}`;
  }
  if (typeof element['uid'] === 'string') return `k:${JSON.stringify({ uid: element['uid'] })}`;
  if (typeof element['name'] === 'string') return `k:${JSON.stringify({ name: element['name'] })}`;
  return undefined;
}

function keyedElements(list: unknown[]): Map<string, unknown> | undefined {
  const out = new Map<string, unknown>();
  for (const element of list) {
    const key = elementKey(element);
    if (key === undefined) return undefined;
    out.set(key, element);
  }
  return out;
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}${SEP}${key}`;
}

/**
 * Collects the paths `after` sets anew or differently from `before`, and those it drops.
 * `key` is the field's own name (`.` ownership and atomic structs depend on it); `element`
 * marks an element of a keyed list, whose presence is always owned.
 */
function diff(
  before: unknown,
  after: unknown,
  prefix: string,
  changed: string[],
  removed: string[],
  key = '',
  element = false,
): void {
  if (isMap(after) && Object.keys(after).length > 0 && !isAtomic(key, after)) {
    // A service's selector is a plain string map: its presence is owned like labels'.
    const owned = element || OWNED_CONTAINERS.has(key) || key === 'selector';
    const old = isMap(before) ? before : undefined;
    if (!old && owned) changed.push(join(prefix, '.'));
    for (const [field, value] of Object.entries(after)) {
      if (value === undefined) continue;
      diff(old?.[field], value, join(prefix, `f:${field}`), changed, removed, field);
    }
    if (old) {
      for (const field of Object.keys(old)) {
        if (after[field] === undefined && old[field] !== undefined)
          removed.push(join(prefix, `f:${field}`));
      }
    }
    return;
  }
  const keyed = Array.isArray(after) ? keyedElements(after) : undefined;
  if (keyed && keyed.size > 0) {
    const old = Array.isArray(before) ? keyedElements(before) : undefined;
    for (const [k, item] of keyed) {
      diff(old?.get(k), item, join(prefix, k), changed, removed, '', true);
    }
    for (const k of old?.keys() ?? []) if (!keyed.has(k)) removed.push(join(prefix, k));
    return;
  }
  if (before === undefined || JSON.stringify(before) !== JSON.stringify(after))
    changed.push(prefix);
}

/** The part of an object a write through `subresource` may set. */
function writable(object: KubeObject | undefined, write: FieldWrite): Json | undefined {
  if (!object) return undefined;
  if (write.subresource === 'scale') {
    const spec = object['spec'];
    return { spec: { replicas: isMap(spec) ? spec['replicas'] : undefined } };
  }
  if (write.subresource === 'status') return { status: object['status'] };
  const metadata: Json = {};
  for (const [key, value] of Object.entries(object.metadata)) {
    if (!SERVER_METADATA.has(key)) metadata[key] = value;
  }
  const out: Json = { metadata };
  for (const [key, value] of Object.entries(object)) {
    if (key === 'metadata' || key === 'apiVersion' || key === 'kind') continue;
    if (key === 'status' && write.statusIsSubresource) continue;
    out[key] = value;
  }
  return out;
}

function toPaths(fields: FieldsV1, prefix: string, out: Set<string>): Set<string> {
  for (const [key, value] of Object.entries(fields)) {
    const path = join(prefix, key);
    if (Object.keys(value).length === 0) out.add(path);
    else toPaths(value, path, out);
  }
  return out;
}

function toFields(paths: Iterable<string>): FieldsV1 {
  const root: FieldsV1 = {};
  for (const path of paths) {
    let node = root;
    for (const key of path.split(SEP)) node = node[key] ??= {};
  }
  return root;
}

function identity(
  e: Pick<ManagedFieldsEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>,
): string {
  return [e.manager, e.operation, e.apiVersion, e.subresource ?? ''].join(SEP);
}

/** The order the API server keeps them in: by operation, then time, manager, version. */
function byServerOrder(a: ManagedFieldsEntry, b: ManagedFieldsEntry): number {
  const key = (e: ManagedFieldsEntry): string[] => [
    e.operation,
    String(Math.floor(Date.parse(e.time) / 1000)).padStart(12, '0'),
    e.manager,
    e.apiVersion,
    e.subresource ?? '',
  ];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return (ka[i] ?? '') < (kb[i] ?? '') ? -1 : 1;
  }
  return 0;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}${SEP}`);
}

/**
 * The managedFields after a write of `next` over `previous` (undefined on create) by
 * `write.manager`. Returns the stored list untouched when the write changed no field.
 */
export function recordWrite(
  previous: KubeObject | undefined,
  next: KubeObject,
  write: FieldWrite,
): ManagedFieldsEntry[] | undefined {
  const entries = (previous?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
  const changed: string[] = [];
  const removed: string[] = [];
  diff(writable(previous, write), writable(next, write), '', changed, removed);
  if (changed.length === 0 && removed.length === 0) return entries.length > 0 ? entries : undefined;
  const taken = new Set(changed);
  const own = identity({ ...write, operation: 'Update' });
  const out: ManagedFieldsEntry[] = [];
  let mine: Set<string> | undefined;
  for (const entry of entries) {
    const paths = toPaths(entry.fieldsV1 ?? {}, '', new Set());
    const before = paths.size;
    for (const path of [...paths]) {
      if (taken.has(path) || removed.some((r) => isUnder(path, r))) paths.delete(path);
    }
    if (identity(entry) === own) {
      mine = paths;
      continue;
    }
    if (paths.size === 0) continue;
    out.push(paths.size === before ? entry : { ...entry, fieldsV1: toFields(paths) });
  }
  mine ??= new Set();
  for (const path of changed) mine.add(path);
  if (mine.size > 0) {
    out.push({
      manager: write.manager,
      operation: 'Update',
      apiVersion: write.apiVersion,
      time: write.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFields(mine),
      ...(write.subresource ? { subresource: write.subresource } : {}),
    });
  }
  return out.length > 0 ? out.sort(byServerOrder) : undefined;
}

const WRITE_OPTIONS: Record<string, 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'> = {
  create: 'CreateOptions',
  update: 'UpdateOptions',
  patch: 'PatchOptions',
};

/** The field manager of a request: undefined for verbs that record no fields (reads, deletes). */
export function fieldManagerFor(
  verb: string,
  query: URLSearchParams,
  userAgent: string | undefined,
): string | undefined {
  const options = WRITE_OPTIONS[verb];
  return options ? fieldManagerOf(options, query.get('fieldManager'), userAgent) : undefined;
}
