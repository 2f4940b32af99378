import type { KubeConfig } from '@kubernetes/client-node';
import { onAnswers, type Answer } from '../kube/request-retry';

/**
 * Whether the cluster is throttling this session's requests, for the connection's
 * `throttledSince`. One 429 is nothing to tell an admin (request-retry.ts waits and sends again);
 * `threshold` throttled answers within `windowMs` is a cluster that throttles, and the banner says
 * changes may take longer. It is over once the requests go through again for a while: no throttled
 * answer for `quietMs` and one that passed since.
 *
 * It hears every answer to the session's requests: the typed API's (request-retry.ts) and the
 * watches' (resource-watch.ts reports a refused or opened watch).
 */

export interface ThrottlingOptions {
  windowMs: number;
  threshold: number;
  quietMs: number;
}

export const DEFAULT_THROTTLING: ThrottlingOptions = {
  windowMs: 30_000,
  threshold: 3,
  quietMs: 30_000,
};

export class Throttling {
  private readonly options: ThrottlingOptions;
  /** When the throttled answers of the last `windowMs` came. */
  private recent: number[] = [];
  private sinceMs: number | null = null;
  private lastThrottledAt = -Infinity;
  private lastPassedAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly off: () => void;

  /** Hears the answers to requests made with `kubeConfig` (none where null: tests feed `heard`). */
  constructor(kubeConfig: KubeConfig | null, options: Partial<ThrottlingOptions> = {}) {
    this.options = { ...DEFAULT_THROTTLING, ...options };
    this.off = kubeConfig ? onAnswers(kubeConfig, (answer) => this.heard(answer)) : () => {};
  }

  /** Since when the cluster has throttled requests (ISO time); null while it does not. */
  since(): string | null {
    return this.sinceMs === null ? null : new Date(this.sinceMs).toISOString();
  }

  /** Called when `since` changes; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  heard(answer: Answer): void {
    const now = Date.now();
    if (answer === 'passed') {
      this.lastPassedAt = now;
      if (now - this.lastThrottledAt >= this.options.quietMs) this.set(null);
      return;
    }
    this.lastThrottledAt = now;
    this.recent = this.recent.filter((at) => now - at < this.options.windowMs);
    this.recent.push(now);
    if (this.sinceMs === null && this.recent.length >= this.options.threshold) {
      this.set(this.recent[0] ?? now);
    }
    if (this.sinceMs !== null) this.checkWhenQuiet();
  }

  stop(): void {
    this.off();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  /** Once `quietMs` passed without a throttled answer, it is over if a request went through since. */
  private checkWhenQuiet(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.lastPassedAt > this.lastThrottledAt) this.set(null);
    }, this.options.quietMs);
    this.timer.unref?.();
  }

  private set(sinceMs: number | null): void {
    if (sinceMs === this.sinceMs) return;
    this.sinceMs = sinceMs;
    if (sinceMs === null) this.recent = [];
    for (const listener of this.listeners) listener();
  }
}
