import type { OperationResult } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { inScope } from '../store/activity-log';
import { clusterIdentity } from './cluster-identity';
import type { OperationContext } from './index';
import { requireApp, requireProcess, requireSession } from './preconditions';
import { undoAutoscaler } from './autoscaler';
import { undoMemoryDefault } from './memory-default';
import { undoMemoryLimit } from './memory-limit-undo';
import { setReplicas } from './replicas';
import { removeAddedWorkers, setWorkers } from './workers';

/**
 * Undo a change of replicas, workers, an autoscaler's range or a memory limit: itself an operation, with the same guards, logged as a
 * new entry pointing at the one it undoes. It only goes ahead while the process still has what
 * that change set: undoing must never overwrite a later change, ours or someone else's. That is
 * the write guard's judgement like any other, with what the change set as the value expected.
 */
export async function undo(ctx: OperationContext, id: string): Promise<OperationResult> {
  const entry = ctx.log.get(id);
  if (!entry) {
    throw new ScaleDeskError('NOT_FOUND', 'That change is not in the activity log.', { id });
  }
  if (entry.kind === 'memory-default') return undoMemoryDefault(ctx, entry);
  if (
    entry.kind !== 'replicas' &&
    entry.kind !== 'workers' &&
    entry.kind !== 'autoscaler' &&
    entry.kind !== 'memory-limit'
  ) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `Only changes of replicas, workers, a memory limit or an autoscaler can be undone; this was a ${entry.kind}.`,
      { id, kind: entry.kind },
    );
  }
  const undoneBy = ctx.log.undoneBy(id);
  if (undoneBy) {
    throw new ScaleDeskError('INVALID_INPUT', `This change was already undone at ${undoneBy.at}.`, {
      id,
      undoneBy: undoneBy.id,
    });
  }
  const session = requireSession(ctx, 'undo');
  // The cluster, not the context's name: another cluster may have a context of the same name.
  const logged = ctx.log.change(id);
  const here = { cluster: clusterIdentity(session.kubeConfig), context: session.contextName };
  if (logged && !inScope(logged, here)) {
    const sameName = entry.context === session.contextName;
    throw new ScaleDeskError(
      'INVALID_INPUT',
      sameName
        ? `This change was made on another cluster whose context is also named "${entry.context}"; connect to that cluster to undo the change.`
        : `This change was made on context "${entry.context}"; connect to it to undo the change.`,
      { id, context: entry.context },
    );
  }
  const app = requireApp(session, entry.namespace, entry.app);
  const process = requireProcess(app, entry.process ?? '');
  if (entry.kind === 'autoscaler') return undoAutoscaler(ctx, entry);
  if (entry.kind === 'memory-limit') return undoMemoryLimit(ctx, entry);
  if (typeof entry.to !== 'number') {
    // Replica and worker changes always set a count: a log that says otherwise was not ours.
    throw new ScaleDeskError('INTERNAL', `The change ${id} does not say which count it set.`, {
      id,
    });
  }
  if (entry.kind === 'workers' && entry.from === null) {
    // Nothing set the count before (a config file, or gunicorn's default): remove what was added.
    const ref = { namespace: entry.namespace, app: entry.app, process: process.name };
    return removeAddedWorkers(ctx, ref, entry.to, id);
  }
  if (typeof entry.from !== 'number') {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `Before this change the worker count of ${process.name} was not known (a variable without a value), so there is no number to go back to. Set the workers yourself.`,
      { id },
    );
  }
  const ref = { namespace: entry.namespace, app: entry.app, process: process.name };
  const set = entry.to;
  try {
    return entry.kind === 'replicas'
      ? await setReplicas(ctx, { ...ref, replicas: entry.from, expectedReplicas: set }, id)
      : await setWorkers(ctx, { ...ref, workers: entry.from, expectedWorkers: set }, id);
  } catch (error) {
    if (!(error instanceof ScaleDeskError) || error.code !== 'CONFLICT') throw error;
    // The guard's refusal, said as what it means for an undo.
    const now = error.details?.['current'];
    const word = entry.kind === 'replicas' ? 'replica' : 'worker';
    throw new ScaleDeskError(
      'CONFLICT',
      `${process.name} now has ${typeof now === 'number' ? now : 'an unknown number of'} ${word}s, not the ${set} this change set: undoing it would overwrite a later change.`,
      { ...error.details, id, current: typeof now === 'number' ? now : null, expected: set },
    );
  }
}
