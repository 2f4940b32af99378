import { badRequest } from './api-errors';
import schema from './field-schema.json';
import type { ResourceType } from './resource-types';

/**
 * Unknown fields in a write, judged as the API server judges them by `fieldValidation`:
 * `Strict` (what kubectl sends) refuses the request with 400 naming each field, `Warn` stores
 * the object without them and says so in `Warning` headers, and `Ignore` (or no parameter) drops
 * them silently. Never stored in any mode: the real server prunes what its schema does not know.
 *
 * Known fields come from field-schema.json, generated from client-node's models of each kind
 * (test/unit/sandbox/field-schema.test.ts keeps it in step), not from hand-written lists.
 */

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const MODES: readonly FieldValidation[] = ['Ignore', 'Strict', 'Warn'];

interface FieldSchema {
  roots: Record<string, string>;
  types: Record<string, Record<string, string>>;
}
const SCHEMA: FieldSchema = schema;

export function fieldValidationMode(q: URLSearchParams): FieldValidation {
  const value = q.get('fieldValidation');
  if (value === null || value === '') return 'Ignore';
  const mode = MODES.find((m) => m === value);
  if (!mode) {
    throw badRequest(
      `fieldValidation: Unsupported value: "${value}": supported values: ${MODES.map((m) => `"${m}"`).join(', ')}`,
    );
  }
  return mode;
}

/** The model a write's body is read as: the kind, or autoscaling/v1 Scale for `scale`. */
export function modelOf(type: ResourceType, subresource: string | undefined): string | undefined {
  if (subresource === 'scale') return SCHEMA.roots['autoscaling/v1/Scale'];
  if (subresource !== undefined && subresource !== 'status') return undefined;
  return SCHEMA.roots[`${type.group}/${type.version}/${type.kind}`];
}

export interface PrunedBody {
  body: unknown;
  /** Paths of the fields dropped, as the API server names them (`spec.template.spec.containers[0].x`). */
  unknown: string[];
}

/**
 * Drops the fields a model does not know, and names them. Keys starting with `$` (strategic
 * merge patch directives) are kept: they are instructions, not fields.
 */
export function pruneUnknownFields(model: string, body: unknown): PrunedBody {
  const unknown: string[] = [];
  const walk = (typeRef: string, value: unknown, at: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (typeRef.startsWith('[]')) {
      if (!Array.isArray(value)) return value;
      return value.map((v, i) => walk(typeRef.slice(2), v, `${at}[${i}]`));
    }
    if (typeRef.startsWith('{}')) {
      if (Array.isArray(value)) return value;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, walk(typeRef.slice(2), v, `${at}.${k}`)]),
      );
    }
    const fields = SCHEMA.types[typeRef];
    // Free-form (`any`, `object`, RawExtension) or a scalar in the wrong shape: not ours to judge.
    if (!fields || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const path = at ? `${at}.${k}` : k;
      const fieldType = fields[k];
      if (fieldType !== undefined) out[k] = walk(fieldType, v, path);
      else if (k.startsWith('$')) out[k] = v;
      else unknown.push(path);
    }
    return out;
  };
  const pruned = walk(model, body, '');
  return { body: unknown.length > 0 ? pruned : body, unknown };
}

export interface CheckedBody {
  body: unknown;
  /** `Warning` header values for `Warn` (299 warnings, as the API server sends them). */
  warnings: string[];
}

/**
 * A write's body as it may be stored: unknown fields pruned, refused (`Strict`) or warned of
 * (`Warn`), and so are duplicate ones (found in the text: `duplicate-fields.ts`; the last wins). `decodingPrefix` is the first part of the API server's message for the verb.
 */
export function checkFields(
  model: string | undefined,
  body: unknown,
  mode: FieldValidation,
  decodingPrefix: string,
  duplicates: string[] = [],
): CheckedBody {
  if (model === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { body, warnings: [] };
  }
  const { body: pruned, unknown } = pruneUnknownFields(model, body);
  const problems = [
    ...unknown.map((f) => `unknown field "${f}"`),
    ...duplicates.map((f) => `duplicate field "${f}"`),
  ];
  if (problems.length === 0) return { body, warnings: [] };
  if (mode === 'Strict') {
    throw badRequest(`${decodingPrefix}strict decoding error: ${problems.join(', ')}`);
  }
  const warnings = mode === 'Warn' ? problems.map((p) => `299 - ${JSON.stringify(p)}`) : [];
  return { body: pruned, warnings };
}

/** `Deployment in version "v1" cannot be handled as a Deployment: `, as create and update say. */
export function decodingPrefix(type: ResourceType): string {
  return `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: `;
}
