import { stableFraction, type AppProfiles } from './app-profiles';
import type { Pod } from './kube-types';
import { processShape } from './process-command';

/**
 * Traffic to each app's web process and what it does to answers. An app gets requests at its
 * profile's rate (swinging slowly over the day-like cycle); its capacity is the sum over ready
 * web pods of gunicorn workers times what one worker serves. Near capacity requests queue, so
 * response time climbs; past it some requests fail. More replicas or more workers raise
 * capacity, which is the point an admin should be able to see.
 */

const CYCLE_MS = 15 * 60 * 1000;
/** Response times stay modest so probes and tests stay quick. */
const MAX_LATENCY_MS = 600;

export interface LoadState {
  requestsPerSecond: number;
  capacityRps: number;
  /** Offered load over capacity; Infinity with no capacity. */
  utilization: number;
  latencyMs: number;
  errorRate: number;
}

export interface RequestOutcome {
  status: number;
  delayMs: number;
}

export class LoadModel {
  constructor(
    private readonly profiles: AppProfiles,
    private readonly now: () => number = () => Date.now(),
  ) {}

  requestRate(namespace: string, app: string): number {
    const load = this.profiles.get(namespace, app).load;
    const phase = stableFraction(`${namespace}/${app}#cycle`);
    const swing = 1 + 0.25 * Math.sin(2 * Math.PI * (this.now() / CYCLE_MS + phase));
    return load.requestsPerSecond * swing;
  }

  /** Capacity of the given ready web pods (workers from each pod's own command). */
  capacity(namespace: string, app: string, readyPods: Pod[]): number {
    const perWorker = this.profiles.get(namespace, app).load.perWorkerRps;
    let workers = 0;
    for (const pod of readyPods) {
      const container = pod.spec.containers[0];
      if (container) workers += processShape(container).workers;
    }
    return workers * perWorker;
  }

  state(namespace: string, app: string, readyPods: Pod[]): LoadState {
    const rate = this.requestRate(namespace, app);
    const capacity = this.capacity(namespace, app, readyPods);
    const utilization = capacity > 0 ? rate / capacity : Infinity;
    const base = this.profiles.get(namespace, app).load.baseLatencyMs;
    const queueing = 1 / (1 - Math.min(utilization, 0.93));
    const latencyMs = Math.min(MAX_LATENCY_MS, base * queueing);
    let errorRate: number;
    if (utilization < 0.8) errorRate = 0.002;
    else if (utilization <= 1) errorRate = 0.002 + ((utilization - 0.8) / 0.2) * 0.048;
    else errorRate = Math.min(0.95, 0.05 + (1 - 1 / utilization));
    return { requestsPerSecond: rate, capacityRps: capacity, utilization, latencyMs, errorRate };
  }

  /** One request's fate: its status and how long it takes. */
  request(namespace: string, app: string, readyPods: Pod[]): RequestOutcome {
    const s = this.state(namespace, app, readyPods);
    const jitter = 0.8 + 0.4 * Math.random();
    const delayMs = Math.round(Math.min(MAX_LATENCY_MS, s.latencyMs * jitter));
    if (Math.random() < s.errorRate) return { status: s.utilization > 1 ? 502 : 500, delayMs };
    return { status: 200, delayMs };
  }

  /** CPU a web container burns: its share of the app's work, plus a little idle use. */
  webCpuCores(utilization: number, workers: number): number {
    const busy = Math.min(1, Number.isFinite(utilization) ? utilization : 1);
    return 0.004 + busy * workers * 0.85 * (0.9 + 0.2 * Math.random());
  }
}
