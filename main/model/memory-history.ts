import type { HistoryWindow, Sample } from '../../shared/contract';

/**
 * The history behind the memory and endpoint charts: one sample per app per metrics interval
 * (memory per process and workspace, latency, error rate), kept in memory in two tiers:
 *
 * - fine: every sample of the last hour (at most `fineMaxSamples`, so a 1 s interval does not
 *   grow it without bound);
 * - coarse: older samples folded into 5-minute buckets holding each series' maximum (the peaks
 *   are what an admin looks for: how close to the limit, how slow at worst), for 24 hours.
 *
 * Stored as columns of numbers (NaN for "no value"), not as sample objects: 1,000 apps with an
 * hour at 15 s is 240,000 samples, which as objects would cost tens of MiB.
 * Not persisted: a restart of ScaleDesk starts a new history (the cluster keeps none either).
 */

export interface HistoryOptions {
  fineSpanMs: number;
  fineMaxSamples: number;
  coarseBucketMs: number;
  coarseSpanMs: number;
}

export const DEFAULT_HISTORY_OPTIONS: HistoryOptions = {
  fineSpanMs: 60 * 60_000,
  fineMaxSamples: 720,
  coarseBucketMs: 5 * 60_000,
  coarseSpanMs: 24 * 60 * 60_000,
};

const WINDOW_MS: Record<HistoryWindow, number> = {
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  all: Number.POSITIVE_INFINITY,
};

function toNumber(value: number | null | undefined): number {
  return value === null || value === undefined ? Number.NaN : value;
}

function fromNumber(value: number | undefined): number | null {
  return value === undefined || Number.isNaN(value) ? null : value;
}

/** Samples as aligned columns; a process seen late has NaN for the samples before it. */
class Columns {
  readonly times: number[] = [];
  readonly latency: number[] = [];
  readonly errors: number[] = [];
  readonly memory = new Map<string, number[]>();

  get length(): number {
    return this.times.length;
  }

  push(sample: Sample): void {
    const index = this.times.length;
    this.times.push(sample.at);
    this.latency.push(toNumber(sample.latencyMs));
    this.errors.push(toNumber(sample.errorRate));
    for (const [process, bytes] of Object.entries(sample.memoryByProcess)) {
      let column = this.memory.get(process);
      if (!column) {
        column = new Array<number>(index).fill(Number.NaN);
        this.memory.set(process, column);
      }
      column.push(bytes);
    }
    for (const column of this.memory.values()) {
      if (column.length === index) column.push(Number.NaN);
    }
  }

  /** Folds a sample into the last row, keeping each series' maximum. */
  foldIntoLast(sample: Sample): void {
    const last = this.times.length - 1;
    const max = (a: number, b: number) =>
      Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
    this.latency[last] = max(this.latency[last]!, toNumber(sample.latencyMs));
    this.errors[last] = max(this.errors[last]!, toNumber(sample.errorRate));
    for (const [process, bytes] of Object.entries(sample.memoryByProcess)) {
      let column = this.memory.get(process);
      if (!column) {
        column = new Array<number>(this.times.length).fill(Number.NaN);
        this.memory.set(process, column);
      }
      column[last] = max(column[last]!, bytes);
    }
  }

  row(index: number): Sample {
    const memoryByProcess: Record<string, number> = {};
    for (const [process, column] of this.memory) {
      const value = column[index];
      if (value !== undefined && !Number.isNaN(value)) memoryByProcess[process] = value;
    }
    return {
      at: this.times[index]!,
      memoryByProcess,
      latencyMs: fromNumber(this.latency[index]),
      errorRate: fromNumber(this.errors[index]),
    };
  }

  /** Removes the first `count` rows and returns them. */
  shift(count: number): Sample[] {
    const removed: Sample[] = [];
    for (let i = 0; i < count; i++) removed.push(this.row(i));
    this.times.splice(0, count);
    this.latency.splice(0, count);
    this.errors.splice(0, count);
    for (const [process, column] of this.memory) {
      column.splice(0, count);
      if (column.every(Number.isNaN)) this.memory.delete(process);
    }
    return removed;
  }

  rowsSince(since: number, before: number = Number.POSITIVE_INFINITY): Sample[] {
    const rows: Sample[] = [];
    for (let i = 0; i < this.times.length; i++) {
      const at = this.times[i]!;
      if (at >= since && at < before) rows.push(this.row(i));
    }
    return rows;
  }
}

class AppHistory {
  readonly fine = new Columns();
  readonly coarse = new Columns();

  constructor(private readonly options: HistoryOptions) {}

  record(sample: Sample): void {
    const last = this.fine.times[this.fine.length - 1];
    if (last !== undefined && sample.at < last) return; // out of order: the chart is by time
    this.fine.push(sample);
    let evict = 0;
    const oldest = sample.at - this.options.fineSpanMs;
    while (evict < this.fine.length && this.fine.times[evict]! < oldest) evict++;
    evict = Math.max(evict, this.fine.length - this.options.fineMaxSamples);
    if (evict > 0) for (const old of this.fine.shift(evict)) this.fold(old);
  }

  private fold(sample: Sample): void {
    const bucket =
      Math.floor(sample.at / this.options.coarseBucketMs) * this.options.coarseBucketMs;
    const last = this.coarse.times[this.coarse.length - 1];
    if (last === bucket) this.coarse.foldIntoLast(sample);
    else this.coarse.push({ ...sample, at: bucket });
    const oldest = sample.at - this.options.coarseSpanMs;
    let evict = 0;
    while (evict < this.coarse.length && this.coarse.times[evict]! < oldest) evict++;
    if (evict > 0) this.coarse.shift(evict);
  }

  since(since: number): Sample[] {
    const firstFine = this.fine.times[0] ?? Number.POSITIVE_INFINITY;
    return [...this.coarse.rowsSince(since, firstFine), ...this.fine.rowsSince(since)];
  }
}

export class MemoryHistory {
  private readonly apps = new Map<string, AppHistory>();
  private readonly options: HistoryOptions;

  constructor(options: Partial<HistoryOptions> = {}) {
    this.options = { ...DEFAULT_HISTORY_OPTIONS, ...options };
  }

  record(appId: string, sample: Sample): void {
    let history = this.apps.get(appId);
    if (!history) {
      history = new AppHistory(this.options);
      this.apps.set(appId, history);
    }
    history.record(sample);
  }

  /** The samples of the window ending now, downsampled to at most `maxPoints`. */
  window(
    appId: string,
    window: HistoryWindow,
    maxPoints: number,
    now: number = Date.now(),
  ): Sample[] {
    const history = this.apps.get(appId);
    if (!history) return [];
    return downsample(history.since(now - WINDOW_MS[window]), maxPoints);
  }

  forget(appId: string): void {
    this.apps.delete(appId);
  }

  /** Forgets apps that no longer exist. */
  retain(appIds: ReadonlySet<string>): void {
    for (const id of this.apps.keys()) if (!appIds.has(id)) this.apps.delete(id);
  }
}

function seriesKeys(samples: readonly Sample[]): string[] {
  const keys = new Set<string>();
  for (const sample of samples)
    for (const key of Object.keys(sample.memoryByProcess)) keys.add(key);
  return [...keys];
}

function extreme(values: (number | null)[], pick: (a: number, b: number) => number): number | null {
  let result: number | null = null;
  for (const value of values)
    if (value !== null) result = result === null ? value : pick(result, value);
  return result;
}

/**
 * At most `maxPoints` samples: time is cut into `maxPoints / 2` equal buckets and each bucket
 * becomes two samples, one holding every series' minimum (at the bucket's first time) and one its
 * maximum (at its last time). Unlike averaging, the envelope survives: a memory spike that ended
 * in an OOM kill or a latency peak still shows on a chart of a day.
 */
export function downsample(samples: readonly Sample[], maxPoints: number): Sample[] {
  if (samples.length <= maxPoints) return [...samples];
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const first = samples[0]!.at;
  const last = samples[samples.length - 1]!.at;
  const width = (last - first) / buckets || 1;
  const keys = seriesKeys(samples);
  const grouped: Sample[][] = Array.from({ length: buckets }, () => []);
  for (const sample of samples) {
    const index = Math.min(buckets - 1, Math.floor((sample.at - first) / width));
    grouped[index]!.push(sample);
  }
  const result: Sample[] = [];
  for (const group of grouped) {
    if (group.length === 0) continue;
    if (group.length === 1) {
      result.push(group[0]!);
      continue;
    }
    const envelope = (pick: (a: number, b: number) => number, at: number): Sample => {
      const memoryByProcess: Record<string, number> = {};
      for (const key of keys) {
        const value = extreme(
          group.map((s) => s.memoryByProcess[key] ?? null),
          pick,
        );
        if (value !== null) memoryByProcess[key] = value;
      }
      return {
        at,
        memoryByProcess,
        latencyMs: extreme(
          group.map((s) => s.latencyMs),
          pick,
        ),
        errorRate: extreme(
          group.map((s) => s.errorRate),
          pick,
        ),
      };
    };
    result.push(envelope(Math.min, group[0]!.at), envelope(Math.max, group[group.length - 1]!.at));
  }
  return result;
}
