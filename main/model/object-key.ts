/** `namespace/name`: how the model keys the Deployments and pods it holds and their memory. */
export function namespacedKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

export function objectKey(object: { metadata?: { namespace?: string; name?: string } }): string {
  return namespacedKey(object.metadata?.namespace, object.metadata?.name);
}
