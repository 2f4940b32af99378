import { hpaFromV1, hpaToV1 } from './hpa-conversion';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1 } from './hpa-types';
import type { KubeObject } from './kube-types';
import { apiVersionOf, type ResourceType } from './resource-types';

/**
 * Kinds served in more than one version are stored in one, as etcd holds one encoding: the
 * registry turns what a client sends into the storage version, and whatever leaves the server
 * (get, list, watch, the answer to a write) is turned into the version the client asked for.
 * Both directions are keyed on the object's own apiVersion, so converting twice is harmless.
 * Today that is HorizontalPodAutoscaler: stored as autoscaling/v2, also served as v1.
 */

interface Conversion {
  storageVersion: string;
  toStorage(object: KubeObject): KubeObject;
  fromStorage(object: KubeObject): KubeObject;
}

// The stored object is always the v2 shape (the registry checks and converts every write),
// so reading it as one is a statement about the store, not a guess about input.
const CONVERSIONS: Record<string, Conversion> = {
  'autoscaling/v1 HorizontalPodAutoscaler': {
    storageVersion: 'autoscaling/v2',
    toStorage: (o) => hpaFromV1(o as HorizontalPodAutoscalerV1),
    fromStorage: (o) => hpaToV1(o as HorizontalPodAutoscaler),
  },
};

function conversionFor(type: ResourceType): Conversion | undefined {
  return CONVERSIONS[`${apiVersionOf(type)} ${type.kind}`];
}

/** What a client sent to `type`'s URL, in the version the store keeps. */
export function toStorageVersion(type: ResourceType, object: KubeObject): KubeObject {
  const conversion = conversionFor(type);
  if (!conversion || object.apiVersion === conversion.storageVersion) return object;
  return conversion.toStorage(object);
}

/** A stored object in the version of `type`, the one the client asked for. */
export function toServedVersion(type: ResourceType, object: KubeObject): KubeObject {
  const conversion = conversionFor(type);
  if (!conversion || object.apiVersion !== conversion.storageVersion) return object;
  return conversion.fromStorage(object);
}
