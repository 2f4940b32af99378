import type { OperationResult } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import {
  requireApp,
  requireProcess,
  requireSession,
  type OperationContext,
} from './operation-context';
import { setReplicas } from './replicas';
import { setWorkers } from './workers';

/**
 * Undo a change of replicas or workers: itself an operation, with the same guards, logged as a
 * new entry pointing at the one it undoes. It only goes ahead while the process still has what
 * that change set: undoing must never overwrite a later change, ours or someone else's.
 */
export async function undo(ctx: OperationContext, id: string): Promise<OperationResult> {
  const entry = ctx.log.get(id);
  if (!entry) {
    throw new ScaleDeskError('NOT_FOUND', 'That change is not in the activity log.', { id });
  }
  if (entry.kind !== 'replicas' && entry.kind !== 'workers') {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `Only changes of replicas or workers can be undone; this was a ${entry.kind}.`,
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
  if (entry.context !== null && entry.context !== session.contextName) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `This change was made on context "${entry.context}"; connect to it to undo the change.`,
      { id, context: entry.context },
    );
  }
  const app = requireApp(session, entry.namespace, entry.app);
  const process = requireProcess(app, entry.process ?? '');
  const word = entry.kind === 'replicas' ? 'replica' : 'worker';
  const now = entry.kind === 'replicas' ? process.replicas.desired : process.workers?.count;
  if (now !== entry.to) {
    throw new ScaleDeskError(
      'CONFLICT',
      `${process.name} now has ${now === null || now === undefined ? 'an unknown number of' : now} ${word}s, not the ${entry.to} this change set: undoing it would overwrite a later change.`,
      { id, current: now ?? null, expected: entry.to },
    );
  }
  if (typeof entry.from !== 'number') {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `Before this change the worker count of ${process.name} was not on its command line (gunicorn's default or a config file), so there is no number to go back to. Set the workers yourself.`,
      { id },
    );
  }
  const ref = { namespace: entry.namespace, app: entry.app, process: process.name };
  // Guarded by the version the model holds now, the same as a change made from the editor.
  const expectedVersion = process.resourceVersion;
  return entry.kind === 'replicas'
    ? setReplicas(ctx, { ...ref, replicas: entry.from, expectedVersion }, id)
    : setWorkers(ctx, { ...ref, workers: entry.from, expectedVersion }, id);
}
