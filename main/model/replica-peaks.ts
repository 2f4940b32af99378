import type { App } from '../../shared/app-model';
import type { Sample } from '../../shared/contract';
import { DEFAULT_HISTORY_OPTIONS, type MemoryHistory } from './memory-history';

/**
 * The highest memory of any one replica of each process, over the span the memory history keeps,
 * for the recommended limit (model/memory-advice.ts). The history keeps each process's total over
 * its replicas; a total over the replica count is their mean, which hides the one hot replica that
 * is stopped by the limit first. So the per-replica maximum is recorded beside the history, at the
 * same tick and under the same rule (nothing while the metrics read fails: old figures are no
 * measurement), in buckets of the history's coarse tier (5 minutes, 24 hours): a limit is sized to
 * the peak, and a peak is all a bucket keeps.
 */

export interface ReplicaPeakOptions {
  bucketMs: number;
  spanMs: number;
}

const DEFAULT_OPTIONS: ReplicaPeakOptions = {
  bucketMs: DEFAULT_HISTORY_OPTIONS.coarseBucketMs,
  spanMs: DEFAULT_HISTORY_OPTIONS.coarseSpanMs,
};

/** One process's buckets, oldest first, and when it was first measured within the span. */
interface ProcessPeaks {
  starts: number[];
  peaks: number[];
  firstAt: number;
}

/** The peak over the span kept, and the time it rests on. */
export interface ReplicaPeak {
  /** The highest memory of one replica; null where nothing was measured. */
  peakBytes: number | null;
  /** From the first measurement kept to now (ms); 0 where nothing was measured. */
  windowMs: number;
}

export class ReplicaPeaks {
  private readonly apps = new Map<string, Map<string, ProcessPeaks>>();
  private readonly options: ReplicaPeakOptions;

  constructor(options: Partial<ReplicaPeakOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  /** How many apps have peaks kept: what pruning bounds. */
  get appCount(): number {
    return this.apps.size;
  }

  /** One tick's measurements of the app: its processes named in `measured` (measured this tick). */
  record(app: App, at: number, measured: ReadonlySet<string>): void {
    for (const process of [...app.processes, ...(app.workspace ? [app.workspace] : [])]) {
      if (!measured.has(process.name)) continue;
      let peak: number | null = null;
      for (const pod of process.pods) {
        if (pod.memoryBytes !== null) peak = Math.max(peak ?? 0, pod.memoryBytes);
      }
      if (peak !== null) this.add(app.id, process.name, peak, at);
    }
  }

  /**
   * Drops what has no bucket within the span: apps gone (or of a namespace no longer watched)
   * leave on their own, as their peaks age out, without the session telling.
   */
  prune(now: number): void {
    const oldest = now - this.options.spanMs;
    for (const [appId, processes] of this.apps) {
      for (const [process, peaks] of processes) {
        const last = peaks.starts[peaks.starts.length - 1];
        if (last === undefined || last + this.options.bucketMs <= oldest) processes.delete(process);
      }
      if (processes.size === 0) this.apps.delete(appId);
    }
  }

  /** The process's peak over the span kept, ending `now`. */
  peak(appId: string, process: string, now: number = Date.now()): ReplicaPeak {
    const peaks = this.apps.get(appId)?.get(process);
    if (!peaks) return { peakBytes: null, windowMs: 0 };
    const oldest = now - this.options.spanMs;
    let peakBytes: number | null = null;
    for (let i = 0; i < peaks.starts.length; i++) {
      if (peaks.starts[i]! + this.options.bucketMs > oldest) {
        peakBytes = Math.max(peakBytes ?? 0, peaks.peaks[i]!);
      }
    }
    if (peakBytes === null) return { peakBytes: null, windowMs: 0 };
    return { peakBytes, windowMs: Math.max(0, now - Math.max(peaks.firstAt, oldest)) };
  }

  private add(appId: string, process: string, bytes: number, at: number): void {
    let processes = this.apps.get(appId);
    if (!processes) {
      processes = new Map();
      this.apps.set(appId, processes);
    }
    let peaks = processes.get(process);
    if (!peaks) {
      peaks = { starts: [], peaks: [], firstAt: at };
      processes.set(process, peaks);
    }
    const start = Math.floor(at / this.options.bucketMs) * this.options.bucketMs;
    const last = peaks.starts.length - 1;
    if (last >= 0 && peaks.starts[last] === start) {
      peaks.peaks[last] = Math.max(peaks.peaks[last]!, bytes);
    } else if (last < 0 || peaks.starts[last]! < start) {
      peaks.starts.push(start);
      peaks.peaks.push(bytes);
    }
    // Out of order (an older tick answering late) is dropped, as the history drops it.
    let evict = 0;
    while (
      evict < peaks.starts.length &&
      peaks.starts[evict]! + this.options.bucketMs <= at - this.options.spanMs
    ) {
      evict++;
    }
    if (evict > 0) {
      peaks.starts.splice(0, evict);
      peaks.peaks.splice(0, evict);
      peaks.firstAt = Math.max(peaks.firstAt, peaks.starts[0] ?? at);
    }
  }
}

/**
 * The peaks that go with a history: the same lifetime (services.ts keeps one history per context,
 * across namespace switches), without widening every caller that hands a session its history.
 */
const peaksByHistory = new WeakMap<MemoryHistory, ReplicaPeaks>();

export function replicaPeaksOf(history: MemoryHistory): ReplicaPeaks {
  let peaks = peaksByHistory.get(history);
  if (!peaks) {
    peaks = new ReplicaPeaks();
    peaksByHistory.set(history, peaks);
  }
  return peaks;
}

/**
 * One tick's samples (the `samples` event) as per-replica peaks: a sample carries memory only for
 * the processes measured at that tick (none where the metrics read failed), and only those count.
 */
export function recordReplicaPeaks(
  history: MemoryHistory,
  samples: Record<string, Sample>,
  appOf: (appId: string) => App | undefined,
): void {
  const peaks = replicaPeaksOf(history);
  let latest = Number.NEGATIVE_INFINITY;
  for (const [appId, sample] of Object.entries(samples)) {
    latest = Math.max(latest, sample.at);
    const measured = new Set(Object.keys(sample.memoryByProcess));
    const app = measured.size > 0 ? appOf(appId) : undefined;
    if (app) peaks.record(app, sample.at, measured);
  }
  if (Number.isFinite(latest)) peaks.prune(latest);
}
