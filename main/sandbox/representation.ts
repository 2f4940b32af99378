import type { KubeObject } from './kube-types';
import { apiVersionOf, type ResourceType } from './resource-types';
import { toTable, type IncludeObject } from './table';
import { toServedVersion } from './version-conversion';

/**
 * How objects go on the wire, as the client's Accept header asks: plain JSON (a `<Kind>List` for
 * lists), kubectl's server-side Table (`as=Table;g=meta.k8s.io`) or PartialObjectMetadata; in
 * the version the route serves.
 */

export interface MediaRequest {
  table?: { version: string };
  partialMetadata?: { version: string; list: boolean };
}

/** Reads the Accept header the way content negotiation does: the first acceptable type wins. */
export function negotiate(accept: string | undefined): MediaRequest {
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = new Map(params.map((x) => x.split('=') as [string, string]));
    if (type === 'application/json' || type === '*/*' || type === 'application/*') {
      const as = p.get('as');
      if (as === 'Table' && p.get('g') === 'meta.k8s.io')
        return { table: { version: p.get('v') ?? 'v1' } };
      if (
        (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') &&
        p.get('g') === 'meta.k8s.io'
      ) {
        return {
          partialMetadata: {
            version: p.get('v') ?? 'v1',
            list: as === 'PartialObjectMetadataList',
          },
        };
      }
      if (!as) return {};
    }
  }
  return {};
}

export function renderObjects(
  type: ResourceType,
  objects: KubeObject[],
  media: MediaRequest,
  q: URLSearchParams,
  asList: boolean,
  listMeta: { resourceVersion?: string; continueToken?: string; remaining?: number } = {},
): unknown {
  objects = objects.map((o) => toServedVersion(type, o));
  if (media.table) {
    const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;
    return toTable(type, objects, {
      include: include === 'None' || include === 'Object' ? include : 'Metadata',
      apiVersion: `meta.k8s.io/${media.table.version}`,
      resourceVersion: listMeta.resourceVersion,
      continueToken: listMeta.continueToken,
    });
  }
  if (media.partialMetadata) {
    const apiVersion = `meta.k8s.io/${media.partialMetadata.version}`;
    const items = objects.map((o) => ({
      kind: 'PartialObjectMetadata',
      apiVersion,
      metadata: o.metadata,
    }));
    if (!asList) return items[0];
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion,
      metadata: { resourceVersion: listMeta.resourceVersion },
      items,
    };
  }
  if (!asList) return objects[0];
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: {
      resourceVersion: listMeta.resourceVersion,
      ...(listMeta.continueToken
        ? { continue: listMeta.continueToken, remainingItemCount: listMeta.remaining }
        : {}),
    },
    items: objects,
  };
}

/** The renderer of each object on a watch stream: a one-row Table for kubectl, or as listed. */
export function watchRenderer(
  type: ResourceType,
  media: MediaRequest,
  q: URLSearchParams,
): (object: KubeObject) => unknown {
  return media.table
    ? (o: KubeObject) =>
        toTable(type, [o], {
          include: (q.get('includeObject') as IncludeObject | null) ?? 'Metadata',
          apiVersion: `meta.k8s.io/${media.table?.version ?? 'v1'}`,
        })
    : media.partialMetadata
      ? (o: KubeObject) => ({
          kind: 'PartialObjectMetadata',
          apiVersion: `meta.k8s.io/${media.partialMetadata?.version ?? 'v1'}`,
          metadata: o.metadata,
        })
      : (o: KubeObject) => o;
}
