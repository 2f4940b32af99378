import { randomBytes } from 'node:crypto';
import {
  ApiError,
  badRequest,
  conflict,
  notFound,
  successStatus,
  type StatusBody,
} from './api-errors';
import { applyCreateDefaults } from './defaults';
import { checkDisruptionBudgets, evictionAccepted, evictionOptions } from './eviction';
import {
  dependentsOf,
  FOREGROUND_FINALIZER,
  finishForeground,
  markDeleted,
  orphanDependents,
  propagationOf,
} from './garbage-collector';
import type { Deployment, KubeObject, LimitRange, Pod } from './kube-types';
import { admitLimitRanges, applyLimitRangeDefaults, limitRangeDefaults } from './limit-range';
import { DryRunStore, type ObjectStore, type StoreWriter } from './object-store';
import { recordWrite } from './managed-fields';
import { applyPatch } from './patch';
import { admitPod } from './resource-quota';
import { apiVersionOf, TYPES, type ResourceType } from './resource-types';
import { selectorString } from './selectors';
import { invalidObject, updateCauses, validate, validateScaleReplicas } from './validation';
import { timestamp } from './timestamps';
import { toServedVersion, toStorageVersion } from './version-conversion';

/**
 * The REST semantics of each resource on top of the store, as the API server's registry gives
 * them: defaults and admission on create, optimistic concurrency and generation on update,
 * the `status`, `scale` and `eviction` subresources, the three patch types, graceful pod
 * deletion, cascading deletion of owned objects (garbage-collector.ts) and managedFields
 * (managed-fields.ts) for writers that name their field manager. API requests and the simulated
 * controllers both write through here, so a controller's pod creation meets the same quota a
 * user's would.
 */

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: KubeObject['metadata'];
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character random suffix of generated names, from the API server's alphabet. */
export function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return out;
}

function hasStatusSubresource(type: ResourceType): boolean {
  return type.subresources.some((s) => s.name === 'status');
}

function tracksGeneration(type: ResourceType): boolean {
  return type.kind === 'Deployment' || type.kind === 'ReplicaSet' || type.kind === 'StatefulSet';
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The autoscaling/v1 Scale view of a Deployment or ReplicaSet. */
/**
 * A resourceVersion sent with a write (PUT body, Scale, or patch) is a precondition, as on a real
 * server: a write against any other version than the stored one is a conflict.
 */
function checkPrecondition(
  type: ResourceType,
  name: string,
  sent: string | undefined,
  current: { metadata: { resourceVersion?: string } },
): void {
  if (sent && sent !== current.metadata.resourceVersion) {
    throw conflict(type.resource, type.group, name);
  }
}

function scaleOf(object: Deployment): Scale {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: object.spec.replicas ?? 1 },
    status: {
      replicas: object.status?.replicas ?? 0,
      selector: selectorString(object.spec.selector ?? {}),
    },
  };
}

export class Registry {
  /** Seeding backdates what it creates, so a seeded cluster looks like it has run for days. */
  backdateMs = 0;
  /** The field manager writes are recorded under; none for seeding and most controllers. */
  private manager: string | undefined;

  constructor(
    private readonly store: StoreWriter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The same registry for a `dryRun=All` request: everything checked, nothing written. */
  static dryRun(store: ObjectStore, now?: () => Date): Registry {
    return new Registry(new DryRunStore(store), now);
  }

  /** The same registry writing as `manager` (managedFields record it); undefined: untracked. */
  managedBy(manager: string | undefined): Registry {
    const registry = new Registry(this.store, this.now);
    registry.backdateMs = this.backdateMs;
    registry.manager = manager;
    return registry;
  }

  /** Sets `next`'s managedFields: this write's fields recorded, or the stored ones kept. */
  private track(
    type: ResourceType,
    previous: KubeObject | undefined,
    next: KubeObject,
    subresource?: 'scale' | 'status',
  ): void {
    const entries = this.manager
      ? recordWrite(previous, next, {
          manager: this.manager,
          apiVersion: apiVersionOf(type),
          time: timestamp(this.now()),
          subresource,
          statusIsSubresource: hasStatusSubresource(type),
        })
      : previous?.metadata.managedFields;
    if (entries) next.metadata.managedFields = entries;
    else delete next.metadata.managedFields;
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject {
    return toServedVersion(type, this.store.mustGet(type, namespace, name));
  }

  private requireNamespace(type: ResourceType, namespace: string, creating: boolean): void {
    if (!type.namespaced) return;
    const ns = this.store.get(TYPES.namespaces, '', namespace);
    if (!ns) throw notFound('namespaces', '', namespace);
    if (creating && ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${type.resource} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private checkIdentity(type: ResourceType, body: unknown): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('the body of the request must be a JSON object');
    }
    const object = body as KubeObject;
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersionOf(type)})`,
      );
    }
    return toStorageVersion(type, {
      ...object,
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: { ...(object.metadata ?? {}) },
    });
  }

  create(type: ResourceType, namespace: string, body: unknown): KubeObject {
    let object = this.checkIdentity(type, body);
    if (type.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      object.metadata.namespace = namespace;
    }
    this.requireNamespace(type, namespace, true);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomSuffix()}`;
    }
    for (const field of ['uid', 'resourceVersion', 'deletionTimestamp'] as const) {
      delete object.metadata[field];
    }
    object.metadata.creationTimestamp ??= timestamp(this.now().getTime() - this.backdateMs);
    object = applyCreateDefaults(type.kind, object);
    validate(type, object);
    if (type.kind === 'Pod') {
      object = applyLimitRangeDefaults(this.store, object as Pod);
      // Validation follows mutating admission upstream: a request above a defaulted limit is 422.
      validate(type, object);
      admitLimitRanges(this.store, object as Pod);
      admitPod(this.store, object as Pod);
    }
    this.track(type, undefined, object);
    return toServedVersion(type, this.store.create(type, object));
  }

  /** PUT on the main resource: the status stays as stored, the spec may change. */
  update(type: ResourceType, namespace: string, name: string, body: unknown): KubeObject {
    const { object, current } = this.replacing(type, namespace, name, body);
    const next: KubeObject = {
      ...object,
      metadata: {
        ...object.metadata,
        name,
        ...(type.namespaced ? { namespace } : {}),
        deletionTimestamp: current.metadata.deletionTimestamp,
        generation: current.metadata.generation,
      },
    };
    if (next.metadata.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
    if (next.metadata.generation === undefined) delete next.metadata.generation;
    if (hasStatusSubresource(type)) {
      if (current['status'] === undefined) delete next['status'];
      else next['status'] = current['status'];
    }
    if (tracksGeneration(type) && !sameJson(next['spec'], current['spec'])) {
      next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    // Defaulting applies to every write of a LimitRange, as decoding defaults it upstream.
    if (type.kind === 'LimitRange') Object.assign(next, limitRangeDefaults(next as LimitRange));
    this.checkImmutable(type, current, next);
    validate(type, next);
    this.track(type, current, next);
    // The last finalizer off an object being deleted lets it go, as upstream.
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      return this.removeNow(type, current);
    }
    return toServedVersion(type, this.store.update(type, next, current.metadata.resourceVersion));
  }

  /** PUT on `status`: only the status changes. */
  updateStatus(type: ResourceType, namespace: string, name: string, body: unknown): KubeObject {
    const { object, current } = this.replacing(type, namespace, name, body);
    const next: KubeObject = {
      ...current,
      metadata: { ...current.metadata },
      status: object['status'],
    };
    this.track(type, current, next, 'status');
    return toServedVersion(type, this.store.update(type, next, current.metadata.resourceVersion));
  }

  getScale(type: ResourceType, namespace: string, name: string): Scale {
    return scaleOf(this.store.mustGet(type, namespace, name) as Deployment);
  }

  updateScale(type: ResourceType, namespace: string, name: string, body: unknown): Scale {
    if (!body || typeof body !== 'object')
      throw badRequest('the body of the request must be a Scale');
    const scale = body as Partial<Scale>;
    if (scale.metadata?.name !== undefined && scale.metadata.name !== name)
      this.checkName(scale as KubeObject, name);
    const current = this.store.mustGet(type, namespace, name) as Deployment;
    checkPrecondition(type, name, scale.metadata?.resourceVersion, current);
    const replicas = scale.spec?.replicas;
    validateScaleReplicas(name, replicas);
    if (replicas === current.spec.replicas) return scaleOf(current);
    const next: Deployment = {
      ...current,
      metadata: { ...current.metadata, generation: (current.metadata.generation ?? 1) + 1 },
      spec: { ...current.spec, replicas: replicas as number },
    };
    this.track(type, current, next, 'scale');
    return scaleOf(this.store.update(type, next, current.metadata.resourceVersion) as Deployment);
  }

  patch(
    type: ResourceType,
    namespace: string,
    name: string,
    subresource: string | undefined,
    contentType: string,
    patch: unknown,
  ): KubeObject | Scale {
    const current =
      subresource === 'scale'
        ? this.getScale(type, namespace, name)
        : this.get(type, namespace, name);
    const patched = applyPatch(contentType, current, patch) as KubeObject;
    if (!patched || typeof patched !== 'object' || !patched.metadata) {
      throw badRequest('the patch removed the object metadata');
    }
    checkPrecondition(type, name, patched.metadata.resourceVersion, current);
    const guarded = {
      ...patched,
      metadata: { ...patched.metadata, resourceVersion: current.metadata.resourceVersion },
    };
    if (subresource === 'scale') return this.updateScale(type, namespace, name, guarded);
    if (subresource === 'status') return this.updateStatus(type, namespace, name, guarded);
    return this.update(type, namespace, name, guarded);
  }

  /**
   * Deletes an object. Pods on a node terminate gracefully (they get a deletionTimestamp and the
   * kubelet removes them); namespaces go Terminating; owned objects follow their owner by the
   * propagation policy (garbage-collector.ts); an object with finalizers is only marked.
   */
  delete(
    type: ResourceType,
    namespace: string,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject | StatusBody {
    const current = this.store.mustGet(type, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    const policy = propagationOf(options);
    if (type.kind === 'Pod') return this.deletePod(current as Pod, options);
    if (type.kind === 'Namespace') {
      if (current.metadata.deletionTimestamp) return current;
      return this.store.update(type, {
        ...current,
        metadata: { ...current.metadata, deletionTimestamp: timestamp(this.now()) },
        status: { phase: 'Terminating' },
      });
    }
    // Being deleted already: the deletion under way decides (a repeated delete changes nothing).
    if (current.metadata.deletionTimestamp) return toServedVersion(type, current);
    if (policy === 'Orphan') orphanDependents(this.store, current);
    const finalizers = current.metadata.finalizers ?? [];
    if (policy === 'Foreground') {
      const marked = markDeleted(
        this.store,
        type,
        current,
        [...finalizers.filter((f) => f !== FOREGROUND_FINALIZER), FOREGROUND_FINALIZER],
        this.now(),
      );
      for (const { type: dependentType, object } of dependentsOf(this.store, marked)) {
        this.delete(dependentType, namespace, object.metadata.name ?? '', {
          propagationPolicy: 'Foreground',
        });
      }
      const latest = this.store.get(type, namespace, name);
      if (!latest) return toServedVersion(type, marked);
      finishForeground(this.store, type, latest);
      return toServedVersion(type, this.store.get(type, namespace, name) ?? marked);
    }
    if (finalizers.length > 0) {
      return toServedVersion(type, markDeleted(this.store, type, current, finalizers, this.now()));
    }
    const gone = this.removeNow(type, current, policy === 'Orphan');
    return successStatus({
      name,
      group: type.group || undefined,
      kind: type.resource,
      uid: gone.metadata.uid,
    });
  }

  /** Removes an object for good; its dependents follow in background unless orphaned already. */
  private removeNow(type: ResourceType, current: KubeObject, orphaned = false): KubeObject {
    const gone = this.store.remove(
      type,
      current.metadata.namespace ?? '',
      current.metadata.name ?? '',
    );
    if (orphaned) return gone;
    for (const { type: dependentType, object } of dependentsOf(this.store, gone)) {
      this.delete(dependentType, object.metadata.namespace ?? '', object.metadata.name ?? '', {
        propagationPolicy: 'Background',
      });
    }
    return gone;
  }

  /** POST pods/NAME/eviction: a pod delete that respects disruption budgets. */
  evict(namespace: string, name: string, body: unknown): StatusBody {
    const options = evictionOptions(name, body);
    const pod = this.store.mustGet(TYPES.pods, namespace, name) as Pod;
    if (!pod.metadata.deletionTimestamp) checkDisruptionBudgets(this.store, pod);
    // `kubectl drain --dry-run=server` asks in the Eviction's own options.
    if (!options.dryRun?.includes('All')) this.delete(TYPES.pods, namespace, name, options);
    return evictionAccepted();
  }

  private deletePod(pod: Pod, options: DeleteOptions): KubeObject {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (grace <= 0 || !pod.spec.nodeName) return this.store.remove(TYPES.pods, namespace, name);
    if (pod.metadata.deletionTimestamp) return pod;
    const at = timestamp(this.now().getTime() + grace * 1000);
    return this.store.update(TYPES.pods, {
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: at, deletionGracePeriodSeconds: grace },
    });
  }

  /** The body of a PUT and the object it replaces, once the body may replace it. */
  private replacing(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
  ): { object: KubeObject; current: KubeObject } {
    const object = this.checkIdentity(type, body);
    this.checkName(object, name);
    const current = this.store.mustGet(type, namespace, name);
    checkPrecondition(type, name, object.metadata.resourceVersion, current);
    return { object, current };
  }

  private checkName(object: KubeObject, name: string): void {
    if (object.metadata?.name && object.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
  }

  private checkImmutable(type: ResourceType, current: KubeObject, next: KubeObject): void {
    const forbidden = updateCauses(type, current, next);
    if (forbidden.length > 0) throw invalidObject(type, current.metadata.name ?? '', forbidden);
    if (type.kind !== 'Deployment' && type.kind !== 'ReplicaSet') return;
    const before = (current as Deployment).spec?.selector;
    const after = (next as Deployment).spec?.selector;
    if (!sameJson(before, after)) {
      throw invalidObject(type, current.metadata.name ?? '', [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(after)}: field is immutable`,
          field: 'spec.selector',
        },
      ]);
    }
  }
}
