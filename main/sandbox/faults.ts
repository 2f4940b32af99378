import { ApiError } from './api-errors';

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
  /**
   * The metrics API (`metrics.k8s.io`): `ok` served; `absent` as a cluster without
   * metrics-server (not in discovery, 404 on its paths); `failing` as a registered APIService
   * whose backend does not answer (listed in discovery, 503 ServiceUnavailable on its paths).
   */
  metricsApi: MetricsApiFault;
  /** Ends every open watch stream now (clients see the stream close); returns how many. */
  cutWatches(): number;
  /** Stops listening (connections refused) for `ms`, then listens again on the same port, with all state kept. Resolves when it is back. */
  down(ms: number): Promise<void>;
  /** Forgets the change log as etcd compaction does: a watch from any version before now gets 410 Expired. */
  expireWatchHistory(): void;
  /** Clears latency and error shares; the metrics API is served again. */
  reset(): void;
}

export type MetricsApiFault = 'ok' | 'absent' | 'failing';

export const METRICS_GROUP = 'metrics.k8s.io';

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
    metricsApi: 'ok',
    cutWatches: () => actions.cutWatches(),
    down: (ms) => actions.down(ms),
    expireWatchHistory: () => actions.expireWatchHistory(),
    reset() {
      this.latencyMs = 0;
      this.serverErrorRate = 0;
      this.throttleRate = 0;
      this.metricsApi = 'ok';
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

/**
 * What the metrics fault makes of a request to `path` (already authenticated): the error a real
 * API server answers where metrics-server is missing or down, or undefined to serve it. Without
 * metrics-server nothing serves the group, so its group and version documents are 404 too;
 * with its APIService unavailable the aggregator answers 503 for all of them.
 */
export function metricsApiFailure(faults: SandboxFaults, path: string): ApiError | undefined {
  if (faults.metricsApi === 'ok') return undefined;
  if (path !== `/apis/${METRICS_GROUP}` && !path.startsWith(`/apis/${METRICS_GROUP}/`)) {
    return undefined;
  }
  if (faults.metricsApi === 'absent') {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  return new ApiError(
    503,
    'ServiceUnavailable',
    'the server is currently unable to handle the request',
  );
}

/** The API group list as discovery serves it: without metrics.k8s.io where it is absent. */
export function servedGroups(faults: SandboxFaults, list: object): object {
  if (faults.metricsApi !== 'absent' || !('groups' in list) || !Array.isArray(list.groups)) {
    return list;
  }
  const groups: unknown[] = list.groups;
  return {
    ...list,
    groups: groups.filter(
      (group) =>
        !(typeof group === 'object' && group && 'name' in group && group.name === METRICS_GROUP),
    ),
  };
}
