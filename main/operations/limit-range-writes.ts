import { CoreV1Api, type V1LimitRange, type V1LimitRangeItem } from '@kubernetes/client-node';
import { quoteWord } from '../../shared/procfile';
import { toClusterError, withTimeout } from '../kube/cluster-errors';
import { quantityBytes } from '../model/memory-limits';
import type { SessionPort } from './session-port';

/**
 * The namespace's LimitRange as the default memory limit is read and written
 * (operations/memory-default.ts): the range whose Container default is the namespace's, an update
 * of it at its resourceVersion (or a new one where there is none), and the same change as a
 * kubectl command.
 */

export const SCALEDESK_LIMIT_RANGE = 'scaledesk-defaults';
const REQUEST_TIMEOUT_MS = 30_000;

export interface Target {
  session: SessionPort;
  namespace: string;
}

/** The LimitRange that sets the namespace default, and its Container item's index (-1: none). */
export interface DefaultRange {
  range: V1LimitRange;
  item: number;
  defaultBytes: number | null;
  defaultRequestBytes: number | null;
  defaultQuantity: string | null;
}

async function call<T>(
  target: Target,
  verb: string,
  name: string | undefined,
  request: (core: CoreV1Api) => Promise<T>,
): Promise<T> {
  const { kubeConfig, contextName } = target.session;
  try {
    return await withTimeout(request(kubeConfig.makeApiClient(CoreV1Api)), REQUEST_TIMEOUT_MS);
  } catch (error) {
    const server = kubeConfig.getCurrentCluster()?.server;
    throw toClusterError(error, {
      verb,
      resource: 'limitranges',
      namespace: target.namespace,
      ...(name ? { name } : {}),
      context: contextName,
      ...(server ? { server } : {}),
    });
  }
}

/**
 * The LimitRange whose Container default memory is the namespace's (the lowest, as the model
 * reads it: model/memory-limits.ts); else the first LimitRange, to which a default is added;
 * null where the namespace has none.
 */
export async function readDefaultRange(target: Target): Promise<DefaultRange | null> {
  const list = await call(target, 'list', undefined, (core) =>
    core.listNamespacedLimitRange({ namespace: target.namespace }),
  );
  let found: DefaultRange | null = null;
  for (const range of list.items) {
    for (const [index, item] of (range.spec?.limits ?? []).entries()) {
      if (item.type !== 'Container') continue;
      const quantity = item._default?.['memory'] ?? null;
      const bytes = quantityBytes(quantity);
      if (bytes === null || bytes <= 0) continue;
      if (found?.defaultBytes != null && found.defaultBytes <= bytes) continue;
      found = {
        range,
        item: index,
        defaultBytes: bytes,
        defaultRequestBytes: quantityBytes(item.defaultRequest?.['memory']) ?? bytes,
        defaultQuantity: quantity,
      };
    }
  }
  if (found) return found;
  const first = list.items[0];
  if (!first) return null;
  const item = (first.spec?.limits ?? []).findIndex((i) => i.type === 'Container');
  return {
    range: first,
    item,
    defaultBytes: null,
    defaultRequestBytes: null,
    defaultQuantity: null,
  };
}

/** The Container item with the new default and request, the item's other fields kept. */
function itemWith(item: V1LimitRangeItem | undefined, limit: string, request: string | null) {
  const next: V1LimitRangeItem = { ...(item ?? {}), type: 'Container' };
  next._default = { ...(item?._default ?? {}), memory: limit };
  if (request !== null) next.defaultRequest = { ...(item?.defaultRequest ?? {}), memory: request };
  return next;
}

/** The same change from a terminal. */
export function commandFor(
  target: Target,
  range: DefaultRange | null,
  limit: string,
  request: string | null,
): string {
  const scope = `-n ${quoteWord(target.namespace)} --context ${quoteWord(target.session.contextName)}`;
  if (!range) {
    const body = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: SCALEDESK_LIMIT_RANGE },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { memory: limit },
            ...(request === null ? {} : { defaultRequest: { memory: request } }),
          },
        ],
      },
    };
    return `echo ${quoteWord(JSON.stringify(body))} | kubectl create -f - ${scope}`;
  }
  const base = range.item < 0 ? null : `/spec/limits/${range.item}`;
  const ops = base
    ? [
        { op: 'add', path: `${base}/default/memory`, value: limit },
        ...(request === null
          ? []
          : [{ op: 'add', path: `${base}/defaultRequest/memory`, value: request }]),
      ]
    : [
        {
          op: 'add',
          path: '/spec/limits/-',
          value: {
            type: 'Container',
            default: { memory: limit },
            ...(request === null ? {} : { defaultRequest: { memory: request } }),
          },
        },
      ];
  const name = range.range.metadata?.name ?? '';
  return `kubectl patch limitrange ${quoteWord(name)} --type=json -p ${quoteWord(JSON.stringify(ops))} ${scope}`;
}

/** Writes the default into the range read (update at its resourceVersion), or creates one. */
export function write(
  target: Target,
  range: DefaultRange | null,
  limit: string,
  request: string | null,
  force: boolean,
): Promise<unknown> {
  const namespace = target.namespace;
  if (!range) {
    const body: V1LimitRange = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: SCALEDESK_LIMIT_RANGE, namespace },
      spec: { limits: [itemWith(undefined, limit, request)] },
    };
    return call(target, 'create', SCALEDESK_LIMIT_RANGE, (core) =>
      core.createNamespacedLimitRange({ namespace, body, fieldManager: 'scaledesk' }),
    );
  }
  const limits = [...(range.range.spec?.limits ?? [])];
  if (range.item < 0) limits.push(itemWith(undefined, limit, request));
  else limits[range.item] = itemWith(limits[range.item], limit, request);
  const name = range.range.metadata?.name ?? '';
  const metadata = { ...range.range.metadata };
  // "Apply anyway": written over whatever is there, so no version guards it.
  if (force) delete metadata.resourceVersion;
  const body: V1LimitRange = { ...range.range, metadata, spec: { ...range.range.spec, limits } };
  return call(target, 'update', name, (core) =>
    core.replaceNamespacedLimitRange({ name, namespace, body, fieldManager: 'scaledesk' }),
  );
}
