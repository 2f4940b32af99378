import type { MemoryProfile } from './app-profiles';
import type { ProcessShape } from './process-command';

/**
 * How much memory a container of a Python web app uses: a base (interpreter, framework, the
 * master process) plus one share per worker, each worker holding its own copy of the app and
 * its data. With `--preload` the app is loaded once in the master before forking, so workers
 * share most of it (copy-on-write) and each costs less. On top: a start-up ramp, slow drift
 * (caches filling and emptying) and a little noise, and an optional surge (a dataset that no
 * longer fits) that the sandbox uses to push an app past its limit.
 */

const MIB = 1024 * 1024;
/** With --preload a worker keeps this share of its own copy; the rest stays shared. */
const PRELOAD_PRIVATE_SHARE = 0.45;
const DRIFT_AMPLITUDE = 0.035;
const DRIFT_PERIOD_MS = 20 * 60 * 1000;
const NOISE = 0.012;

export interface ContainerMemoryState {
  startedAtMs: number;
  /** 0..1, sets the phase of the drift so pods do not move in lockstep. */
  phase: number;
  /** Extra bytes on top of the steady use: the surge that makes a pod pass its limit. */
  surgeBytes: number;
}

/** The usage the container settles at, without drift, noise or surge. */
export function steadyMemoryBytes(profile: MemoryProfile, shape: ProcessShape): number {
  if (!shape.preload) return (profile.baseMiB + shape.workers * profile.perWorkerMiB) * MIB;
  const shared = profile.perWorkerMiB * (1 - PRELOAD_PRIVATE_SHARE);
  const perWorker = profile.perWorkerMiB * PRELOAD_PRIVATE_SHARE;
  return (profile.baseMiB + shared + shape.workers * perWorker) * MIB;
}

export function containerMemoryBytes(
  profile: MemoryProfile,
  shape: ProcessShape,
  state: ContainerMemoryState,
  nowMs: number,
  rampMs: number,
): number {
  const steady = steadyMemoryBytes(profile, shape);
  const age = Math.max(0, nowMs - state.startedAtMs);
  const ramp = rampMs > 0 ? Math.min(1, 0.55 + (0.45 * age) / rampMs) : 1;
  const drift =
    1 + DRIFT_AMPLITUDE * Math.sin(2 * Math.PI * (nowMs / DRIFT_PERIOD_MS + state.phase));
  const noise = 1 + NOISE * (Math.random() * 2 - 1);
  return Math.round(steady * ramp * drift * noise + state.surgeBytes);
}

/** The highest the steady use can drift and jitter to: a limit above this is never passed. */
export function peakMemoryBytes(profile: MemoryProfile, shape: ProcessShape): number {
  return steadyMemoryBytes(profile, shape) * (1 + DRIFT_AMPLITUDE) * (1 + NOISE);
}
