import { randomUUID } from 'node:crypto';
import type { App } from '../../shared/app-model';
import type { ActivityEntry, OperationResult } from '../../shared/contract';
import { ScaleDeskError, type ErrorCode } from '../../shared/errors';
import type { NewActivity } from '../store/activity-log';
import type { ChangeTarget } from '../store/activity-records';
import { clusterIdentity } from './cluster-identity';
import type { OperationContext } from './index';
import { followUnanswered } from './follow-from-cluster';
import { trackOperation } from './rollout-progress';
import type { TrackedWorkload } from './rollout-verdict';
import type { SessionPort } from './session-port';

/**
 * A change's way through the activity log: logged as pending, on disk, before anything is sent
 * ({@link beginChange}); once the cluster accepted it, listed, reported `sent` and followed in the
 * background while the handler answers at once ({@link acceptChange}). What the write found (the
 * value it replaced) and did (the patch it made from the object it read) replace what the
 * operation expected, in the entry, once known.
 */

/** A change logged and about to be sent. */
export interface ChangeInFlight {
  readonly entry: ActivityEntry;
  readonly session: SessionPort;
  readonly app: App;
  readonly targets: readonly ChangeTarget[];
  readonly doneMessage: string;
  /**
   * Makes the change's write(s). Where the cluster refused it, nothing happened and the entry is
   * withdrawn; where it is not known what happened (no answer, several writes of which one
   * failed), the entry is judged from what the cluster has. Either way the error is rethrown.
   */
  send<T>(write: () => Promise<T>): Promise<T>;
}

/**
 * Errors that say the cluster (or ScaleDesk, before sending) refused the write: nothing of it
 * was applied. Anything else (no answer, a timeout, a 5xx) may have been.
 */
const REFUSALS = new Set<ErrorCode>([
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'THROTTLED',
  'TLS',
  'QUOTA_EXCEEDED',
  'KUBECONFIG',
  'INVALID',
  'NOT_CONNECTED',
]);

function refused(error: unknown): boolean {
  return error instanceof ScaleDeskError && REFUSALS.has(error.code);
}

/**
 * Logs the change as pending and on disk, before it is sent: `targets` say what it sets on each
 * workload, from which the entry is judged if ScaleDesk is killed before it knows the outcome.
 */
export function beginChange(
  ctx: OperationContext,
  session: SessionPort,
  app: App,
  change: Omit<NewActivity, 'context' | 'namespace' | 'app'>,
  targets: ChangeTarget[],
  doneMessage: string,
): ChangeInFlight {
  const entry = ctx.log.begin(
    { ...change, context: session.contextName, namespace: app.namespace, app: app.name },
    { cluster: clusterIdentity(session.kubeConfig), targets, doneMessage },
  );
  return {
    entry,
    session,
    app,
    targets,
    doneMessage,
    async send(write) {
      try {
        return await write();
      } catch (error) {
        if (targets.length <= 1 && refused(error)) ctx.log.withdraw(entry.id);
        else void followUnanswered(ctx, session.kubeConfig, entry.id, error);
        throw error;
      }
    },
  };
}

/**
 * After the cluster accepted the change: the entry updated with what the write found and listed,
 * `sent` reported, the rollout followed in the background; the handler's answer, at once.
 */
export function acceptChange(
  ctx: OperationContext,
  change: ChangeInFlight,
  update: Partial<Pick<ActivityEntry, 'from' | 'command'>>,
  workloads: TrackedWorkload[],
  warnings: string[],
): OperationResult {
  const { session, app } = change;
  const operationId = randomUUID();
  const activity = ctx.log.accept(change.entry.id, update) ?? { ...change.entry, ...update };
  ctx.following.add(activity.id);
  void trackOperation({
    session,
    current: () => ctx.session() === session,
    kubeConfig: session.kubeConfig,
    bus: ctx.bus,
    log: ctx.log,
    operationId,
    announce: true,
    activityId: activity.id,
    appId: app.id,
    namespace: app.namespace,
    process: activity.process,
    workloads,
    targets: change.targets,
    doneMessage: change.doneMessage,
    options: ctx.tracking,
    // Read per change: a setting changed meanwhile applies to the next change.
    settleMs: ctx.settings.get().settleSeconds * 1000,
  }).finally(() => ctx.following.delete(activity.id));
  return { operationId, activity, warnings };
}
