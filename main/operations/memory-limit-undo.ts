import type { ActivityEntry, OperationResult } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { quantityBytes } from '../model/memory-limits';
import type { OperationContext } from './index';
import {
  prepareMemoryChange,
  refuseMemoryPlan,
  templatePerReplica,
  writeMemoryLimit,
} from './memory-limit';
import { planMemoryLimitChange } from './memory-limit-plan';

/**
 * Undo of a memory limit change: the container's limit (and its request, where the change lowered
 * it) put back as they were before it, or the limit removed where it had none of its own (the
 * namespace default applies again). The same guards as the change: it goes ahead only while the
 * template still has what the change set (never over a later change), and a limit put back is
 * judged against the quota and the nodes like any other.
 */
export async function undoMemoryLimit(
  ctx: OperationContext,
  entry: ActivityEntry,
): Promise<OperationResult> {
  const before = ctx.log.change(entry.id)?.targets[0]?.memoryBefore;
  if (!before) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      'This memory limit change does not say what the limit was before it, so there is nothing to go back to. Set the limit yourself.',
      { id: entry.id },
    );
  }
  const prepared = await prepareMemoryChange(
    ctx,
    { namespace: entry.namespace, app: entry.app, process: entry.process ?? '' },
    'undo',
  );
  const { process, facts } = prepared;
  const warnings: string[] = [];
  if (before.limit !== null) {
    const plan = planMemoryLimitChange(before.limit, facts);
    // Going back is the admin's own earlier state: the risk is said, not asked again here.
    refuseMemoryPlan(plan, process, { acknowledgeRisk: true });
    if (plan.predictedOverLimit) {
      warnings.push(
        `A replica of ${process.name} uses more than ${before.limit}: it may be OOMKilled.`,
      );
    }
  }
  // What the change set, per replica, as the template reads with it: the guard's expected value.
  const set = typeof entry.to === 'string' && quantityBytes(entry.to) !== null ? entry.to : null;
  const expected = templatePerReplica(facts, set);
  try {
    return await writeMemoryLimit(
      ctx,
      prepared,
      {
        limit: before.limit,
        ...(before.requestLowered ? { request: before.request } : {}),
        perReplicaBytes: templatePerReplica(facts, before.limit),
        expectedLimitBytes: expected,
        force: false,
        doneMessage:
          before.limit === null
            ? `${process.name} runs on the namespace's default memory limit again.`
            : `${process.name} runs with a memory limit of ${before.limit} per replica again.`,
        warnings,
      },
      entry.id,
    );
  } catch (error) {
    if (!(error instanceof ScaleDeskError) || error.code !== 'CONFLICT') throw error;
    const now = error.details?.['current'];
    throw new ScaleDeskError(
      'CONFLICT',
      `${process.name} now has ${typeof now === 'number' ? formatBytes(now) : 'another memory limit'} per replica, not the ${formatBytes(expected)} this change set: undoing it would overwrite a later change.`,
      { ...error.details, id: entry.id, expected },
    );
  }
}
