import type { AuthorizationV1Api } from '@kubernetes/client-node';
import type { Permission, WorkloadKind } from '../../shared/app-model';
import { toClusterError, withTimeout } from '../kube/cluster-errors';

/**
 * What the user may change, asked of the cluster (SelfSubjectAccessReview) so the UI can disable
 * what would fail and say why. A check is a verb on a resource of the process's workload kind:
 * patch deployments/scale or statefulsets/scale (replicas), patch deployments or statefulsets
 * (workers, restart, start).
 *
 * On a big, locked-down cluster the reviews themselves are the load (a read-only user over 2,000
 * namespaces once set off 1,212 at once), so: at most {@link MAX_REVIEWS_IN_FLIGHT} in flight,
 * the rest queued; each answer cached per namespace and check for the session (one context; a new
 * connection asks again); where the cluster-wide answer is yes, namespaces are not asked one by
 * one, so an admin costs one review per check, not one per namespace. A review that fails leaves
 * the check "unknown" (never "allowed") and is asked again when next needed, but not before
 * {@link RETRY_AFTER_FAILURE_MS}, so a screen that keeps asking does not make a hot loop of it.
 */

export type Change = 'scale' | 'patch';

export interface Check {
  verb: 'patch' | 'update' | 'create';
  /** limitranges: the namespace's default memory limit (operations/memory-default.ts). */
  resource: 'deployments' | 'statefulsets' | 'limitranges';
  subresource?: 'scale';
}

export const MAX_REVIEWS_IN_FLIGHT = 4;
export const RETRY_AFTER_FAILURE_MS = 30_000;

const ALLOWED: Permission = { state: 'allowed', reason: null };

/** The check a change of a process of this kind needs. */
export function checkOf(kind: WorkloadKind, change: Change): Check {
  const resource = kind === 'StatefulSet' ? 'statefulsets' : 'deployments';
  return change === 'scale'
    ? { verb: 'patch', resource, subresource: 'scale' }
    : { verb: 'patch', resource };
}

/** `patch deployments/scale`, as kubectl auth can-i spells it. */
export function describeCheck(check: Check): string {
  const resource = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  return `${check.verb} ${resource}`;
}

function place(namespace: string): string {
  return namespace ? `in namespace "${namespace}"` : 'in all namespaces';
}

export function notAskedYet(namespace: string, check: Check): Permission {
  return {
    state: 'unknown',
    reason: `Not checked yet whether you may ${describeCheck(check)} ${place(namespace)}: the cluster will judge the change.`,
  };
}

function reviewFailed(namespace: string, check: Check, error: unknown): Permission {
  const why = toClusterError(error, {
    verb: 'create',
    resource: 'selfsubjectaccessreviews.authorization.k8s.io',
  }).message.replace(/\.?$/, '.');
  return {
    state: 'unknown',
    reason: `Could not check whether you may ${describeCheck(check)} ${place(namespace)}: ${why} The cluster will judge the change.`,
  };
}

/**
 * The one answer for several checks (an app whose processes are of both kinds): denied where any
 * is, else unknown where any is, else allowed.
 */
export function combinedPermission(permissions: readonly Permission[]): Permission {
  return (
    permissions.find((p) => p.state === 'denied') ??
    permissions.find((p) => p.state === 'unknown') ??
    ALLOWED
  );
}

/** Runs at most `limit` tasks at once, the rest in the order they came. */
class InFlightLimit {
  private running = 0;
  private peak = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** The most that ran at once so far. */
  get maxInFlight(): number {
    return this.peak;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((go) => this.waiting.push(go));
    else this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiting task, so `running` never overshoots.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

export interface AccessReviewsOptions {
  api: Pick<AuthorizationV1Api, 'createSelfSubjectAccessReview'>;
  timeoutMs?: number;
  maxInFlight?: number;
  retryAfterFailureMs?: number;
  now?: () => number;
}

export class AccessReviews {
  private readonly api: AccessReviewsOptions['api'];
  private readonly timeoutMs: number;
  private readonly retryAfterFailureMs: number;
  private readonly now: () => number;
  private readonly limit: InFlightLimit;
  /** Answers (allowed or denied), by namespace and check; namespace '' is cluster-wide. */
  private readonly answers = new Map<string, Permission>();
  private readonly failures = new Map<
    string,
    { at: number; permission: Permission; error: unknown }
  >();
  private readonly pending = new Map<string, Promise<Permission>>();
  private asked = 0;

  constructor(options: AccessReviewsOptions) {
    this.api = options.api;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.retryAfterFailureMs = options.retryAfterFailureMs ?? RETRY_AFTER_FAILURE_MS;
    this.now = options.now ?? Date.now;
    this.limit = new InFlightLimit(options.maxInFlight ?? MAX_REVIEWS_IN_FLIGHT);
  }

  /** Reviews sent so far, and the most in flight at once. */
  stats(): { reviews: number; maxInFlight: number } {
    return { reviews: this.asked, maxInFlight: this.limit.maxInFlight };
  }

  /** What is known now, without asking: the answer, else why it is unknown. */
  get(namespace: string, check: Check): Permission {
    const key = keyOf(namespace, check);
    if (this.answers.get(keyOf('', check))?.state === 'allowed') return ALLOWED;
    return (
      this.answers.get(key) ?? this.failures.get(key)?.permission ?? notAskedYet(namespace, check)
    );
  }

  /** Whether ensure() would send a review now: not answered, not in flight, not failed just now. */
  needsAsking(namespace: string, check: Check): boolean {
    return this.get(namespace, check).state === 'unknown' && !this.recentFailure(namespace, check);
  }

  /** The answer, asked of the cluster where not known; a failed review gives "unknown". */
  ensure(namespace: string, check: Check): Promise<Permission> {
    const known = this.get(namespace, check);
    if (known.state !== 'unknown') return Promise.resolve(known);
    const failed = this.recentFailure(namespace, check);
    if (failed) return Promise.resolve(failed);
    return this.once(namespace, check, async () => {
      const everywhere =
        this.answers.get(keyOf('', check)) ??
        (await this.once('', check, () => this.review('', check)));
      if (everywhere.state === 'allowed') return everywhere;
      if (everywhere.state === 'unknown') {
        throw new ClusterWideFailed(this.failures.get(keyOf('', check))?.error);
      }
      return this.review(namespace, check);
    });
  }

  private recentFailure(namespace: string, check: Check): Permission | undefined {
    for (const key of [keyOf(namespace, check), keyOf('', check)]) {
      const failure = this.failures.get(key);
      if (failure && this.now() - failure.at < this.retryAfterFailureMs) return failure.permission;
    }
    return undefined;
  }

  /** One question per namespace and check at a time; the answer cached, a failure remembered. */
  private once(
    namespace: string,
    check: Check,
    ask: () => Promise<Permission>,
  ): Promise<Permission> {
    const key = keyOf(namespace, check);
    let pending = this.pending.get(key);
    if (pending) return pending;
    pending = ask().then(
      (answer) => {
        this.answers.set(key, answer);
        this.failures.delete(key);
        return answer;
      },
      (failure: unknown) => {
        const error = failure instanceof ClusterWideFailed ? failure.cause : failure;
        const permission = reviewFailed(namespace, check, error);
        this.failures.set(key, { at: this.now(), permission, error });
        return permission;
      },
    );
    const settled = pending.finally(() => this.pending.delete(key));
    this.pending.set(key, settled);
    return settled;
  }

  private review(namespace: string, check: Check): Promise<Permission> {
    return this.limit.run(async () => {
      this.asked++;
      const review = await withTimeout(
        this.api.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {
              resourceAttributes: {
                namespace,
                verb: check.verb,
                group: check.resource === 'limitranges' ? '' : 'apps',
                resource: check.resource,
                ...(check.subresource ? { subresource: check.subresource } : {}),
              },
            },
          },
        }),
        this.timeoutMs,
      );
      if (review.status?.allowed) return ALLOWED;
      const why = review.status?.reason ? ` (${review.status.reason})` : '';
      return {
        state: 'denied',
        reason: `You may not ${describeCheck(check)} ${place(namespace)}${why}.`,
      };
    });
  }
}

/** The cluster-wide review failed: the namespace's check is unknown for the same cause. */
class ClusterWideFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('the cluster-wide access review failed');
  }
}

function keyOf(namespace: string, check: Check): string {
  return `${namespace}\u0000${describeCheck(check)}`;
}
