import { appId, type App, type Process } from '../../shared/app-model';
import { ScaleDeskError } from '../../shared/errors';
import type { OperationContext } from './index';
import type { SessionPort } from './session-port';

/**
 * What must hold before an operation sends anything, each refused with the error that says what
 * is missing: a session, the app, the process, the permission.
 */

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

/**
 * A process of the app, its workspace included (restart and undo act on it too); NOT_FOUND names
 * every one that could have been meant, the workspace among them.
 */
export function requireProcess(app: App, name: string): Process {
  const process = app.processes.find((p) => p.name === name);
  if (process) return process;
  if (app.workspace && app.workspace.name === name) return app.workspace;
  const all = app.workspace ? [...app.processes, app.workspace] : app.processes;
  const known = all.map((p) => p.name).join(', ') || 'none';
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
