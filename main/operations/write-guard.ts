import { ScaleDeskError } from '../../shared/errors';
import type { WorkloadObject } from '../model/workload';
import { readWorkload } from './cluster-writes';
import type { WorkloadRef } from './workload-ref';

/**
 * The write guard, and the one place that decides what counts as a conflict: whether a write of
 * ScaleDesk's would overwrite a change the admin has not seen.
 *
 * The renderer says what the admin saw (the replica or worker count on screen when they began the
 * change); the guard compares it with the value the workload (Deployment or StatefulSet) has now, refuses with the
 * operation's CONFLICT (naming the value now) where they differ, and otherwise writes at the
 * workload's current resourceVersion, so the write cannot land on any object but the one judged
 * (with `force`, "Apply anyway", it writes over whatever is there).
 * Values, not versions, are compared: a workload's resourceVersion moves with every status update
 * its controller makes, none of which is a change the admin would need to see first.
 */

/** A guarded field's value: replicas, or workers (null: not set, gunicorn's default). */
export type FieldValue = number | null;

/** ScaleDesk's own last write of a field: the value it replaced and the value it set. */
export interface OwnWrite {
  from: FieldValue;
  to: FieldValue;
}

export type Verdict = 'write' | 'conflict';

/**
 * The judgement, for the value the workload has `now`. A write goes ahead where the admin asked
 * for it over a newer value (`force`), where they did not say what they saw (`expected`
 * undefined: nothing to compare), where what they saw is still there, or where the only change
 * since is ScaleDesk's own last write (they saw its `from` and it set what is there now): a retry,
 * or a second change made before the model caught up with the first, is not someone else's change.
 */
export function judge(
  now: FieldValue,
  expected: FieldValue | undefined,
  force: boolean,
  own: OwnWrite | undefined,
): Verdict {
  if (force || expected === undefined || expected === now) return 'write';
  if (own && own.from === expected && own.to === now) return 'write';
  return 'conflict';
}

/** One guarded write: a field of one workload, what the admin saw of it, and how to write. */
export interface GuardedWrite<V extends FieldValue, T> {
  ref: WorkloadRef;
  /** The field written ('replicas', 'workers'): the key of ScaleDesk's own last write of it. */
  field: string;
  /** The field's value in a workload, read as the model reads it. */
  valueIn: (deployment: WorkloadObject) => V;
  /** What the admin saw; undefined where the caller did not say. */
  expected: V | undefined;
  /** Write even where the value now is not the one the admin saw. */
  force: boolean;
  /** The value the write sets. */
  wanted: V;
  /** The workload as the watch last delivered it: judged first, as that costs no request. */
  cached: WorkloadObject | undefined;
  /**
   * The write, made from `current` (a patch is computed from the object it applies to) and
   * carrying `resourceVersion`, so the cluster refuses it (409) where the object has moved since;
   * null: unguarded (`force`).
   */
  write: (current: WorkloadObject, resourceVersion: string | null) => Promise<T>;
  /** The operation's CONFLICT, saying what `now` has (null: the workload could not be read). */
  conflict: (now: WorkloadObject | null) => ScaleDeskError;
}

export interface Written<V extends FieldValue, T> {
  result: T;
  /** The value the write replaced: the one judged, on the object written at. */
  replaced: V;
}

/** Writes refused with 409 and judged again before the refusal is the operation's CONFLICT. */
const MAX_JUDGEMENTS = 4;

function isConflict(error: unknown): boolean {
  return error instanceof ScaleDeskError && error.code === 'CONFLICT';
}

/** Guards the writes of one set of operations, remembering ScaleDesk's own last write of each field. */
export class WriteGuard {
  private readonly ownWrites = new Map<string, OwnWrite>();

  async write<V extends FieldValue, T>(request: GuardedWrite<V, T>): Promise<Written<V, T>> {
    const { ref, valueIn, expected, force } = request;
    const key = [ref.context, ref.namespace, ref.kind, ref.name, request.field].join('\n');
    const own = this.ownWrites.get(key);
    const verdict = (deployment: WorkloadObject): Verdict =>
      judge(valueIn(deployment), expected, force, own);
    const attempt = (deployment: WorkloadObject): Promise<T> =>
      request.write(deployment, deployment.metadata?.resourceVersion ?? null);

    // The watch may lag the cluster (ScaleDesk's own write a moment ago not seen yet): a conflict
    // is only ever said from the cluster's own answer, never from the watch's copy alone.
    let current = request.cached;
    if (!current || force || verdict(current) === 'conflict') current = await readWorkload(ref);
    if (verdict(current) === 'conflict') throw request.conflict(current);

    if (force) {
      // "Apply anyway" writes over whatever is there, so the cluster's version guards nothing the
      // admin wants kept; the write is still made from the workload just read.
      return this.written(
        key,
        valueIn(current),
        request.wanted,
        await request.write(current, null),
      );
    }
    for (let judged = 1; ; judged++) {
      try {
        const result = await attempt(current);
        return this.written(key, valueIn(current), request.wanted, result);
      } catch (error) {
        if (!isConflict(error)) throw error;
        // 409: the object moved between the read and the write, often by its status alone (a
        // write that waited out a throttled answer is sent again at the version it was judged
        // at, so a rollout's status updates meanwhile refuse it). Judged again, by the same rule,
        // against the object as the cluster has it now; a few times, then it is a conflict.
        const fresh = await readWorkload(ref).catch(() => null);
        if (!fresh || verdict(fresh) === 'conflict' || judged >= MAX_JUDGEMENTS) {
          throw request.conflict(fresh);
        }
        current = fresh;
      }
    }
  }

  private written<V extends FieldValue, T>(
    key: string,
    replaced: V,
    wanted: V,
    result: T,
  ): Written<V, T> {
    // A write of the value already there changed nothing: the last change stays the one to know.
    if (replaced !== wanted) this.ownWrites.set(key, { from: replaced, to: wanted });
    return { result, replaced };
  }
}
