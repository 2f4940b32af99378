import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { App, Permission, Permissions, WorkloadKind } from '../../shared/app-model';
import {
  AccessReviews,
  checkOf,
  combinedPermission,
  RETRY_AFTER_FAILURE_MS,
  type Change,
  type Check,
} from '../model/rbac-permissions';

/**
 * What the user may change in the apps on screen: asked of the cluster (AccessReviews: a few at a
 * time, cached per namespace and check) only for the app being looked at and, on demand, before
 * an operation; never for every namespace as it appears. "unknown" until the answer is in. An
 * answer (or a failed review) changes the namespace's apps, so the owner is told of each.
 */

const CHANGES: readonly Change[] = ['scale', 'patch'];
/** An app always has a workload; were it to have none, it is read as Deployments. */
const NO_KINDS: readonly WorkloadKind[] = ['Deployment'];

/** The kinds of the app's workloads, its workspace's included. */
function kindsOf(app: App): WorkloadKind[] {
  const kinds = new Set<WorkloadKind>();
  for (const process of [...app.processes, ...(app.workspace ? [app.workspace] : [])]) {
    kinds.add(process.workloadKind);
  }
  return [...kinds];
}

export class NamespacePermissions {
  private readonly reviews: AccessReviews;
  private stopped = false;
  /** Apps to look at again once a failed review may be asked again, by id. */
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(
    kubeConfig: KubeConfig,
    timeoutMs: number,
    /** A check of the namespace was answered or failed (not called once stopped). */
    private readonly answered: (namespace: string) => void,
  ) {
    this.reviews = new AccessReviews({
      api: kubeConfig.makeApiClient(AuthorizationV1Api),
      timeoutMs,
    });
  }

  /** What is known now for an app of these workload kinds; asks nothing. */
  of(namespace: string, kinds: readonly WorkloadKind[]): Permissions {
    const known = (change: Change) =>
      combinedPermission(
        (kinds.length > 0 ? kinds : NO_KINDS).map((kind) =>
          this.reviews.get(namespace, checkOf(kind, change)),
        ),
      );
    return { scale: known('scale'), patch: known('patch') };
  }

  /** The app is on screen: asks what is not known yet of its checks (a question in flight is not asked twice). */
  lookAt(app: App): void {
    for (const kind of kindsOf(app)) {
      for (const change of CHANGES) {
        const check = checkOf(kind, change);
        if (this.reviews.needsAsking(app.namespace, check)) {
          void this.reviews.ensure(app.namespace, check).then((answer) => {
            this.tell(app.namespace);
            // A review that failed (a slow or flaky cluster) is asked again once it may be, for
            // the app that was on screen: "not checked yet" does not stay until it is reopened.
            if (answer.state === 'unknown') this.retryLater(app);
          });
        }
      }
    }
  }

  /** The answer for one process's change, asked now where not known (before an operation). */
  async require(namespace: string, kind: WorkloadKind, change: Change): Promise<Permission> {
    const check = checkOf(kind, change);
    const asking = this.reviews.needsAsking(namespace, check);
    const permission = await this.reviews.ensure(namespace, check);
    if (asking) this.tell(namespace);
    return permission;
  }

  /** Any other check in the namespace (update limitranges), asked now where not known. */
  requireCheck(namespace: string, check: Check): Promise<Permission> {
    return this.reviews.ensure(namespace, check);
  }

  /** Reviews sent so far and the most in flight at once (tests and the bench). */
  stats(): { reviews: number; maxInFlight: number } {
    return this.reviews.stats();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  private retryLater(app: App): void {
    if (this.stopped || this.retries.has(app.id)) return;
    const timer = setTimeout(() => {
      this.retries.delete(app.id);
      if (!this.stopped) this.lookAt(app);
    }, RETRY_AFTER_FAILURE_MS + 100);
    timer.unref();
    this.retries.set(app.id, timer);
  }

  private tell(namespace: string): void {
    if (!this.stopped) this.answered(namespace);
  }
}
