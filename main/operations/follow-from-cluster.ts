import type { KubeConfig } from '@kubernetes/client-node';
import { appId } from '../../shared/app-model';
import type { LoggedChange } from '../store/activity-records';
import { clusterIdentity } from './cluster-identity';
import { readTargets } from './cluster-reads';
import type { OperationContext } from './index';
import { trackOperation } from './rollout-progress';
import { kindOf } from './rollout-verdict';
import type { SessionPort } from './session-port';

/**
 * Changes followed from the cluster alone: one whose write was never answered, and the entries
 * still pending when ScaleDesk stopped, judged when it next connects to their cluster.
 */

/** Follows a logged change from the cluster alone (no session's model to read). */
function followFromCluster(
  ctx: OperationContext,
  kubeConfig: KubeConfig,
  logged: LoggedChange,
): void {
  const { entry } = logged;
  ctx.following.add(entry.id);
  void trackOperation({
    session: null,
    current: () => false,
    kubeConfig,
    bus: ctx.bus,
    log: ctx.log,
    operationId: `${entry.id}:followed`,
    announce: false,
    activityId: entry.id,
    appId: appId(entry.namespace, entry.app),
    namespace: entry.namespace,
    process: entry.process,
    workloads: logged.targets.map((target) => ({
      process: target.process,
      kind: kindOf(target),
      deployment: target.deployment,
      generation: null,
      replicas: target.replicas ?? null,
      podsBefore: new Set<string>(),
    })),
    targets: logged.targets,
    doneMessage: logged.doneMessage ?? 'Done.',
    options: ctx.tracking,
  }).finally(() => ctx.following.delete(entry.id));
}

/**
 * A change whose write failed in a way that does not say whether the cluster applied it (no
 * answer, or one of several writes refused): judged from what the cluster has. Nothing of it
 * there: withdrawn, as a refusal is. All of it: followed like an accepted change. Part of it:
 * failed, with the error. The cluster cannot be read: listed as pending, to be judged when
 * ScaleDesk next connects to that cluster.
 */
export async function followUnanswered(
  ctx: OperationContext,
  kubeConfig: KubeConfig,
  id: string,
  error: unknown,
): Promise<void> {
  const logged = ctx.log.change(id);
  if (!logged) return;
  let found;
  try {
    found = await readTargets(kubeConfig, logged);
  } catch {
    ctx.log.accept(id, {}, false);
    return;
  }
  const carried = found.filter((f) => f.instead === null).length;
  if (carried === 0) return ctx.log.withdraw(id);
  const accepted = ctx.log.accept(id);
  if (!accepted) return;
  if (carried === found.length) return followFromCluster(ctx, kubeConfig, logged);
  const why = error instanceof Error ? error.message : String(error);
  ctx.log.settle(id, 'failed', `Only partly done: ${why}`);
}

/**
 * Once connected to a cluster: its entries still pending (ScaleDesk was closed, or killed, while
 * they were followed, or before the cluster answered) judged from each workload as it is now,
 * and followed on where a rollout is still going. A change whose answer was never seen and
 * that is not on the cluster is said to be unconfirmed, not superseded: it may never have left.
 */
export async function followPending(ctx: OperationContext, session: SessionPort): Promise<void> {
  const { kubeConfig } = session;
  const scope = { cluster: clusterIdentity(kubeConfig), context: session.contextName };
  for (const logged of ctx.log.pending(scope)) {
    const { entry } = logged;
    if (ctx.following.has(entry.id)) continue;
    if (logged.targets.length === 0) {
      ctx.log.settle(
        entry.id,
        'failed',
        'Not followed to the end: ScaleDesk was closed before the rollout finished.',
      );
      continue;
    }
    ctx.following.add(entry.id);
    let found;
    try {
      found = await readTargets(kubeConfig, logged);
    } catch {
      // Not reachable now: judged at the next connection.
      ctx.following.delete(entry.id);
      continue;
    }
    const missing = found.filter((f) => f.instead !== null);
    if (!logged.sent && missing.length > 0) {
      ctx.following.delete(entry.id);
      ctx.log.settle(
        entry.id,
        'failed',
        `Not confirmed: no answer from the cluster was seen (ScaleDesk was closed, or the cluster did not answer), and ${missing.map((f) => f.instead).join('; ')}.`,
      );
      continue;
    }
    if (!logged.sent) ctx.log.accept(entry.id);
    followFromCluster(ctx, kubeConfig, logged);
  }
}
