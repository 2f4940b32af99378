import type { AuthorizationV1Api } from '@kubernetes/client-node';
import type { Permission, Permissions } from '../../shared/app-model';
import { withTimeout } from '../kube/cluster-errors';

/**
 * What the user may change, asked of the cluster (SelfSubjectAccessReview) so the UI can disable
 * what would fail and say why: patch deployments/scale (replicas) and patch deployments
 * (workers, restart, start). Cached per namespace for the life of the session (one context);
 * a new connection asks again. Where the cluster-wide answer is yes, namespaces are not asked one
 * by one, so an admin with 1,000 namespaces costs two reviews, not 2,000.
 */

interface Check {
  verb: string;
  resource: string;
  subresource?: string;
}

const SCALE: Check = { verb: 'patch', resource: 'deployments', subresource: 'scale' };
const PATCH: Check = { verb: 'patch', resource: 'deployments' };
/** Where the cluster has not answered (yet): allowed, so the cluster judges the change itself. */
export const UNKNOWN_PERMISSIONS: Permissions = {
  scale: { allowed: true, reason: null },
  patch: { allowed: true, reason: null },
};

function describe(check: Check): string {
  return check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
}

export class PermissionCache {
  private readonly answers = new Map<string, Permissions>();
  private readonly pending = new Map<string, Promise<Permissions>>();
  private clusterWide: Promise<Permissions | null> | null = null;

  constructor(
    private readonly api: AuthorizationV1Api,
    private readonly timeoutMs = 15_000,
  ) {}

  /** The answer for the namespace if known; undefined until asked. */
  get(namespace: string): Permissions | undefined {
    return this.answers.get(namespace);
  }

  /** Asks the cluster (once per namespace) and caches the answer. */
  ensure(namespace: string): Promise<Permissions> {
    const known = this.answers.get(namespace);
    if (known) return Promise.resolve(known);
    let pending = this.pending.get(namespace);
    if (!pending) {
      pending = this.ask(namespace).then(
        (answer) => {
          this.answers.set(namespace, answer);
          this.pending.delete(namespace);
          return answer;
        },
        () => {
          // The review itself could not be made (cluster away): let the cluster judge the change
          // when it is sent rather than disable what may be allowed, and ask again next time.
          this.pending.delete(namespace);
          return UNKNOWN_PERMISSIONS;
        },
      );
      this.pending.set(namespace, pending);
    }
    return pending;
  }

  private async ask(namespace: string): Promise<Permissions> {
    this.clusterWide ??= Promise.all([this.review(SCALE, ''), this.review(PATCH, '')]).then(
      ([scale, patch]) => (scale.allowed && patch.allowed ? { scale, patch } : null),
      (error: unknown) => {
        this.clusterWide = null;
        throw error;
      },
    );
    const everywhere = await this.clusterWide;
    if (everywhere) return everywhere;
    const [scale, patch] = await Promise.all([
      this.review(SCALE, namespace),
      this.review(PATCH, namespace),
    ]);
    return { scale, patch };
  }

  private async review(check: Check, namespace: string): Promise<Permission> {
    const review = await withTimeout(
      this.api.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              namespace,
              verb: check.verb,
              group: 'apps',
              resource: check.resource,
              ...(check.subresource ? { subresource: check.subresource } : {}),
            },
          },
        },
      }),
      this.timeoutMs,
    );
    if (review.status?.allowed) return { allowed: true, reason: null };
    const place = namespace ? `in namespace "${namespace}"` : 'in all namespaces';
    const why = review.status?.reason ? ` (${review.status.reason})` : '';
    return {
      allowed: false,
      reason: `You may not ${check.verb} ${describe(check)} ${place}${why}.`,
    };
  }
}
