import type { KubeObject, OwnerReference } from './kube-types';

/**
 * Owner references as the controllers write and read them: the one reference marked `controller`
 * is how a controller finds what it made again, and `blockOwnerDeletion` keeps the dependent
 * until foreground deletion of the owner has dealt with it.
 */

/** The reference a controller puts on an object it creates for `owner`. */
export function controllerReference(
  apiVersion: string,
  kind: string,
  owner: KubeObject,
): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The object's controlling owner, of `kind` when given. */
export function controllerOf(object: KubeObject, kind?: string): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find(
    (r) => r.controller && (kind === undefined || r.kind === kind),
  );
}
