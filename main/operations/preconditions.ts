import { appId, type App, type Permission, type Process } from '../../shared/app-model';
import { ScaleDeskError } from '../../shared/errors';
import type { OperationContext } from './index';
import type { SessionPort } from './session-port';

/**
 * What must hold before an operation sends anything, each refused with the error that says what
 * is missing: a session, the app, the process, the permission.
 */

const ALLOWED: Permission = { state: 'allowed', reason: null };

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

/**
 * Refuses before sending where the cluster says (SelfSubjectAccessReview, asked now where the
 * session has no answer yet) the change would be refused, for each workload kind among the
 * processes changed: patch deployments/scale or statefulsets/scale for `scale`, patch
 * deployments or statefulsets for `patch`. An unknown answer (the review failed) lets the change
 * go: the cluster judges it, and its own 403 says the same.
 */
export async function requirePermission(
  session: SessionPort,
  app: App,
  processes: readonly Process[],
  change: 'scale' | 'patch',
  doing: string,
): Promise<Permission> {
  const kinds = [...new Set(processes.map((p) => p.workloadKind))];
  const answers = await Promise.all(
    kinds.map(async (kind) => ({
      kind,
      permission:
        (await session.permissions?.require(app.namespace, kind, change)) ??
        app.permissions[change],
    })),
  );
  const denied = answers.find((a) => a.permission.state === 'denied');
  if (denied) {
    const resource =
      (denied.kind === 'StatefulSet' ? 'statefulsets' : 'deployments') +
      (change === 'scale' ? '/scale' : '');
    throw new ScaleDeskError(
      'FORBIDDEN',
      denied.permission.reason ??
        `Not allowed to ${doing}: you may not patch ${resource} in namespace "${app.namespace}".`,
      { verb: 'patch', resource, namespace: app.namespace },
    );
  }
  return answers.find((a) => a.permission.state === 'unknown')?.permission ?? ALLOWED;
}
