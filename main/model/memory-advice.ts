import type { V1Node } from '@kubernetes/client-node';
import { appId, GIB, type App, type Process, type WorkloadKind } from '../../shared/app-model';
import { WORKERS_CEILING, type Settings } from '../../shared/contract';
import type { AppMemoryAdvice, ProcessMemoryAdvice } from '../../shared/memory-advice';
import { processContainerIndex } from '../../shared/process-container';
import { quantityToScalar } from '../kube/client-node';
import { ScaleDeskError } from '../../shared/errors';
import type { MemoryHistory } from './memory-history';
import { replicaPeaksOf, type ReplicaPeak } from './replica-peaks';
import type { WorkloadObject } from './workload';

/**
 * A recommended memory limit per process and the worker counts that fit, as right-sizing tools
 * (Robusta KRR, Goldilocks) compute a limit: the highest memory one replica reached over the
 * history kept, plus headroom (the `recommendationHeadroom` setting), rounded up to a round
 * quantity an admin would type.
 *
 * Rounding: up to the next 256Mi below 4Gi, the next 512Mi below 16Gi, the next 1Gi above; never
 * under 256Mi. The steps grow with the limit so the advice does not move for a few MiB.
 *
 * Direction: `raise` where the recommendation passes the limit the pods run (the peak left less
 * headroom than asked); `lower` only where it is at least one rounding step under it AND the
 * history covers a day (a quiet hour is no reason to take memory away; a peak is reason enough to
 * add it); `keep` otherwise.
 *
 * A replica killed at its limit (OOMKilled) reached that limit, though the metrics, read every
 * interval, rarely catch the last moment: its limit counts as a peak, so the advice for an app
 * stopped by its limit is always to raise it.
 */

const MI = 1024 ** 2;
export const DAY_MS = 24 * 60 * 60_000;

/** The rounding step at a size: see the module's comment. */
export function roundingStep(bytes: number): number {
  if (bytes < 4 * GIB) return 256 * MI;
  if (bytes < 16 * GIB) return 512 * MI;
  return GIB;
}

/** Up to the next round quantity (a multiple of the step at that size), at least 256Mi. */
export function roundUpLimit(bytes: number): number {
  const step = roundingStep(bytes);
  return Math.max(256 * MI, Math.ceil(bytes / step) * step);
}

/** A round limit as the admin would type it: `12Gi`, `1536Mi`. */
export function limitQuantity(bytes: number): string {
  if (bytes % GIB === 0) return `${bytes / GIB}Gi`;
  return `${Math.ceil(bytes / MI)}Mi`;
}

export function adviceDirection(
  recommendedBytes: number,
  limitBytes: number,
  windowMs: number,
): 'raise' | 'lower' | 'keep' {
  if (recommendedBytes > limitBytes) return 'raise';
  if (windowMs >= DAY_MS && recommendedBytes <= limitBytes - roundingStep(limitBytes)) {
    return 'lower';
  }
  return 'keep';
}

/** The most workers whose estimate with headroom stays under the limit (worker-plan's estimate). */
export function workersThatFit(
  limitBytes: number,
  perWorkerBytes: number | null,
  headroom: number,
): number | null {
  if (perWorkerBytes === null || perWorkerBytes <= 0) return null;
  return Math.min(WORKERS_CEILING, Math.floor(limitBytes / (perWorkerBytes * (1 + headroom))));
}

/** 2 to 4 workers per core (the seeds' rule of thumb), at least 1 on a fraction of a core. */
export function perCoreRange(cores: number | null): [number, number] | null {
  if (cores === null) return null;
  return [Math.max(1, Math.floor(2 * cores)), Math.max(1, Math.floor(4 * cores))];
}

/** A CPU quantity (`500m`, `2`) as cores; null where absent or not a quantity. */
export function cpuCores(quantity: string | undefined): number | null {
  if (!quantity) return null;
  try {
    const cores = Number(quantityToScalar(quantity));
    return Number.isFinite(cores) && cores > 0 ? cores : null;
  } catch {
    return null;
  }
}

/** The CPU limit of the process's own container, from the workload's template. */
export function containerCpuLimit(workload: WorkloadObject | undefined): number | null {
  const containers = workload?.spec?.template?.spec?.containers ?? [];
  const container = containers[processContainerIndex(containers)];
  const limit: unknown = container?.resources?.limits?.['cpu'];
  return cpuCores(typeof limit === 'string' ? limit : undefined);
}

/**
 * The cores of the nodes the process's pods run on, the smallest (the rule must hold on each);
 * where none is placed, the smallest node a new one could land on.
 */
export function nodeCores(process: Process, nodes: Iterable<V1Node>): number | null {
  const placed = new Set(process.pods.map((pod) => pod.node).filter((node) => node !== null));
  let onPlaced: number | null = null;
  let anywhere: number | null = null;
  for (const node of nodes) {
    const cores = cpuCores(node.status?.capacity?.['cpu']);
    if (cores === null) continue;
    anywhere = anywhere === null ? cores : Math.min(anywhere, cores);
    if (placed.has(node.metadata?.name ?? '')) {
      onPlaced = onPlaced === null ? cores : Math.min(onPlaced, cores);
    }
  }
  return onPlaced ?? (placed.size === 0 ? anywhere : null);
}

/** The highest memory a replica is known to have reached: the peak measured, or an OOMKill's limit. */
function knownPeak(process: Process, measured: number | null): number | null {
  let peak = measured;
  for (const pod of process.pods) {
    if (pod.lastTermination?.reason === 'OOMKilled') {
      peak = Math.max(peak ?? 0, pod.memoryLimitBytes ?? process.memoryLimit.bytes);
    }
  }
  return peak;
}

export interface AdviceSources {
  /** The process's replica peak over the history kept (model/replica-peaks.ts). */
  peak: (process: string) => ReplicaPeak;
  /** The process's workload as watched, for its container's CPU limit. */
  workload: (process: Process) => WorkloadObject | undefined;
  /** The cluster's nodes as watched (empty where they may not be read). */
  nodes: () => Iterable<V1Node>;
}

export function adviseProcess(
  process: Process,
  headroom: number,
  sources: AdviceSources,
): ProcessMemoryAdvice {
  const { peakBytes: measured, windowMs } = sources.peak(process.name);
  const peakBytes = knownPeak(process, measured);
  const limitBytes = process.memoryLimit.bytes;
  const recommendedLimitBytes =
    peakBytes === null ? null : roundUpLimit(peakBytes * (1 + headroom));
  let workers: ProcessMemoryAdvice['workers'] = null;
  if (process.workers) {
    // A count the config file decides is unknown here: no per-worker figure rests on a guess.
    const unknownCount = process.workers.count === null && process.workers.configFile !== null;
    const perWorkerBytes = unknownCount ? null : process.memoryPerWorkerBytes;
    const cores =
      containerCpuLimit(sources.workload(process)) ?? nodeCores(process, sources.nodes());
    workers = {
      perWorkerBytes,
      fitCount: workersThatFit(limitBytes, perWorkerBytes, headroom),
      cores,
      perCoreRange: perCoreRange(cores),
    };
  }
  return {
    process: process.name,
    peakBytes,
    windowMs,
    recommendedLimitBytes,
    recommendedLimit: recommendedLimitBytes === null ? null : limitQuantity(recommendedLimitBytes),
    direction:
      recommendedLimitBytes === null
        ? null
        : adviceDirection(recommendedLimitBytes, limitBytes, windowMs),
    workers,
  };
}

/** Advice for each scaled process of the app (the workspace is not scaled, nor advised). */
export function adviseApp(app: App, headroom: number, sources: AdviceSources): AppMemoryAdvice {
  return {
    headroom,
    processes: app.processes.map((process) => adviseProcess(process, headroom, sources)),
  };
}

/** What `app.memoryAdvice` reads of the live session (session/cluster-session.ts). */
export interface AdviceSession {
  readonly history: MemoryHistory;
  getApp(appId: string): App | undefined;
  getWorkload(kind: WorkloadKind, namespace: string, name: string): WorkloadObject | undefined;
  /** The cluster's nodes as watched; empty where they may not be read. */
  nodes(): Iterable<V1Node>;
}

/** `app.memoryAdvice`: the app's advice now, from the session's history; NOT_FOUND where no such app. */
export function memoryAdviceOf(
  session: AdviceSession,
  ref: { namespace: string; app: string },
  settings: Pick<Settings, 'recommendationHeadroom'>,
  now: number = Date.now(),
): AppMemoryAdvice {
  const id = appId(ref.namespace, ref.app);
  const app = session.getApp(id);
  if (!app) {
    throw new ScaleDeskError(
      'NOT_FOUND',
      `There is no app "${ref.app}" in namespace "${ref.namespace}".`,
      { namespace: ref.namespace, app: ref.app },
    );
  }
  const peaks = replicaPeaksOf(session.history);
  return adviseApp(app, settings.recommendationHeadroom, {
    peak: (process) => peaks.peak(id, process, now),
    workload: (process) =>
      session.getWorkload(process.workloadKind, app.namespace, process.deployment),
    nodes: () => session.nodes(),
  });
}
