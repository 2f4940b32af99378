import type { App } from '../../shared/app-model';
import type { Sample } from '../../shared/contract';

type EndpointReading = { latencyMs: number | null; errorRate: number | null };

/**
 * One point of each app's history at an interval, for the apps there are now. `memoryCurrent`
 * is false where the metrics read of this interval failed (or there is no metrics API): the
 * model then holds the last figures read, which are no new measurement, so the point carries
 * no memory and the chart shows a gap rather than a flat line of old figures.
 */
export function appSamples(
  apps: readonly App[],
  at: number,
  memoryCurrent: boolean,
  endpointOf: (appId: string) => EndpointReading | null,
): Record<string, Sample> {
  const samples: Record<string, Sample> = {};
  for (const app of apps) {
    const sample = appSample(app, at, endpointOf(app.id));
    samples[app.id] = memoryCurrent ? sample : { ...sample, memoryByProcess: {} };
  }
  return samples;
}

/**
 * One point of an app's history: memory in use per process type (the workspace under its own
 * name) as the model has it now, and the endpoint's latency and error rate where it was probed
 * at this interval (null otherwise: an old reading is not a new point).
 */
export function appSample(app: App, at: number, endpoint: EndpointReading | null): Sample {
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
