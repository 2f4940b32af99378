/**
 * `namespace/name`: the one key of a namespaced object, used by each watch's store, the catalog
 * reading those stores, and pod memory from the metrics API, which must all agree.
 */
export function namespacedKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

export function objectKey(object: { metadata?: { namespace?: string; name?: string } }): string {
  return namespacedKey(object.metadata?.namespace, object.metadata?.name);
}
