import { RESTARTED_AT_ANNOTATION, type App, type Process } from '../../shared/app-model';
import type { OperationResult, ParsedInput } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { plural } from '../../shared/format';
import { kubectlRolloutRestart, workloadOf } from '../../shared/kubectl-command';
import { acceptChange, beginChange } from './accept-change';
import type { WorkloadObject } from '../model/workload';
import { mergePatchWorkload } from './cluster-writes';
import type { OperationContext } from './index';
import { requireApp, requirePermission, requireProcess, requireSession } from './preconditions';
import { replicasIn } from './replicas';
import type { TrackedWorkload } from './rollout-verdict';
import type { SessionPort } from './session-port';
import { kubectlTarget, podNames, workloadRef } from './workload-ref';

/**
 * Restart as `kubectl rollout restart` does: a new `restartedAt` annotation on the pod template,
 * so the Deployment (or StatefulSet) replaces its pods one by one. The app's restart covers its processes, not its
 * workspace: restarting a workspace ends whoever is working in it, so that is asked for by name.
 */

/** A merge patch of a Deployment or StatefulSet: its metadata and its spec. */
export interface DeploymentPatch {
  metadata?: Record<string, unknown>;
  spec: Record<string, unknown>;
}

/** The template patch of a restart at `at`; `metadata` merges into the workload's own. */
export function restartPatch(at: string, metadata: Record<string, unknown> = {}): DeploymentPatch {
  return {
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at } } } },
  };
}

/** One restart write: the merge patch for a process's workload and the replicas it sets, if any. */
export interface RestartWrite {
  process: Process;
  patch: DeploymentPatch;
  /** The replicas the workload has after the write, to track (null: not known here). */
  replicas: number | null;
  /** The patch changes the replicas (a stopped process started): a guarded write. */
  scales: boolean;
}

/**
 * Patches each process's workload in turn; returns what to track. A write that sets the
 * replicas goes through the write guard, expecting the replicas the model showed when the
 * operation was decided on: someone scaling the process meanwhile is not overwritten.
 */
export async function restartProcesses(
  ctx: OperationContext,
  session: SessionPort,
  app: App,
  writes: readonly RestartWrite[],
): Promise<TrackedWorkload[]> {
  const tracked: TrackedWorkload[] = [];
  for (const { process, patch, replicas, scales } of writes) {
    const ref = workloadRef(session, app.namespace, process);
    const written =
      !scales || replicas === null
        ? await mergePatchWorkload(ref, patch)
        : (
            await ctx.guard.write({
              ref,
              field: 'replicas',
              valueIn: replicasIn,
              expected: process.replicas.desired,
              force: false,
              wanted: replicas,
              cached: session.getWorkload(ref.kind, app.namespace, process.deployment),
              write: (_current, version) =>
                mergePatchWorkload(
                  ref,
                  version === null
                    ? patch
                    : { ...patch, metadata: { ...patch.metadata, resourceVersion: version } },
                ),
              conflict: (now) => scaledMeanwhile(now, process.name, replicas),
            })
          ).result;
    tracked.push({
      process: process.name,
      kind: process.workloadKind,
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
  await requirePermission(session, app, targets, 'patch', `restart ${input.process ?? app.name}`);
  const at = new Date().toISOString();
  const previous =
    input.process === undefined ? app.lastRestartAt : (targets[0]?.lastRestartAt ?? null);
  // Logged before it is sent.
  const change = beginChange(
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
        targets.map(workloadOf),
      ),
    },
    targets.map((p) => ({
      process: p.name,
      kind: p.workloadKind,
      deployment: p.deployment,
      restartedAt: at,
    })),
    input.process === undefined
      ? `${app.name} restarted: all its pods were replaced.`
      : `${input.process} restarted: its pods were replaced.`,
  );
  const tracked = await change.send(() =>
    restartProcesses(
      ctx,
      session,
      app,
      targets.map((process) => ({
        process,
        patch: restartPatch(at),
        replicas: null,
        scales: false,
      })),
    ),
  );
  return acceptChange(ctx, change, {}, tracked, []);
}

/** Says what the other change left, from the workload as the write guard read it. */
function scaledMeanwhile(
  now: WorkloadObject | null,
  process: string,
  yours: number,
): ScaleDeskError {
  const replicas = now ? replicasIn(now) : null;
  const what = replicas === null ? 'changed' : `changed to ${plural(replicas, 'replica')}`;
  return new ScaleDeskError(
    'CONFLICT',
    `${process} was ${what} by someone else meanwhile; it was left as it is, not set to ${yours}.`,
    { current: replicas, yours, resourceVersion: now?.metadata?.resourceVersion ?? null },
  );
}
