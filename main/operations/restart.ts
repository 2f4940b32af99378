import { RESTARTED_AT_ANNOTATION, type App, type Process } from '../../shared/app-model';
import type { OperationResult, ParsedInput } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { kubectlRolloutRestart } from '../../shared/kubectl-command';
import type { SessionPort } from './session-port';
import { mergePatchDeployment } from './cluster-writes';
import {
  accepted,
  deploymentRef,
  kubectlTarget,
  podNames,
  requireApp,
  requirePermission,
  requireProcess,
  requireSession,
  type OperationContext,
} from './operation-context';
import type { TrackedDeployment } from './rollout-progress';

/**
 * Restart as `kubectl rollout restart` does: a new `restartedAt` annotation on the pod template,
 * so the Deployment replaces its pods one by one. The app's restart covers its processes, not its
 * workspace: restarting a workspace ends whoever is working in it, so that is asked for by name.
 */

/** The template patch of a restart at `at`; `metadata` merges into the Deployment's own. */
export function restartPatch(at: string, metadata: object = {}): object {
  return {
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at } } } },
  };
}

/** One restart write: the merge patch for a process's Deployment and the replicas it sets, if any. */
export interface RestartWrite {
  process: Process;
  patch: object;
  replicas: number | null;
}

/** Patches each process's Deployment in turn; returns what to track. */
export async function restartProcesses(
  session: SessionPort,
  app: App,
  writes: readonly RestartWrite[],
): Promise<TrackedDeployment[]> {
  const tracked: TrackedDeployment[] = [];
  for (const { process, patch, replicas } of writes) {
    const written = await mergePatchDeployment(
      deploymentRef(session, app.namespace, process.deployment),
      patch,
    );
    tracked.push({
      process: process.name,
      deployment: process.deployment,
      generation: written.metadata?.generation ?? null,
      replicas,
      podsBefore: podNames(process),
    });
  }
  return tracked;
}

export async function restart(
  ctx: OperationContext,
  input: ParsedInput<'app.restart'>,
): Promise<OperationResult> {
  const session = requireSession(ctx, 'restart');
  const app = requireApp(session, input.namespace, input.app);
  const targets =
    input.process === undefined
      ? app.processes.filter((p) => p.replicas.desired > 0)
      : [requireProcess(app, input.process)];
  if (targets.length === 0 || targets.every((p) => p.replicas.desired === 0)) {
    const what = input.process ?? app.name;
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `${what} has no running replica to restart. Use Start, or set its replicas.`,
      { namespace: app.namespace, app: app.name, process: input.process ?? null },
    );
  }
  requirePermission(app, 'patch', `restart ${input.process ?? app.name}`);
  const at = new Date().toISOString();
  const tracked = await restartProcesses(
    session,
    app,
    targets.map((process) => ({ process, patch: restartPatch(at), replicas: null })),
  );
  const previous =
    input.process === undefined ? app.lastRestartAt : (targets[0]?.lastRestartAt ?? null);
  return accepted(
    ctx,
    session,
    app,
    {
      process: input.process ?? null,
      kind: 'restart',
      from: previous,
      to: at,
      command: kubectlRolloutRestart(
        kubectlTarget(session, app.namespace),
        targets.map((p) => p.deployment),
      ),
    },
    tracked,
    input.process === undefined
      ? `${app.name} restarted: all its pods were replaced.`
      : `${input.process} restarted: its pods were replaced.`,
    [],
  );
}
