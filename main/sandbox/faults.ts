/**
 * Fault injection for tests of how clients cope with a misbehaving API server. Latency and the
 * shares of 500 and 429 answers apply to every API request (discovery, reads, writes, the start
 * of a watch) while set; the actions cut live watch streams, make the server stop answering
 * for a while, or forget the watch history so every older resourceVersion is too old.
 */
export interface SandboxFaults {
  /** Milliseconds added before every API request is answered. 0 = none. */
  latencyMs: number;
  /** Share (0..1) of API requests answered 500 InternalError. */
  serverErrorRate: number;
  /** Share (0..1) of API requests answered 429 TooManyRequests, with Retry-After: 1. */
  throttleRate: number;
  /** Ends every open watch stream now (clients see the stream close); returns how many. */
  cutWatches(): number;
  /** Stops listening (connections refused) for `ms`, then listens again on the same port, with all state kept. Resolves when it is back. */
  down(ms: number): Promise<void>;
  /** Forgets the change log as etcd compaction does: a watch from any version before now gets 410 Expired. */
  expireWatchHistory(): void;
  /** Clears latency and error shares. */
  reset(): void;
}

export interface FaultActions {
  cutWatches(): number;
  down(ms: number): Promise<void>;
  expireWatchHistory(): void;
}

export function createFaults(actions: FaultActions): SandboxFaults {
  return {
    latencyMs: 0,
    serverErrorRate: 0,
    throttleRate: 0,
    cutWatches: () => actions.cutWatches(),
    down: (ms) => actions.down(ms),
    expireWatchHistory: () => actions.expireWatchHistory(),
    reset() {
      this.latencyMs = 0;
      this.serverErrorRate = 0;
      this.throttleRate = 0;
    },
  };
}

/** What the fault settings make of one request: answer normally, or fail with this status. */
export function injectedFailure(faults: SandboxFaults): 500 | 429 | undefined {
  const roll = Math.random();
  if (roll < faults.throttleRate) return 429;
  if (roll < faults.throttleRate + faults.serverErrorRate) return 500;
  return undefined;
}
