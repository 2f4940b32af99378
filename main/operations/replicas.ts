import { REPLICAS_BEFORE_STOP_ANNOTATION, type Process } from '../../shared/app-model';
import type { OperationResult, ParsedInput } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { plural } from '../../shared/format';
import { kubectlScale, workloadOf } from '../../shared/kubectl-command';
import { planReplicas } from '../../shared/replica-plan';
import { acceptChange, beginChange } from './accept-change';
import type { WorkloadObject } from '../model/workload';
import { mergePatchWorkload, patchScale } from './cluster-writes';
import type { OperationContext } from './index';
import { requireApp, requirePermission, requireSession } from './preconditions';
import { kubectlTarget, podNames, workloadRef, type WorkloadRef } from './workload-ref';

/** A workload's replicas as the model reads them (the API server defaults a missing one to 1). */
export function replicasIn(workload: WorkloadObject): number {
  return workload.spec?.replicas ?? 1;
}

/**
 * Set the replicas of one process through the scale subresource of its Deployment or
 * StatefulSet, guarded by the count the admin
 * saw: a change made meanwhile by someone else is a CONFLICT saying what it is now, never
 * overwritten (unless `force`). Whatever cannot fit under the pod quota or on the nodes is
 * refused with the numbers before anything is sent.
 */
export async function setReplicas(
  ctx: OperationContext,
  input: ParsedInput<'process.setReplicas'>,
  undoOf: string | null = null,
): Promise<OperationResult> {
  const session = requireSession(ctx, 'set replicas');
  // The free node slots judged below are at most 30 s old (a one-namespace session reads them).
  await session.podRoom?.fresh();
  const app = requireApp(session, input.namespace, input.app);
  const result = planReplicas(app, input.process, input.replicas, ctx.settings.get().maxReplicas);
  if (!result.ok) {
    throw new ScaleDeskError(result.code, result.message, {
      namespace: app.namespace,
      app: app.name,
      process: input.process,
    });
  }
  const { plan } = result;
  if (!plan.fits) {
    throw new ScaleDeskError('QUOTA_EXCEEDED', plan.refusal ?? 'The change does not fit.', {
      from: plan.from,
      to: plan.to,
      newPods: plan.newPods,
      ...plan.pods,
    });
  }
  const process = app.processes.find((p) => p.name === input.process)!;
  if (!input.force) refuseAutoscaledCount(process, plan.to);
  await requirePermission(session, app, [process], 'scale', `scale ${input.process}`);
  const ref = workloadRef(session, app.namespace, process);
  const warnings: string[] = [];
  const doneMessage = `${process.name} runs ${plural(plan.to, 'replica')}.`;
  // Logged before it is sent: the count the model shows as `from`, until the write says.
  const change = beginChange(
    ctx,
    session,
    app,
    {
      process: process.name,
      kind: 'replicas',
      from: process.replicas.desired,
      to: plan.to,
      command: kubectlScale(kubectlTarget(session, app.namespace), workloadOf(process), plan.to),
      undoOf,
    },
    [
      {
        process: process.name,
        kind: process.workloadKind,
        deployment: process.deployment,
        replicas: plan.to,
      },
    ],
    doneMessage,
  );

  const { replaced } = await change.send(() =>
    ctx.guard.write({
      ref,
      field: 'replicas',
      valueIn: replicasIn,
      expected: input.expectedReplicas,
      force: input.force ?? false,
      wanted: plan.to,
      cached: session.getWorkload(ref.kind, app.namespace, process.deployment),
      write: (_current, version) => patchScale(ref, plan.to, version),
      conflict: (now) => conflict(now, process.name, plan.to),
    }),
  );
  // Stopped: remember the replicas so Start can bring them back. After the scale, not before:
  // the guarded write must be the first, and the controller moves the version right after it.
  if (plan.to === 0 && replaced > 0) {
    const remembered = await rememberReplicas(
      ref,
      replaced,
      app.permissions.patch.state !== 'denied',
    );
    if (!remembered) {
      warnings.push(
        `${process.name}'s ${plural(replaced, 'replica')} could not be remembered: Start will bring back 1.`,
      );
    }
    warnings.push(`${process.name} is stopped: no replica runs. Start brings it back.`);
  }
  return acceptChange(
    ctx,
    change,
    // What the write replaced, which the model may not have shown yet.
    { from: replaced },
    [
      {
        process: process.name,
        kind: process.workloadKind,
        deployment: process.deployment,
        generation: null,
        replicas: plan.to,
        podsBefore: podNames(process),
      },
    ],
    warnings,
  );
}

async function rememberReplicas(
  ref: WorkloadRef,
  replicas: number,
  allowed: boolean,
): Promise<boolean> {
  if (!allowed) return false;
  try {
    await mergePatchWorkload(ref, {
      metadata: { annotations: { [REPLICAS_BEFORE_STOP_ANNOTATION]: String(replicas) } },
    });
    return true;
  } catch {
    return false;
  }
}

/** Says what the other change left, from the workload as the guard read it. */
function conflict(current: WorkloadObject | null, process: string, yours: number): ScaleDeskError {
  const replicas = current ? replicasIn(current) : null;
  const message =
    replicas === null
      ? `${process} was changed by someone else since you read it; yours was ${yours}. Nothing was written.`
      : `${process} was changed to ${plural(replicas, 'replica')} by someone else; yours was ${yours}. Nothing was written.`;
  return new ScaleDeskError('CONFLICT', message, {
    current: replicas,
    yours,
    resourceVersion: current?.metadata?.resourceVersion ?? null,
  });
}

/**
 * A count written to a process an active autoscaler owns is put back at the autoscaler's next
 * sync: refused before anything is sent, naming what works instead. The renderer edits the
 * autoscaler's range for such a process; this guards every other caller (the API, an Undo);
 * `force` writes it all the same (the autoscaler then supersedes it). Scale to 0 stays allowed (Kubernetes does not autoscale a target at 0), and so does a count
 * for an autoscaler that is not scaling now (its target at 0: the count is a Start).
 */
function refuseAutoscaledCount(process: Process, to: number): void {
  const autoscaler = process.autoscaler;
  if (!autoscaler || !autoscaler.active || to === 0) return;
  throw new ScaleDeskError(
    'INVALID_INPUT',
    `${process.name}'s count is set by ${autoscaler.kind} ${autoscaler.name} (${autoscaler.minReplicas}–${autoscaler.maxReplicas}): a count written to ${process.name} would be put back at its next sync. Change the autoscaler's minimum and maximum instead, or scale to 0 to stop ${process.name}.`,
    { field: 'replicas', autoscaler: autoscaler.name },
  );
}
