import type { App } from '../../shared/app-model';
import type { Sample } from '../../shared/contract';

/**
 * One point of each app's history at an interval, for the apps there are now.
 */
export function appSamples(
  apps: readonly App[],
  at: number,
  endpointOf: (appId: string) => { latencyMs: number | null; errorRate: number | null } | null,
): Record<string, Sample> {
  const samples: Record<string, Sample> = {};
  for (const app of apps) samples[app.id] = appSample(app, at, endpointOf(app.id));
  return samples;
}

/**
 * One point of an app's history: memory in use per process type (the workspace under its own
 * name) as the model has it now, and the endpoint's latency and error rate where it was probed
 * at this interval (null otherwise: an old reading is not a new point).
 */
export function appSample(
  app: App,
  at: number,
  endpoint: { latencyMs: number | null; errorRate: number | null } | null,
): Sample {
  const memoryByProcess: Record<string, number> = {};
  for (const process of [...app.processes, ...(app.workspace ? [app.workspace] : [])]) {
    if (process.memoryUsedBytes !== null) {
      memoryByProcess[process.name] =
        (memoryByProcess[process.name] ?? 0) + process.memoryUsedBytes;
    }
  }
  return {
    at,
    memoryByProcess,
    latencyMs: endpoint?.latencyMs ?? null,
    errorRate: endpoint?.errorRate ?? null,
  };
}
