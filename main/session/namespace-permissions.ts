import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Permissions } from '../../shared/app-model';
import { PermissionCache, UNKNOWN_PERMISSIONS } from '../model/rbac-permissions';

/**
 * What the user may change in each namespace of a session's apps: asked of the cluster once
 * per namespace as its apps first appear, and "unknown" (allowed: the cluster judges) until the
 * answer is in. An answer changes the namespace's apps, so the owner is told of each one.
 */
export class NamespacePermissions {
  private readonly cache: PermissionCache;
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    timeoutMs: number,
    /** The namespace's answer arrived (not called once stopped). */
    private readonly answered: (namespace: string) => void,
  ) {
    this.cache = new PermissionCache(kubeConfig.makeApiClient(AuthorizationV1Api), timeoutMs);
  }

  of(namespace: string): Permissions {
    return this.cache.get(namespace) ?? UNKNOWN_PERMISSIONS;
  }

  /** Asks about the namespaces not answered yet (a question in flight is not asked twice). */
  ask(namespaces: Iterable<string>): void {
    for (const namespace of new Set(namespaces)) {
      if (this.cache.get(namespace)) continue;
      void this.cache.ensure(namespace).then(() => {
        if (!this.stopped) this.answered(namespace);
      });
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
