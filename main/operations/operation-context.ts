import { randomUUID } from 'node:crypto';
import { appId, type App, type Process } from '../../shared/app-model';
import type { OperationResult } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import type { KubectlTarget } from '../../shared/kubectl-command';
import type { ActivityLog, NewActivity } from '../store/activity-log';
import type { SessionPort } from './session-port';
import type { EventBus } from '../transport/event-bus';
import type { SettingsService } from '../store/settings';
import type { KeyValueStore } from '../store/key-value-store';
import type { DeploymentRef } from './cluster-writes';
import { trackOperation, type TrackedDeployment, type TrackingOptions } from './rollout-progress';

/** What every operation needs: the session of the moment, the log, the bus, the settings. */
export interface OperationContext {
  session: () => SessionPort | null;
  store: KeyValueStore;
  bus: EventBus;
  settings: SettingsService;
  log: ActivityLog;
  tracking: TrackingOptions;
}

export function requireSession(ctx: OperationContext, operation: string): SessionPort {
  const session = ctx.session();
  if (!session) {
    throw new ScaleDeskError(
      'NOT_CONNECTED',
      `Cannot ${operation}: not connected to a cluster. Choose a context first.`,
    );
  }
  return session;
}

export function requireApp(session: SessionPort, namespace: string, name: string): App {
  const app = session.getApp(appId(namespace, name));
  if (!app) {
    throw new ScaleDeskError(
      'NOT_FOUND',
      `There is no app "${name}" in namespace "${namespace}" on context "${session.contextName}".`,
      { namespace, app: name },
    );
  }
  return app;
}

/** A scaled process of the app (not the workspace); NOT_FOUND names the ones there are. */
export function requireProcess(app: App, name: string): Process {
  const process = app.processes.find((p) => p.name === name);
  if (process) return process;
  if (app.workspace && app.workspace.name === name) return app.workspace;
  const known = app.processes.map((p) => p.name).join(', ') || 'none';
  throw new ScaleDeskError(
    'NOT_FOUND',
    `${app.name} has no process "${name}" (its processes: ${known}).`,
    { namespace: app.namespace, app: app.name, process: name },
  );
}

/** Refuses before sending where the cluster already said (SelfSubjectAccessReview) it would. */
export function requirePermission(app: App, kind: 'scale' | 'patch', doing: string): void {
  const permission = app.permissions[kind];
  if (permission.allowed) return;
  const verbResource = kind === 'scale' ? 'patch deployments/scale' : 'patch deployments';
  throw new ScaleDeskError(
    'FORBIDDEN',
    permission.reason ??
      `Not allowed to ${doing}: you may not ${verbResource} in namespace "${app.namespace}".`,
    {
      verb: 'patch',
      resource: kind === 'scale' ? 'deployments/scale' : 'deployments',
      namespace: app.namespace,
    },
  );
}

export function deploymentRef(
  session: SessionPort,
  namespace: string,
  name: string,
): DeploymentRef {
  return { kubeConfig: session.kubeConfig, context: session.contextName, namespace, name };
}

export function kubectlTarget(session: SessionPort, namespace: string): KubectlTarget {
  return { context: session.contextName, namespace };
}

/** The names of the pods of a process now, so new ones can be told apart while tracking. */
export function podNames(process: Process): Set<string> {
  return new Set(process.pods.map((p) => p.name));
}

/**
 * After the cluster accepted a change: log it as pending, report `sent`, follow the rollout in
 * the background, and give the handler its answer at once.
 */
export function accepted(
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

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
