import type { Process } from './app-model';
import { WORKERS_CEILING } from './contract';
import { formatBytes } from './format';
import { knownWorkerCount } from './gunicorn-workers';

/**
 * What a new gunicorn worker count would do to one replica, from what is measured now: each
 * worker is a copy of the app, so a replica's memory grows with the count. Shown as a preview in
 * the editor and returned as warnings by main after the change is sent.
 */

/** 2 to 4 workers suits most apps (DOMAIN.md, from the Scale tab documentation). */
export const RECOMMENDED_WORKERS = { min: 2, max: 4 } as const;

/** Past this share of the memory limit a replica is close to being stopped by it. */
export const MEMORY_CAUTION_SHARE = 0.9;

export type WorkersValidation = { ok: true; workers: number } | { ok: false; message: string };

/**
 * A caution on a worker change, with what it is about: callers pick warnings by `kind` (the editor
 * marks the over-limit one as danger, the preload one as its own) and show `message` verbatim.
 */
export type WorkerWarning =
  /** The estimate passes the memory limit: the replica would be stopped by it. */
  | { kind: 'over-limit'; message: string }
  /** The estimate is within {@link MEMORY_CAUTION_SHARE} of the limit. */
  | { kind: 'little-room'; message: string }
  /** `--preload` is on: no shared database connection pools. */
  | { kind: 'preload'; message: string }
  /** The count is outside {@link RECOMMENDED_WORKERS}. */
  | { kind: 'outside-recommended'; message: string };

export type WorkerWarningKind = WorkerWarning['kind'];

export interface WorkerPlan {
  process: string;
  /** The count gunicorn runs now; null where the command does not say (config file). */
  from: number | null;
  to: number;
  /** Memory of one worker measured now; null without metrics. */
  memoryPerWorkerBytes: number | null;
  /** Estimated memory of one replica at the new count; null without metrics. */
  estimatedReplicaBytes: number | null;
  memoryLimitBytes: number;
  /** The estimate passes the limit: the replica would be stopped by its memory limit. */
  overLimit: boolean;
  preload: boolean;
  withinRecommended: boolean;
  /** Cautions to show before and after the change, meant to be shown verbatim. */
  warnings: WorkerWarning[];
}

export type WorkerPlanResult =
  { ok: true; plan: WorkerPlan } | { ok: false; code: 'INVALID_INPUT'; message: string };

/** The worker count the editor holds: a whole number from 1 to `ceiling`. */
export function validateWorkers(value: unknown, ceiling = WORKERS_CEILING): WorkersValidation {
  if (typeof value === 'string')
    return { ok: false, message: 'Workers must be a number, not text.' };
  if (typeof value !== 'number') return { ok: false, message: 'Enter a number of workers.' };
  if (Number.isNaN(value)) return { ok: false, message: 'Workers must be a number.' };
  if (!Number.isInteger(value) && Number.isFinite(value)) {
    return { ok: false, message: 'Workers must be a whole number.' };
  }
  if (value < 1) return { ok: false, message: 'A gunicorn process needs at least 1 worker.' };
  if (value > ceiling) return { ok: false, message: `Workers cannot be more than ${ceiling}.` };
  return { ok: true, workers: value };
}

export const PRELOAD_WARNING =
  '--preload is on: the app is loaded once and shared by the workers. Do not combine it with shared database connection pools; each worker must open its own connections after the fork.';

/**
 * The effect of running `to` workers per replica of `process`. The memory estimate is the
 * memory per worker measured now times the new count; a process that is not gunicorn cannot
 * have workers set.
 */
export function planWorkers(
  process: Process,
  to: unknown,
  ceiling = WORKERS_CEILING,
): WorkerPlanResult {
  if (process.workers === null) {
    return {
      ok: false,
      code: 'INVALID_INPUT',
      message: `${process.name} does not run gunicorn, so it has no workers to set: ${process.command}`,
    };
  }
  const valid = validateWorkers(to, ceiling);
  if (!valid.ok) return { ok: false, code: 'INVALID_INPUT', message: valid.message };
  const workers = valid.workers;
  const limit = process.memoryLimit.bytes;
  // Where a config file sets the count it is not known: no per-worker figure rests on a guess.
  const perWorker =
    knownWorkerCount(process.workers) === null ? null : process.memoryPerWorkerBytes;
  const estimate = perWorker === null ? null : perWorker * workers;
  const overLimit = estimate !== null && estimate > limit;
  const withinRecommended =
    workers >= RECOMMENDED_WORKERS.min && workers <= RECOMMENDED_WORKERS.max;

  const warnings: WorkerWarning[] = [];
  if (estimate !== null && perWorker !== null) {
    if (overLimit) {
      warnings.push({
        kind: 'over-limit',
        message: `At ${workers} workers a replica of ${process.name} would use about ${formatBytes(estimate)} (${formatBytes(perWorker)} per worker measured now), past its ${formatBytes(limit)} memory limit: it would be stopped by its memory limit.`,
      });
    } else if (estimate > limit * MEMORY_CAUTION_SHARE) {
      warnings.push({
        kind: 'little-room',
        message: `At ${workers} workers a replica of ${process.name} would use about ${formatBytes(estimate)} of its ${formatBytes(limit)} memory limit (${formatBytes(perWorker)} per worker measured now): little room is left.`,
      });
    }
  }
  if (process.workers.preload) warnings.push({ kind: 'preload', message: PRELOAD_WARNING });
  if (!withinRecommended) {
    warnings.push({
      kind: 'outside-recommended',
      message: `${RECOMMENDED_WORKERS.min} to ${RECOMMENDED_WORKERS.max} workers is the recommended range for most apps.`,
    });
  }
  return {
    ok: true,
    plan: {
      process: process.name,
      from: process.workers.count,
      to: workers,
      memoryPerWorkerBytes: perWorker,
      estimatedReplicaBytes: estimate,
      memoryLimitBytes: limit,
      overLimit,
      preload: process.workers.preload,
      withinRecommended,
      warnings,
    },
  };
}
