import { REPLICAS_BEFORE_STOP_ANNOTATION } from '../../shared/app-model';
import type { OperationResult, ParsedInput } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { kubectlScale } from '../../shared/kubectl-command';
import { planReplicas } from '../../shared/replica-plan';
import { mergePatchDeployment, patchScale, readDeployment } from './cluster-writes';
import {
  accepted,
  deploymentRef,
  kubectlTarget,
  plural,
  podNames,
  requireApp,
  requirePermission,
  requireSession,
  type OperationContext,
} from './context';

/**
 * Set the replicas of one process through the scale subresource, guarded by the version the
 * admin read: a change made meanwhile by someone else is a CONFLICT saying what it is now, never
 * overwritten (unless `force`). Whatever cannot fit under the pod quota or on the nodes is
 * refused with the numbers before anything is sent.
 */
export async function setReplicas(
  ctx: OperationContext,
  input: ParsedInput<'process.setReplicas'>,
  undoOf: string | null = null,
): Promise<OperationResult> {
  const session = requireSession(ctx, 'set replicas');
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
  requirePermission(app, 'scale', `scale ${input.process}`);
  const process = app.processes.find((p) => p.name === input.process)!;
  const ref = deploymentRef(session, app.namespace, process.deployment);
  let guard = input.force ? null : (input.expectedVersion ?? process.resourceVersion);
  const warnings: string[] = [];

  try {
    // Stopping: remember the replicas first, so Start can bring them back.
    if (plan.to === 0 && plan.from > 0 && app.permissions.patch.allowed) {
      const annotated = await mergePatchDeployment(ref, {
        metadata: {
          ...(guard === null ? {} : { resourceVersion: guard }),
          annotations: { [REPLICAS_BEFORE_STOP_ANNOTATION]: String(plan.from) },
        },
      });
      if (guard !== null) guard = annotated.metadata?.resourceVersion ?? guard;
    } else if (plan.to === 0 && plan.from > 0) {
      warnings.push(
        `${process.name}'s ${plural(plan.from, 'replica')} could not be remembered (you may not patch deployments): Start will bring back 1.`,
      );
    }
    await patchScale(ref, plan.to, guard);
  } catch (error) {
    if (error instanceof ScaleDeskError && error.code === 'CONFLICT') {
      throw await conflict(ref, process.name, plan.from, plan.to);
    }
    throw error;
  }

  if (plan.to === 0 && plan.from > 0) {
    warnings.push(`${process.name} is stopped: no replica runs. Start brings it back.`);
  }
  return accepted(
    ctx,
    session,
    app,
    {
      process: process.name,
      kind: 'replicas',
      from: plan.from,
      to: plan.to,
      command: kubectlScale(kubectlTarget(session, app.namespace), process.deployment, plan.to),
      undoOf,
    },
    [
      {
        process: process.name,
        deployment: process.deployment,
        generation: null,
        replicas: plan.to,
        podsBefore: podNames(process),
      },
    ],
    `${process.name} runs ${plural(plan.to, 'replica')}.`,
    warnings,
  );
}

/** Reads what the Deployment is now, to say what the other change was. */
async function conflict(
  ref: Parameters<typeof readDeployment>[0],
  process: string,
  from: number,
  yours: number,
): Promise<ScaleDeskError> {
  let current: number | null = null;
  let resourceVersion: string | null = null;
  try {
    const now = await readDeployment(ref);
    current = now.spec?.replicas ?? null;
    resourceVersion = now.metadata?.resourceVersion ?? null;
  } catch {
    // The conflict is what matters; without the re-read the message is less precise.
  }
  const message =
    current === null
      ? `${process} was changed by someone else since you read it; yours was ${yours}. Nothing was written.`
      : current !== from
        ? `${process} was changed to ${plural(current, 'replica')} by someone else; yours was ${yours}. Nothing was written.`
        : `${process} was changed by someone else since you read it (it still has ${plural(current, 'replica')}); yours was ${yours}. Nothing was written.`;
  return new ScaleDeskError('CONFLICT', message, { current, yours, resourceVersion });
}
