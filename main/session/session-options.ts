import type { KubeConfig } from '@kubernetes/client-node';
import type { Connection, Settings } from '../../shared/contract';
import { DEFAULT_WATCH_TIMING, type WatchTiming } from '../kube/watch-timing';
import type { MemoryHistory } from '../model/memory-history';
import type { EventBus } from '../transport/event-bus';

/** The timing of a session: its watches', and its own (coalescing, probes, first sync). */
export interface SessionTiming extends WatchTiming {
  /** Pod events closer together than this become one `apps` event. */
  coalesceMs: number;
  /** Overrides the metrics interval setting (tests). */
  metricsIntervalMs?: number;
  probeTimeoutMs: number;
  /**
   * How long an app stays probed at each interval after its history was asked for (the renderer
   * asks again at least every 40 live samples, 10 minutes at 15 s, while a chart is shown).
   */
  interestMs: number;
  /** How long `start()` waits for the first sync before answering with the state it has. */
  firstSyncWaitMs: number;
}

export const DEFAULT_SESSION_TIMING: Omit<SessionTiming, keyof WatchTiming> = {
  coalesceMs: 25,
  probeTimeoutMs: 5_000,
  interestMs: 15 * 60_000,
  firstSyncWaitMs: 15_000,
};

/** The defaults with the caller's overrides (tests use short intervals). */
export function sessionTiming(overrides: Partial<SessionTiming> = {}): SessionTiming {
  return { ...DEFAULT_WATCH_TIMING, ...DEFAULT_SESSION_TIMING, ...overrides };
}

export interface ClusterSessionOptions {
  /** A kubeconfig of its own with the context current (see kubeConfigForContext). */
  kubeConfig: KubeConfig;
  contextName: string;
  /** null: all namespaces. */
  namespace: string | null;
  source: Connection['source'];
  kubeconfigPaths: string[];
  bus: EventBus;
  settings: () => Settings;
  /** Kept across sessions by the caller where wanted; a new one otherwise. */
  history?: MemoryHistory;
  /**
   * `interest` (default): at each interval, probe only the apps looked at (history asked for)
   * in the last `interestMs`; `all`: every app with a web Service or URL, which
   * costs one API request per such app per interval.
   */
  endpointProbes?: 'interest' | 'all';
  timing?: Partial<SessionTiming>;
}
