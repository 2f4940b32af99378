import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as clientNode from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../../main/sandbox/resource-types';

/**
 * main/sandbox/field-schema.json is every field the API server knows of the kinds the sandbox
 * stores, taken from client-node's generated models (their `attributeTypeMap`s, which come from
 * the Kubernetes OpenAPI). The sandbox is bundled apart and does not load client-node, so the
 * schema is a file; this test fails when it differs from what the installed client-node gives,
 * and `UPDATE_FIELD_SCHEMA=1 npx vitest run test/unit/sandbox/field-schema.test.ts` rewrites it.
 */

const schemaPath = path.resolve(import.meta.dirname, '../../../main/sandbox/field-schema.json');

interface Model {
  attributeTypeMap?: { baseName: string; type: string }[];
}
const models = clientNode as unknown as Record<string, Model | undefined>;

/** client-node's class for a kind: `V1Pod`, `V2HorizontalPodAutoscaler`; core Event is `CoreV1Event`. */
function modelName(version: string, kind: string): string {
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  return models[name]?.attributeTypeMap ? name : `Core${name}`;
}

function buildSchema(): {
  roots: Record<string, string>;
  types: Record<string, Record<string, string>>;
} {
  const types: Record<string, Record<string, string>> = {};
  const typeRef = (t: string): string => {
    const array = /^Array<(.+)>$/.exec(t);
    if (array) return `[]${typeRef(array[1] ?? '')}`;
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
    if (map) return `{}${typeRef(map[1] ?? '')}`;
    if (models[t]?.attributeTypeMap) visit(t);
    return t;
  };
  const visit = (name: string): void => {
    if (types[name]) return;
    const fields: Record<string, string> = {};
    types[name] = fields;
    for (const a of models[name]?.attributeTypeMap ?? []) fields[a.baseName] = typeRef(a.type);
  };
  const roots: Record<string, string> = {};
  const kinds = [
    ...RESOURCE_TYPES.filter((t) => t.stored),
    { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  ];
  for (const t of kinds) {
    const name = modelName(t.version, t.kind);
    if (!models[name]?.attributeTypeMap) throw new Error(`client-node has no model for ${t.kind}`);
    roots[`${t.group}/${t.version}/${t.kind}`] = name;
    visit(name);
  }
  const sorted = Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b)));
  return { roots, types: sorted };
}

describe('the field schema the sandbox validates bodies with', () => {
  it('is what the installed client-node models describe', () => {
    const built = buildSchema();
    if (process.env['UPDATE_FIELD_SCHEMA'] === '1') {
      writeFileSync(schemaPath, `${JSON.stringify(built, null, 2)}\n`);
    }
    const stored: unknown = JSON.parse(readFileSync(schemaPath, 'utf8'));
    expect(stored).toEqual(built);
  });

  it('knows spec.replicas of a Deployment and no spec.replica', () => {
    const { roots, types } = buildSchema();
    const deployment = types[roots['apps/v1/Deployment'] ?? ''] ?? {};
    const spec = types[deployment['spec'] ?? ''] ?? {};
    expect(spec['replicas']).toBe('number');
    expect(spec['replica']).toBeUndefined();
  });
});
