import { groupVersions, RESOURCE_TYPES } from './resource-types';
import { SERVER_VERSION } from './discovery';

/**
 * A minimal OpenAPI v3 (`/openapi/v3` and one document per group version): the paths and
 * operations of each served resource with their `x-kubernetes-group-version-kind`, and the
 * `fieldValidation` query parameter on writes. That is what kubectl reads to learn that the
 * server validates fields itself, so `kubectl apply -f` and `kubectl create -f` work without
 * `--validate=false`. There are no schemas: kubectl falls back to its built-in types where it
 * would use one (`kubectl explain` has nothing to explain).
 */

const HASH = 'sandbox0001';

export function openApiRoot(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const key = gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${HASH}` };
  }
  return { paths };
}

function queryParam(name: string): object {
  return { name, in: 'query', schema: { type: 'string', uniqueItems: true } };
}

export function openApiDocument(path: string): object | undefined {
  const gv = groupVersions().find(
    (g) => (g.group ? `apis/${g.group}/${g.version}` : `api/${g.version}`) === path,
  );
  if (!gv) return undefined;
  const prefix = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
  const paths: Record<string, object> = {};
  const responses = { '200': { description: 'OK' } };
  for (const t of RESOURCE_TYPES.filter((r) => r.group === gv.group && r.version === gv.version)) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const base = t.namespaced
      ? `${prefix}/namespaces/{namespace}/${t.resource}`
      : `${prefix}/${t.resource}`;
    const write = (action: string) => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: [queryParam('dryRun'), queryParam('fieldManager'), queryParam('fieldValidation')],
      responses,
    });
    const read = (action: string) => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses,
    });
    const collection: Record<string, object> = {};
    if (t.verbs.includes('list')) collection['get'] = read('list');
    if (t.verbs.includes('create')) collection['post'] = write('post');
    paths[base] = collection;
    const item: Record<string, object> = {};
    if (t.verbs.includes('get')) item['get'] = read('get');
    if (t.verbs.includes('update')) item['put'] = write('put');
    if (t.verbs.includes('patch')) item['patch'] = write('patch');
    if (t.verbs.includes('delete')) item['delete'] = read('delete');
    if (Object.keys(item).length > 0) paths[`${base}/{name}`] = item;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}
