import { badRequest } from './api-errors';
import type { KubeObject } from './kube-types';
import type { ResourceType } from './resource-types';
import { fieldValue, parseFieldSelector, type Matcher } from './selectors';

/**
 * Field selectors as the API server allows them: each resource has its own short list of
 * selectable fields (its registry strategy's GetAttrs), and any other label is refused with 400
 * `field label not supported: <label>`. A client that filters on, say, `spec.replicas` works
 * nowhere but here, so the sandbox refuses it too.
 */

type Accessor = (object: KubeObject) => string;

const path =
  (p: string): Accessor =>
  (o) =>
    fieldValue(o, p);
/** Go formats a bool field as "true"/"false"; an absent one is false. */
const bool =
  (p: string): Accessor =>
  (o) =>
    fieldValue(o, p) === 'true' ? 'true' : 'false';
/** An absent integer is 0 in Go. */
const int =
  (p: string): Accessor =>
  (o) =>
    fieldValue(o, p) || '0';
/** The pod's first IP: what both `status.podIP` and `status.podIPs` select on. */
const podIP: Accessor = (o) => {
  const ips = (o['status'] as { podIPs?: { ip?: string }[] } | undefined)?.podIPs;
  return ips?.[0]?.ip ?? fieldValue(o, 'status.podIP');
};

const COMMON = ['metadata.name', 'metadata.namespace'];

/** Selectable fields beyond name and namespace, by `group/resource`. */
const SELECTABLE: Record<string, Record<string, Accessor>> = {
  '/pods': {
    'spec.nodeName': path('spec.nodeName'),
    'spec.restartPolicy': path('spec.restartPolicy'),
    'spec.schedulerName': path('spec.schedulerName'),
    'spec.serviceAccountName': path('spec.serviceAccountName'),
    'spec.hostNetwork': bool('spec.hostNetwork'),
    'status.phase': path('status.phase'),
    'status.podIP': podIP,
    'status.podIPs': podIP,
    'status.nominatedNodeName': path('status.nominatedNodeName'),
  },
  '/events': {
    ...Object.fromEntries(
      ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map(
        (f) => [`involvedObject.${f}`, path(`involvedObject.${f}`)],
      ),
    ),
    reason: path('reason'),
    reportingComponent: path('reportingComponent'),
    source: path('source.component'),
    type: path('type'),
  },
  '/nodes': { 'spec.unschedulable': bool('spec.unschedulable') },
  '/secrets': { type: path('type') },
  'apps/replicasets': { 'status.replicas': int('status.replicas') },
  '/replicationcontrollers': { 'status.replicas': int('status.replicas') },
  '/namespaces': { 'status.phase': path('status.phase') },
};

/** The field labels a resource may be selected on. */
export function selectableFields(type: Pick<ResourceType, 'group' | 'resource'>): string[] {
  return [...COMMON, ...Object.keys(SELECTABLE[`${type.group}/${type.resource}`] ?? {})];
}

function accessorFor(type: Pick<ResourceType, 'group' | 'resource'>, label: string): Accessor {
  if (COMMON.includes(label)) return path(label);
  const accessor = SELECTABLE[`${type.group}/${type.resource}`]?.[label];
  if (!accessor) throw badRequest(`field label not supported: ${label}`);
  return accessor;
}

/** The matcher of a `fieldSelector=` for one resource; undefined where there is none. */
export function fieldSelectorMatcher(
  type: Pick<ResourceType, 'group' | 'resource'>,
  text: string | null | undefined,
): Matcher | undefined {
  if (!text) return undefined;
  const terms = parseFieldSelector(text).map((t) => ({ ...t, get: accessorFor(type, t.path) }));
  return (object) => terms.every((t) => (t.get(object) === t.value) !== t.negate);
}
