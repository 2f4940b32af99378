import type {
  KubernetesObject,
  V1Deployment,
  V1LimitRange,
  V1Node,
  V1Pod,
  V1ResourceQuota,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';

/**
 * What the watches keep of each object, from the API server's JSON (raw-list.ts, watch events):
 * the object with what nothing in ScaleDesk reads dropped, and the date-times it reads made Dates
 * as client-node's models type them. This replaces client-node's `ObjectSerializer.deserialize`,
 * which walked every field of every object to build model classes: a big cluster's first sync
 * spent most of its CPU and heap there.
 *
 * `metadata.managedFields` go everywhere (most of an object's bytes on a real cluster, read by
 * nobody here). A pod, the most numerous, is copied field by field to what the model, pod room
 * and the memory readings read (see slimPod: a new reading of a pod adds its field there); its
 * conditions keep their type, status, reason and message, not their times, and its start time
 * and container ids go. A Deployment or
 * StatefulSet is kept whole otherwise: operations read and patch its template. Of a node, its
 * image list goes.
 *
 * Objects are copied, or changed in place where nothing is dropped, never by `delete` on a kept
 * object: V8 then keeps it as a slow dictionary, and deleting was most of the cost of slimming.
 */

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object itself where it is one; else an empty object, which no key reads as anything. */
function objectOf(raw: unknown): Json {
  return isJson(raw) ? raw : {};
}

function each(value: unknown, fn: (item: Json) => void): void {
  if (Array.isArray(value)) for (const item of value) if (isJson(item)) fn(item);
}

/** The date-time fields named, as Dates (client-node's models type them so). */
function dates(object: unknown, ...fields: string[]): void {
  if (!isJson(object)) return;
  for (const field of fields) {
    const value = object[field];
    if (typeof value === 'string') object[field] = new Date(value);
  }
}

/** Only the fields named, those present: a fresh object, not the parsed one with holes. */
function pick(object: unknown, fields: readonly string[]): Json {
  const picked: Json = {};
  if (!isJson(object)) return picked;
  for (const field of fields) if (object[field] !== undefined) picked[field] = object[field];
  return picked;
}

function metadata(raw: unknown): Json {
  const meta = objectOf(raw);
  let kept = meta;
  if (meta['managedFields'] !== undefined) {
    const { managedFields: _dropped, ...rest } = meta;
    kept = rest;
  }
  dates(kept, 'creationTimestamp', 'deletionTimestamp');
  return kept;
}

/** The object with its metadata slimmed, in place. */
function withMetadata(object: Json): Json {
  if (object['metadata'] !== undefined) object['metadata'] = metadata(object['metadata']);
  return object;
}

/** Every condition's times as Dates: workloads' and nodes' conditions name them alike. */
function conditionDates(status: unknown): void {
  if (!isJson(status)) return;
  each(status['conditions'], (c) =>
    dates(c, 'lastTransitionTime', 'lastUpdateTime', 'lastProbeTime', 'lastHeartbeatTime'),
  );
}

/** A container's state (`state` or `lastState`): when it started, when it ended. */
function containerStateDates(state: unknown): void {
  if (!isJson(state)) return;
  dates(state['running'], 'startedAt');
  dates(state['terminated'], 'startedAt', 'finishedAt');
}

/** Any object: its managedFields dropped and its metadata dates as Dates. */
export function slimObject<T extends KubernetesObject>(raw: unknown): T {
  return withMetadata(objectOf(raw)) as T;
}

/** Of a pod's container: who it is, what it runs (the gunicorn command), its resources. */
const POD_CONTAINER_FIELDS = [
  'name',
  'image',
  'command',
  'args',
  'env',
  'ports',
  'resources',
  'restartPolicy',
] as const;
const POD_SPEC_FIELDS = ['nodeName', 'priority', 'overhead'] as const;
const POD_STATUS_FIELDS = [
  'phase',
  'reason',
  'message',
  'podIP',
  'hostIP',
  'qosClass',
  'resize',
] as const;
const POD_CONDITION_FIELDS = ['type', 'status', 'reason', 'message'] as const;
/** Of a container's status: not its image and container ids, long and read by nobody here. */
const CONTAINER_STATUS_FIELDS = [
  'name',
  'ready',
  'started',
  'restartCount',
  'state',
  'lastState',
  'image',
  'resources',
  'allocatedResources',
] as const;

function podContainers(value: unknown): Json[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((c) => pick(c, POD_CONTAINER_FIELDS));
}

/** Container statuses: their state, restarts and resources, dated. */
function containerStatuses(value: unknown): Json[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((raw) => {
    const status = pick(raw, CONTAINER_STATUS_FIELDS);
    containerStateDates(status['state']);
    containerStateDates(status['lastState']);
    return status;
  });
}

/**
 * A pod as ScaleDesk reads it: its metadata (labels, annotations, owners, times), its node and
 * containers (name, image, command, env, ports, resources), its phase, conditions, addresses and
 * container statuses. What the scheduler and kubelet alone read (volumes, probes, mounts,
 * affinity, tolerations, security contexts) is not kept.
 */
export function slimPod(raw: unknown): V1Pod {
  const source = objectOf(raw);
  const pod: Json = {};
  if (source['apiVersion'] !== undefined) pod['apiVersion'] = source['apiVersion'];
  if (source['kind'] !== undefined) pod['kind'] = source['kind'];
  pod['metadata'] = metadata(source['metadata']);
  if (isJson(source['spec'])) {
    const spec = pick(source['spec'], POD_SPEC_FIELDS);
    spec['containers'] = podContainers(source['spec']['containers']) ?? [];
    const init = podContainers(source['spec']['initContainers']);
    if (init) spec['initContainers'] = init;
    pod['spec'] = spec;
  }
  if (isJson(source['status'])) {
    const from = source['status'];
    const status = pick(from, POD_STATUS_FIELDS);
    if (Array.isArray(from['conditions'])) {
      status['conditions'] = from['conditions'].map((c) => pick(c, POD_CONDITION_FIELDS));
    }
    for (const list of ['containerStatuses', 'initContainerStatuses'] as const) {
      const statuses = containerStatuses(from[list]);
      if (statuses) status[list] = statuses;
    }
    pod['status'] = status;
  }
  return pod as V1Pod;
}

function slimWorkload(raw: unknown): Json {
  const workload = withMetadata(objectOf(raw));
  conditionDates(workload['status']);
  return workload;
}

export function slimDeployment(raw: unknown): V1Deployment {
  return slimWorkload(raw) as V1Deployment;
}

export function slimStatefulSet(raw: unknown): V1StatefulSet {
  return slimWorkload(raw) as V1StatefulSet;
}

export function slimService(raw: unknown): V1Service {
  return slimObject<V1Service>(raw);
}

export function slimResourceQuota(raw: unknown): V1ResourceQuota {
  return slimObject<V1ResourceQuota>(raw);
}

/** A LimitRange: its items' `default` is client-node's `_default` (`default` is a keyword). */
export function slimLimitRange(raw: unknown): V1LimitRange {
  const range = withMetadata(objectOf(raw));
  const spec = range['spec'];
  if (isJson(spec) && Array.isArray(spec['limits'])) {
    spec['limits'] = spec['limits'].map((item: unknown) => {
      if (!isJson(item) || !('default' in item)) return item;
      const { default: defaults, ...rest } = item;
      return { ...rest, _default: defaults };
    });
  }
  return range as V1LimitRange;
}

export function slimNode(raw: unknown): V1Node {
  const node = withMetadata(objectOf(raw));
  const status = node['status'];
  if (isJson(status)) {
    if (status['images'] !== undefined) {
      // Every image the node holds, with its size: a large part of a node, read by nobody here.
      const { images: _dropped, ...rest } = status;
      node['status'] = rest;
    }
    conditionDates(node['status']);
  }
  const spec = node['spec'];
  if (isJson(spec)) each(spec['taints'], (taint) => dates(taint, 'timeAdded'));
  return node as V1Node;
}
