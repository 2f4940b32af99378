/**
 * How a watch paces itself: its timeouts, how long the server keeps a stream, and the back-off
 * after a failure (full jitter, so many watches failing together do not retry together).
 */

export interface WatchTiming {
  /** A list that does not answer in this time is a failure. */
  requestTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The server ends each watch after a random time in this range (seconds) and we resume it. */
  watchTimeoutSeconds: [number, number];
  /** A stream that ends sooner than this without events counts as a quick end (see below). */
  healthyStreamMs: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = {
  requestTimeoutMs: 30_000,
  backoffBaseMs: 200,
  backoffMaxMs: 30_000,
  watchTimeoutSeconds: [1800, 3600],
  healthyStreamMs: 5_000,
};

/** Full jitter between half and all of an exponentially growing delay. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}
