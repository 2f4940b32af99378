import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError, badRequest } from './api-errors';

/**
 * The three patch types the API server accepts, applied to an object's JSON:
 * - JSON merge patch (RFC 7386): maps merge, `null` deletes, lists are replaced;
 * - strategic merge patch: as merge patch, but lists of named things (containers, env, ports,
 *   volumes, conditions, ...) merge element by element on their merge key, with the `$patch`,
 *   `$setElementOrder/...`, `$retainKeys` and `$deleteFromPrimitiveList/...` directives kubectl
 *   sends;
 * - JSON patch (RFC 6902), through fast-json-patch.
 */

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value) as Json;
  }
  return out;
}

/** Lists merged element by element, and the field that identifies an element. */
function mergeKeyFor(field: string, items: Json[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'ports':
      // Container ports merge on containerPort, Service ports on port.
      return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
    default:
      return undefined;
  }
}

/** Primitive lists that merge as sets rather than being replaced. */
const PRIMITIVE_MERGE_LISTS = new Set(['finalizers']);

function strategicList(field: string, original: Json | undefined, patch: Json[]): Json[] {
  const base = Array.isArray(original) ? original : [];
  const replace = patch.find((p) => isObject(p) && p['$patch'] === 'replace');
  if (replace !== undefined) {
    return patch.filter((p) => !(isObject(p) && p['$patch'] === 'replace'));
  }
  if (patch.every((p) => !isObject(p))) {
    if (!PRIMITIVE_MERGE_LISTS.has(field)) return patch;
    const merged = [...base];
    for (const p of patch) if (!merged.includes(p)) merged.push(p);
    return merged;
  }
  const key = mergeKeyFor(field, [...base, ...patch]);
  if (!key) {
    return patch.map((p) => (isObject(p) ? (strategicMerge(undefined, p) as Json) : p));
  }
  const out: Json[] = [...base];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const id = item[key];
    const index = out.findIndex((o) => isObject(o) && o[key] === id);
    if (item['$patch'] === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMerge(out[index], item) as Json;
    else out.push(strategicMerge(undefined, item) as Json);
  }
  return out;
}

function orderBy(list: Json[], order: Json[], key: string | undefined): Json[] {
  const idOf = (item: Json): Json => (key && isObject(item) ? (item[key] ?? null) : item);
  const ordered: Json[] = [];
  const rest = [...list];
  for (const want of order) {
    const wantId = key && isObject(want) ? (want[key] ?? null) : want;
    const i = rest.findIndex((item) => idOf(item) === wantId);
    if (i >= 0) ordered.push(...rest.splice(i, 1));
  }
  return [...ordered, ...rest];
}

export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return strategicMerge(undefined, rest);
  }
  const out: JsonObject = isObject(target) ? { ...target } : {};
  const orders: [string, Json[]][] = [];
  let retainKeys: string[] | undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (key === '$retainKeys') {
      if (Array.isArray(value))
        retainKeys = value.filter((v): v is string => typeof v === 'string');
      continue;
    }
    if (key.startsWith('$setElementOrder/')) {
      if (Array.isArray(value)) orders.push([key.slice('$setElementOrder/'.length), value]);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        out[field] = current.filter((c) => !value.includes(c));
      }
      continue;
    }
    if (value === null) {
      delete out[key];
    } else if (Array.isArray(value)) {
      out[key] = strategicList(key, out[key], value);
    } else if (isObject(value)) {
      const merged = strategicMerge(out[key], value);
      if (merged === undefined) delete out[key];
      else out[key] = merged as Json;
    } else {
      out[key] = value;
    }
  }
  for (const [field, order] of orders) {
    const list = out[field];
    if (Array.isArray(list)) out[field] = orderBy(list, order, mergeKeyFor(field, list));
  }
  if (retainKeys) {
    for (const key of Object.keys(out)) if (!retainKeys.includes(key)) delete out[key];
  }
  return out;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  try {
    const result = fastJsonPatch.applyPatch(
      structuredClone(target),
      operations as Operation[],
      true,
      true,
    );
    return result.newDocument;
  } catch (e) {
    // The API server answers a patch that cannot apply (a failed test, a missing path) with 422.
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ApiError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${message}`,
    );
  }
}

/** Applies a patch of the given Content-Type; 415 for a type the sandbox does not speak. */
export function applyPatch(contentType: string, target: unknown, patch: unknown): unknown {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  switch (type) {
    case PATCH_TYPES.merge:
      if (!isObject(patch)) throw badRequest('a merge patch must be a JSON object');
      return mergePatch(target, patch);
    case PATCH_TYPES.strategic:
      if (!isObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
      return strategicMerge(target, patch);
    case PATCH_TYPES.json:
      return jsonPatch(target, patch);
    default:
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.json}, ${PATCH_TYPES.merge}, ${PATCH_TYPES.strategic}`,
      );
  }
}
