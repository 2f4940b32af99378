import { badRequest } from './api-errors';
import type { KubeObject, ObjectMeta, OwnerReference } from './kube-types';
import type { StoreEvent, StoreReader, StoreWriter } from './object-store';
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from './resource-types';
import { timestamp } from './timestamps';

/**
 * Cascading deletion as the API server and kube-controller-manager's garbage collector do it:
 *
 * - Background (the default): the owner goes at once, its dependents right after.
 * - Foreground: the owner stays, readable and watchable, with a deletionTimestamp and the
 *   `foregroundDeletion` finalizer, while its dependents are deleted (in foreground too); once
 *   none that blocks (blockOwnerDeletion) is left, the finalizer goes and so does the owner.
 * - Orphan: the dependents lose their reference to the owner and stay.
 *
 * An object carrying other finalizers is only marked; it goes when its last finalizer is removed.
 */

export type Propagation = 'Foreground' | 'Background' | 'Orphan';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';

export interface PropagationOptions {
  propagationPolicy?: string;
  orphanDependents?: boolean;
}

/** The policy a delete asks for; an unknown one is refused as upstream refuses it. */
export function propagationOf(options: PropagationOptions): Propagation {
  const policy = options.propagationPolicy;
  if (policy === undefined || policy === '') {
    return options.orphanDependents === true ? 'Orphan' : 'Background';
  }
  if (policy === 'Foreground' || policy === 'Background' || policy === 'Orphan') return policy;
  throw badRequest(
    `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
  );
}

export interface Dependent {
  type: ResourceType;
  object: KubeObject;
  ref: OwnerReference;
}

/** Every object that names `owner` among its owners (dependents live in the owner's namespace). */
export function dependentsOf(store: StoreReader, owner: KubeObject): Dependent[] {
  const uid = owner.metadata.uid;
  const namespace = owner.metadata.namespace;
  if (!uid || namespace === undefined) return [];
  const out: Dependent[] = [];
  for (const type of RESOURCE_TYPES) {
    if (!type.stored || !type.namespaced || type.version !== preferredVersion(type)) continue;
    for (const object of store.each(type, namespace)) {
      const ref = object.metadata.ownerReferences?.find((r) => r.uid === uid);
      if (ref) out.push({ type, object, ref });
    }
  }
  return out;
}

/** One stored keyspace may be served in several versions (HPAs): visit it once. */
function preferredVersion(type: ResourceType): string {
  return (
    RESOURCE_TYPES.find((t) => t.group === type.group && t.resource === type.resource)?.version ??
    type.version
  );
}

/** Takes the owner's reference off each dependent, which then stays. */
export function orphanDependents(store: StoreWriter, owner: KubeObject): void {
  for (const { type, object } of dependentsOf(store, owner)) {
    const refs = (object.metadata.ownerReferences ?? []).filter(
      (r) => r.uid !== owner.metadata.uid,
    );
    const metadata: ObjectMeta = { ...object.metadata, ownerReferences: refs };
    if (refs.length === 0) delete metadata.ownerReferences;
    store.update(type, { ...object, metadata });
  }
}

/** The owner marked for deletion: deletionTimestamp, the finalizers it waits on, a new generation. */
export function markDeleted(
  store: StoreWriter,
  type: ResourceType,
  current: KubeObject,
  finalizers: string[],
  now: Date,
): KubeObject {
  const generation = current.metadata.generation;
  return store.update(type, {
    ...current,
    metadata: {
      ...current.metadata,
      deletionTimestamp: timestamp(now),
      deletionGracePeriodSeconds: 0,
      finalizers,
      ...(generation !== undefined ? { generation: generation + 1 } : {}),
    },
  });
}

function typeOfReference(ref: OwnerReference): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (t) => t.stored && t.kind === ref.kind && apiVersionOf(t) === ref.apiVersion,
  );
}

/**
 * Ends a foreground deletion whose blocking dependents are all gone: the finalizer comes off,
 * and the object goes where it was the last one.
 */
export function finishForeground(store: StoreWriter, type: ResourceType, owner: KubeObject): void {
  if (!owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return;
  if (dependentsOf(store, owner).some((d) => d.ref.blockOwnerDeletion)) return;
  const finalizers = owner.metadata.finalizers.filter((f) => f !== FOREGROUND_FINALIZER);
  const namespace = owner.metadata.namespace ?? '';
  if (finalizers.length === 0) {
    store.remove(type, namespace, owner.metadata.name ?? '');
    return;
  }
  store.update(type, { ...owner, metadata: { ...owner.metadata, finalizers } });
}

/**
 * The collector's watch: when a dependent goes, an owner waiting in foreground for it may go too.
 * Removals cascade up by themselves (a ReplicaSet removed is a dependent gone for its Deployment).
 */
export class GarbageCollector {
  constructor(private readonly store: StoreWriter) {}

  onStoreEvent(event: StoreEvent): void {
    if (event.type !== 'DELETED') return;
    for (const ref of event.object.metadata.ownerReferences ?? []) {
      const type = typeOfReference(ref);
      if (!type) continue;
      const owner = this.store.get(type, type.namespaced ? event.namespace : '', ref.name);
      if (!owner || owner.metadata.uid !== ref.uid || !owner.metadata.deletionTimestamp) continue;
      finishForeground(this.store, type, owner);
    }
  }
}
