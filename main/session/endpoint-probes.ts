import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import type { EndpointHealth } from '../../shared/app-model';
import type { Settings } from '../../shared/contract';
import { EndpointMonitor, probe, serviceProxyUrl, webServiceOf } from '../model/app-endpoint';

/**
 * Which apps' endpoints a session probes, and the probing: at each metrics interval the apps
 * looked at (their history asked for) in the last `interestMs`, or every app where `mode` is
 * `all`; an app just opened or just changed at once. An app is probed at its own URL from the
 * settings, else through the API server's proxy to its web Service; one without either is not.
 */

export interface ProbeTarget {
  appId: string;
  url: string;
  /** Through the API server (with the kubeconfig's credentials) into this namespace; null: to the app's own URL. */
  viaNamespace: string | null;
}

export interface EndpointProbesOptions {
  kubeConfig: KubeConfig;
  /** The API server's URL; empty where the kubeconfig has none (no proxy to probe through). */
  server: string;
  settings(): Settings;
  mode: 'interest' | 'all';
  probeTimeoutMs: number;
  /** How long an app stays probed at each interval after it was looked at. */
  interestMs: number;
  /** The apps there are now. */
  appIds(): Iterable<string>;
  /** The watched Services (read where an app has no URL of its own). */
  services: ReadonlyMap<string, V1Service>;
  /** A probe's result was recorded: the app's endpoint health may have changed. */
  probed(appId: string): void;
}

/** How many probes run at once at an interval: enough to finish, few enough not to flood. */
const POOL_SIZE = 16;

function namespaceOfId(appId: string): string {
  return appId.slice(0, appId.indexOf('/'));
}

/** Runs tasks with at most `limit` in flight. */
async function inPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class EndpointProbes {
  private readonly monitor = new EndpointMonitor();
  /** Until when each app looked at is probed at every interval. */
  private readonly interest = new Map<string, number>();
  private probeCount = 0;
  private stopped = false;

  constructor(private readonly options: EndpointProbesOptions) {}

  /** Probes made so far. */
  get probes(): number {
    return this.probeCount;
  }

  health(appId: string): EndpointHealth | null {
    return this.monitor.health(appId, this.options.settings());
  }

  /**
   * The last probe's latency (where it answered) and the recent error rate, for a sample; neither
   * where the cluster refused the probe (nothing is known of the app then).
   */
  reading(appId: string): { latencyMs: number | null; errorRate: number | null } {
    const latest = this.monitor.latest(appId);
    return {
      latencyMs: latest?.ok ? latest.latencyMs : null,
      errorRate: latest && !latest.refused ? this.monitor.errorRate(appId) : null,
    };
  }

  /** Marks the app as looked at; true where it was not already (the caller probes it now). */
  lookAt(appId: string): boolean {
    const now = Date.now();
    const wasLookedAt = (this.interest.get(appId) ?? 0) > now;
    this.interest.set(appId, now + this.options.interestMs);
    return !wasLookedAt;
  }

  /** The apps to probe at this interval; interest that ran out is dropped on the way. */
  targets(now: number): ProbeTarget[] {
    const settings = this.options.settings();
    const targets: ProbeTarget[] = [];
    const everyApp = this.options.mode === 'all';
    for (const appId of this.options.appIds()) {
      const until = this.interest.get(appId);
      if (!everyApp && (until === undefined || until < now)) {
        if (until !== undefined) this.interest.delete(appId);
        continue;
      }
      const target = this.targetOf(appId, settings);
      if (target) targets.push(target);
    }
    return targets;
  }

  probeAll(targets: readonly ProbeTarget[]): Promise<void> {
    return inPool(targets, POOL_SIZE, (target) => this.probeOne(target));
  }

  /**
   * Probes the app now (after an operation, or when opened), whether looked at or not; false
   * where it has nothing to probe.
   */
  async probeNow(appId: string): Promise<boolean> {
    const target = this.targetOf(appId, this.options.settings());
    if (!target) return false;
    await this.probeOne(target);
    return true;
  }

  /** The app is gone: its results and interest with it. */
  forget(appId: string): void {
    this.interest.delete(appId);
    this.monitor.forget(appId);
  }

  /** Results that arrive from now on are dropped. */
  stop(): void {
    this.stopped = true;
  }

  private targetOf(appId: string, settings: Settings): ProbeTarget | null {
    const own = settings.appUrls[appId];
    if (own) return { appId, url: own, viaNamespace: null };
    const { server, services } = this.options;
    const namespace = namespaceOfId(appId);
    const service = webServiceOf(services.values(), namespace, appId.slice(namespace.length + 1));
    if (!service || !server) return null;
    return { appId, url: serviceProxyUrl(server, namespace, service), viaNamespace: namespace };
  }

  private async probeOne(target: ProbeTarget): Promise<void> {
    this.probeCount++;
    const result = await probe(
      target.url,
      target.viaNamespace === null
        ? null
        : { kubeConfig: this.options.kubeConfig, namespace: target.viaNamespace },
      this.options.probeTimeoutMs,
    );
    if (this.stopped) return;
    this.monitor.record(target.appId, result);
    this.options.probed(target.appId);
  }
}
