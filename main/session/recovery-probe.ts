import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import type { ScaleDeskError } from '../../shared/errors';
import {
  isTransient,
  toClusterError,
  withTimeout,
  type ClusterRequest,
} from '../kube/cluster-errors';

/**
 * Tells a session at once when its cluster answers again after a failure. While the cluster is
 * down the watches back off up to 30 s each, which is right then but leaves the model stale for
 * as long after the cluster is back. Instead, while something waits (a watch backing off, the
 * metrics read that failed), one cheap request (`GET /version`) is made every `intervalMs`, one
 * at a time, for the whole session; the first the cluster answers ends the waits.
 *
 * Bounded: nothing is asked unless a failure said the cluster did not answer (the session calls
 * `troubled`), and nothing more once it answers or nothing waits any longer. While healthy it
 * costs no request at all. Where the cluster throttles, the next probe waits what it asked for.
 */

/** How often the cluster is asked while something waits for it. */
export const RECOVERY_PROBE_MS = 750;

export interface RecoveryProbeOptions {
  /** One cheap request: the error it failed with, null where the cluster answered. Never throws. */
  ask(): Promise<ScaleDeskError | null>;
  /** Something waits that the cluster answering again would end early. */
  waiting(): boolean;
  /** The cluster answered after a failure: end the waits now. */
  recovered(): void;
  intervalMs: number;
}

export class RecoveryProbe {
  private timer: NodeJS.Timeout | null = null;
  /** A round of probes is on: from a failure until the cluster answers or nothing waits. */
  private active = false;
  private stopped = false;
  private asked = 0;

  constructor(private readonly options: RecoveryProbeOptions) {}

  /** Probes made so far, for tests and the bench. */
  get probes(): number {
    return this.asked;
  }

  /** A failure said the cluster did not answer: probe until it does (if not probing already). */
  troubled(): void {
    if (this.stopped || this.active) return;
    this.active = true;
    this.schedule(this.options.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.probeOnce(), delayMs);
  }

  private async probeOnce(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    if (!this.options.waiting()) {
      this.active = false;
      return;
    }
    this.asked++;
    const error = await this.options.ask();
    if (this.stopped) return;
    if (error && isTransient(error)) {
      const retryAfter = error.details?.['retryAfterSeconds'];
      const askedMs = typeof retryAfter === 'number' ? retryAfter * 1000 : 0;
      this.schedule(Math.max(this.options.intervalMs, askedMs));
      return;
    }
    // Any other answer (even a 403 for /version) is the cluster answering.
    this.active = false;
    this.options.recovered();
  }
}

/** `GET /version` as the probe's request: every API server serves it, to every user. */
export function askVersion(
  kubeConfig: KubeConfig,
  timeoutMs: number,
  where: Pick<ClusterRequest, 'context' | 'server'>,
): () => Promise<ScaleDeskError | null> {
  const api = kubeConfig.makeApiClient(VersionApi);
  return async () => {
    try {
      await withTimeout(api.getCode(), timeoutMs);
      return null;
    } catch (error) {
      return toClusterError(error, { verb: 'get', resource: 'version', ...where });
    }
  };
}
