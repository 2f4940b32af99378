import {
  milliQuantity,
  ReplicaCalculationError,
  replicasForAverageValue,
  replicasForUtilization,
  type PodMeasure,
  type ReplicaProposal,
} from './hpa-replica-calculator';
import type { MetricSpec, MetricStatus, MetricTarget } from './hpa-types';
import type { PodSample } from './kubelet';
import type { Pod } from './kube-types';
import { parseQuantity } from './quantity';
import { isPodReady } from './replicaset-controller';

/**
 * One metric of an HPA, measured: the target's pods against metrics-server's last scrape (the
 * metrics API's view), giving a proposed replica count and the metric's current value for the
 * status, or a failure worded as upstream's. Resource and ContainerResource metrics on CPU and
 * memory, as Utilization of the pods' requests or as AverageValue; Pods, Object and External
 * metrics need a custom metrics API the sandbox does not have, and fail as they would on a
 * cluster without one.
 */

/** Why a metric gave no proposal: the condition reason and the message, as upstream words them. */
export class MetricFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Proposal {
  replicas: number;
  /** What the rescale event names: "cpu resource utilization (percentage of request)". */
  metricName: string;
  status: MetricStatus;
}

function resourceAmount(quantity: unknown): number | undefined {
  const value = parseQuantity(quantity);
  return value === undefined ? undefined : Math.round(value * 1000);
}

function sampleUsage(sample: PodSample, resource: string, container?: string): number | undefined {
  const containers = sample.containers.filter(
    (c) => container === undefined || c.name === container,
  );
  if (containers.length === 0) return undefined;
  // As read from the metrics API: memory in whole KiB (metrics-server's), CPU in whole
  // millicores (rounded up, as Quantity.MilliValue does with nanocores).
  let total = 0;
  for (const c of containers)
    total +=
      resource === 'cpu'
        ? Math.ceil(Math.round(c.cpuCores * 1e9) / 1e6)
        : Math.round(c.memoryBytes / 1024) * 1024 * 1000;
  return total;
}

export function proposeReplicas(
  metric: MetricSpec,
  pods: Pod[],
  samples: ReadonlyMap<string, PodSample>,
  currentReplicas: number,
): Proposal {
  const source = metric.resource ?? metric.containerResource;
  if ((metric.type === 'Resource' || metric.type === 'ContainerResource') && source) {
    const container = metric.containerResource?.container;
    const reason =
      metric.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
    const proposal = proposeForResource(
      samples,
      source.name,
      source.target,
      pods,
      currentReplicas,
      container,
      reason,
    );
    const current: MetricStatus['resource'] = {
      name: source.name,
      current: {
        averageValue: milliQuantity(proposal.averageUsage),
        ...(proposal.utilization !== undefined ? { averageUtilization: proposal.utilization } : {}),
      },
    };
    const kind = source.target.type === 'Utilization' ? 'utilization (percentage of request)' : '';
    return {
      replicas: proposal.replicas,
      metricName:
        metric.type === 'Resource'
          ? `${source.name} resource ${kind}`.trim()
          : `${source.name} container resource ${kind}`.trim(),
      status:
        metric.type === 'Resource'
          ? { type: 'Resource', resource: current }
          : {
              type: 'ContainerResource',
              containerResource: { ...current, container: container ?? '' },
            },
    };
  }
  const named = metric.pods ?? metric.object ?? metric.external;
  const name = named?.metric.name ?? '';
  switch (metric.type) {
    case 'Pods':
      throw new MetricFailure(
        'FailedGetPodsMetric',
        `unable to get metric ${name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`,
      );
    case 'Object':
      throw new MetricFailure(
        'FailedGetObjectMetric',
        `unable to get metric ${name}: ${metric.object?.describedObject.kind ?? ''} ${metric.object?.describedObject.name ?? ''}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`,
      );
    case 'External':
      throw new MetricFailure(
        'FailedGetExternalMetric',
        `unable to get external metric ${name}: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered`,
      );
    default:
      throw new MetricFailure(
        'InvalidMetricSourceType',
        `unknown metric source type "${metric.type}"`,
      );
  }
}

function proposeForResource(
  samples: ReadonlyMap<string, PodSample>,
  resource: string,
  target: MetricTarget,
  pods: Pod[],
  currentReplicas: number,
  container: string | undefined,
  reason: string,
): ReplicaProposal {
  const fail = (message: string): MetricFailure =>
    new MetricFailure(reason, `failed to get ${resource} utilization: ${message}`);
  if (pods.length === 0) throw fail('no pods returned by selector while calculating replica count');
  const measures: PodMeasure[] = [];
  let measured = 0;
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    const sample = samples.get(`${pod.metadata.namespace}/${name}`);
    const usage = sample ? sampleUsage(sample, resource, container) : undefined;
    if (usage !== undefined) measured++;
    let request = 0;
    for (const c of pod.spec.containers) {
      if (container !== undefined && c.name !== container) continue;
      const amount = resourceAmount(c.resources?.requests?.[resource]);
      if (amount === undefined) {
        if (target.type === 'Utilization')
          throw fail(`missing request for ${resource} in container ${c.name} of Pod ${name}`);
        continue;
      }
      request += amount;
    }
    const phase = pod.status?.phase;
    measures.push({
      name,
      ignored: Boolean(pod.metadata.deletionTimestamp) || phase === 'Failed',
      unready: phase === 'Pending' || (resource === 'cpu' && !isPodReady(pod)),
      usage,
      request,
    });
  }
  if (measured === 0)
    throw new MetricFailure(
      reason,
      `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`,
    );
  try {
    if (target.type === 'Utilization')
      return replicasForUtilization(measures, currentReplicas, target.averageUtilization ?? 0);
    const average = resourceAmount(target.averageValue);
    if (average === undefined || average <= 0) throw fail('invalid target averageValue');
    return replicasForAverageValue(measures, currentReplicas, average);
  } catch (error) {
    if (error instanceof ReplicaCalculationError) throw fail(error.message);
    throw error;
  }
}
