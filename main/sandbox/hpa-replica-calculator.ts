/**
 * The HPA's arithmetic for resource metrics (k8s.io/kubernetes pkg/controller/podautoscaler,
 * replica_calculator.go): desired = ceil(ready pods × usage / target), nothing moves within a
 * 10 % tolerance, and pods that cannot be measured lean against the move — on a scale-down a pod
 * without metrics counts as using its whole request (or the target, if higher), on a scale-up it
 * and any unready pod count as idle; if that flips or cancels the move, the count stays.
 * Values are in milli-units (millicores, milli-bytes) as the controller's int64s are.
 */

export const TOLERANCE = 0.1;

export class ReplicaCalculationError extends Error {}

/** One pod of the target, as the controller sees it for one resource metric. */
export interface PodMeasure {
  name: string;
  /** Deleted or failed: left out entirely. */
  ignored: boolean;
  /** Pending, or (for CPU) not Ready: its usage is not trusted. */
  unready: boolean;
  /** Usage in milli-units from the last metrics scrape; undefined where there is none. */
  usage: number | undefined;
  /** Sum of the measured containers' requests, milli-units (used for Utilization targets). */
  request: number;
}

export interface ReplicaProposal {
  replicas: number;
  /** Percent of requests, truncated as the controller's int32 (Utilization targets only). */
  utilization?: number;
  /** Average usage per measured pod, milli-units. */
  averageUsage: number;
}

type Ratio = (usage: Map<string, number>) => {
  ratio: number;
  utilization?: number;
  averageUsage: number;
};

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function calculate(
  pods: PodMeasure[],
  currentReplicas: number,
  ratioOf: Ratio,
  /** What a pod without metrics is assumed to use on a scale-down. */
  missingOnScaleDown: (pod: PodMeasure) => number,
): ReplicaProposal {
  const usage = new Map<string, number>();
  const unready: PodMeasure[] = [];
  const missing: PodMeasure[] = [];
  let readyCount = 0;
  for (const pod of pods) {
    if (pod.ignored) continue;
    if (pod.usage === undefined) missing.push(pod);
    else if (pod.unready) unready.push(pod);
    else {
      readyCount++;
      usage.set(pod.name, pod.usage);
    }
  }
  if (usage.size === 0)
    throw new ReplicaCalculationError(
      'did not receive metrics for targeted pods (pods might be unready)',
    );
  const first = ratioOf(usage);
  const current = {
    utilization: first.utilization,
    averageUsage: first.averageUsage,
  };
  const scaleUpWithUnready = unready.length > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - first.ratio) <= TOLERANCE) return { replicas: currentReplicas, ...current };
    return { replicas: Math.ceil(first.ratio * readyCount), ...current };
  }
  if (first.ratio < 1) for (const pod of missing) usage.set(pod.name, missingOnScaleDown(pod));
  else if (first.ratio > 1) for (const pod of missing) usage.set(pod.name, 0);
  if (scaleUpWithUnready) for (const pod of unready) usage.set(pod.name, 0);
  const next = ratioOf(usage).ratio;
  if (
    Math.abs(1 - next) <= TOLERANCE ||
    (first.ratio < 1 && next > 1) ||
    (first.ratio > 1 && next < 1)
  ) {
    return { replicas: currentReplicas, ...current };
  }
  const replicas = Math.ceil(next * usage.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas))
    return { replicas: currentReplicas, ...current };
  return { replicas, ...current };
}

/** A Utilization target: average usage as a percentage of the pods' requests. */
export function replicasForUtilization(
  pods: PodMeasure[],
  currentReplicas: number,
  targetUtilization: number,
): ReplicaProposal {
  const requests = new Map(pods.map((p) => [p.name, p.request]));
  const ratioOf: Ratio = (usage) => {
    const requested = sum([...usage.keys()].map((name) => requests.get(name) ?? 0));
    if (requested === 0)
      throw new ReplicaCalculationError('no metrics returned matched known pods');
    const utilization = Math.trunc((sum(usage.values()) * 100) / requested);
    return {
      ratio: utilization / targetUtilization,
      utilization,
      averageUsage: Math.trunc(sum(usage.values()) / usage.size),
    };
  };
  const fallback = Math.max(100, targetUtilization);
  return calculate(pods, currentReplicas, ratioOf, (pod) => (pod.request * fallback) / 100);
}

/** An AverageValue target: average usage per pod against a raw value (milli-units). */
export function replicasForAverageValue(
  pods: PodMeasure[],
  currentReplicas: number,
  targetAverage: number,
): ReplicaProposal {
  const ratioOf: Ratio = (usage) => {
    const averageUsage = Math.trunc(sum(usage.values()) / usage.size);
    return { ratio: averageUsage / targetAverage, averageUsage };
  };
  return calculate(pods, currentReplicas, ratioOf, () => targetAverage);
}

const DECIMAL_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/**
 * A milli-unit integer as resource.NewMilliQuantity(v, DecimalSI).String() writes it:
 * `344m`, `2`, `1560M`, `1560018944`.
 */
export function milliQuantity(milli: number): string {
  const m = Math.round(milli);
  if (m % 1000 !== 0) return `${m}m`;
  let value = m / 1000;
  let i = 0;
  while (value !== 0 && value % 1000 === 0 && i < DECIMAL_SUFFIXES.length - 1) {
    value /= 1000;
    i++;
  }
  return `${value}${DECIMAL_SUFFIXES[i]}`;
}
