import { randomUUID } from 'node:crypto';
import type { App } from '../../shared/app-model';
import type { OperationResult } from '../../shared/contract';
import type { NewActivity } from '../store/activity-log';
import type { OperationContext } from './index';
import { trackOperation, type TrackedDeployment } from './rollout-progress';
import type { SessionPort } from './session-port';

/**
 * After the cluster accepted a change: log it as pending, report `sent`, follow the rollout in
 * the background, and give the handler its answer at once.
 */
export function acceptChange(
  ctx: OperationContext,
  session: SessionPort,
  app: App,
  change: Omit<NewActivity, 'context' | 'namespace' | 'app'>,
  deployments: TrackedDeployment[],
  doneMessage: string,
  warnings: string[],
): OperationResult {
  const operationId = randomUUID();
  const activity = ctx.log.record({
    ...change,
    context: session.contextName,
    namespace: app.namespace,
    app: app.name,
  });
  void trackOperation({
    session,
    bus: ctx.bus,
    log: ctx.log,
    operationId,
    activityId: activity.id,
    appId: app.id,
    namespace: app.namespace,
    process: change.process,
    deployments,
    doneMessage,
    options: ctx.tracking,
  });
  return { operationId, activity, warnings };
}
