import { setCondition } from './conditions';
import type { EventRecorder } from './events';
import {
  milliQuantity,
  ReplicaCalculationError,
  replicasForAverageValue,
  replicasForUtilization,
  type PodMeasure,
  type ReplicaProposal,
} from './hpa-replica-calculator';
import {
  cpuUtilizationMetric,
  DEFAULT_CPU_UTILIZATION,
  type HorizontalPodAutoscaler,
  type MetricSpec,
  type MetricStatus,
  type MetricTarget,
} from './hpa-types';
import type { PodSample } from './kubelet';
import type { Condition, KubeObject, Pod } from './kube-types';
import type { MetricsServer } from './metrics-server';
import type { ObjectStore } from './object-store';
import { parseQuantity } from './quantity';
import type { Registry } from './registry';
import { isPodReady } from './replicaset-controller';
import { RESOURCE_TYPES, TYPES, type ResourceType } from './resource-types';
import { labelMatcher } from './selectors';
import { timestamp } from './timestamps';

/**
 * The horizontal pod autoscaler controller: every sync period (15 s by default, as
 * kube-controller-manager's) it reads each HPA's target through the scale subresource, measures
 * the target's pods from metrics-server's last scrape (CPU and memory, as Utilization of the
 * pods' requests or as an AverageValue; Resource and ContainerResource metrics), proposes a
 * replica count per metric and takes the highest, holds scale-downs for a stabilization window,
 * caps a scale-up at max(2 × current, 4), clamps to minReplicas..maxReplicas, writes the new
 * count through the same scale subresource a `kubectl scale` writes, and records the HPA's
 * status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime) with the conditions
 * AbleToScale, ScalingActive and ScalingLimited and the events a real controller records.
 *
 * The target may be of any kind the sandbox serves with a scale subresource (Deployment,
 * ReplicaSet, StatefulSet), found from scaleTargetRef's apiVersion and kind. Pods, Object and
 * External metrics need a custom metrics API the sandbox does not have: they fail as they would
 * on a cluster without one. Of `spec.behavior`, the stabilization windows and `selectPolicy:
 * Disabled` are honoured; rate policies are not.
 */

const SOURCE = { component: 'horizontal-pod-autoscaler' };
/** The scale-down stabilization window, in sync periods: 300 s at the default 15 s. */
const DOWNSCALE_WINDOW_PERIODS = 20;

type SetCondition = (
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
) => void;

// Reasons and messages of AbleToScale and ScalingLimited, worded as upstream.
const READY_FOR_NEW_SCALE = ['ReadyForNewScale', 'recommended size matches current size'] as const;
const SCALE_DOWN_STABILIZED = [
  'ScaleDownStabilized',
  'recent recommendations were higher than current one, applying the highest recent recommendation',
] as const;
const SCALE_UP_STABILIZED = [
  'ScaleUpStabilized',
  'recent recommendations were lower than current one, applying the lowest recent recommendation',
] as const;
const SCALE_UP_LIMIT = [
  'ScaleUpLimit',
  'the desired replica count is increasing faster than the maximum scale rate',
] as const;
const SCALE_DOWN_LIMIT = [
  'ScaleDownLimit',
  'the desired replica count is decreasing faster than the maximum scale rate',
] as const;
const TOO_MANY = [
  'TooManyReplicas',
  'the desired replica count is more than the maximum replica count',
] as const;
const TOO_FEW = [
  'TooFewReplicas',
  'the desired replica count is less than the minimum replica count',
] as const;
const WITHIN_RANGE = [
  'DesiredWithinRange',
  'the desired count is within the acceptable range',
] as const;

/** Why a metric gave no proposal: the condition reason and the message, as upstream words them. */
class MetricFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

interface Recommendation {
  at: number;
  replicas: number;
}

interface Proposal {
  replicas: number;
  /** What the rescale event names: "cpu resource utilization (percentage of request)". */
  metricName: string;
  status: MetricStatus;
}

function groupOf(apiVersion: string | undefined): string {
  const slash = (apiVersion ?? '').indexOf('/');
  return slash < 0 ? '' : (apiVersion ?? '').slice(0, slash);
}

/** The resource type of a scale target, by scaleTargetRef's group and kind. */
function scaleTargetType(apiVersion: string | undefined, kind: string): ResourceType | undefined {
  const group = groupOf(apiVersion);
  return RESOURCE_TYPES.find(
    (t) =>
      t.stored &&
      t.group === group &&
      t.kind === kind &&
      t.subresources.some((s) => s.name === 'scale'),
  );
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

export class HorizontalPodAutoscalerController {
  private samples = new Map<string, PodSample>();
  private readonly recommendations = new Map<string, Recommendation[]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: Registry,
    private readonly events: EventRecorder,
    metrics: MetricsServer,
    private readonly syncIntervalMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    // The controller reads the metrics API's view: metrics-server's last scrape.
    this.unsubscribe = metrics.onScrape((samples) => {
      this.samples = new Map(samples.map((s) => [`${s.namespace}/${s.name}`, s]));
    });
  }

  /** Syncs every HPA now, then every sync period. */
  start(): void {
    this.syncAll();
    this.timer = setInterval(() => this.syncAll(), this.syncIntervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }

  syncAll(): void {
    const seen = new Set<string>();
    for (const object of this.store.list(TYPES.horizontalpodautoscalers)) {
      const hpa = object as HorizontalPodAutoscaler;
      const key = `${hpa.metadata.namespace}/${hpa.metadata.name}`;
      seen.add(key);
      try {
        this.sync(hpa, key);
      } catch (error) {
        console.error(`sandbox hpa controller failed on ${key}:`, error);
      }
    }
    for (const key of this.recommendations.keys())
      if (!seen.has(key)) this.recommendations.delete(key);
  }

  private sync(hpa: HorizontalPodAutoscaler, key: string): void {
    const namespace = hpa.metadata.namespace ?? '';
    const at = timestamp(this.now());
    let conditions = hpa.status?.conditions ?? [];
    const set: SetCondition = (type, status, reason, message) => {
      conditions = setCondition(conditions, { type, status, reason, message }, at, false);
    };
    const ref = hpa.spec.scaleTargetRef;
    const targetType = scaleTargetType(ref.apiVersion, ref.kind);
    let scale: ReturnType<Registry['getScale']>;
    try {
      if (!targetType) {
        throw new Error(
          `unable to determine resource for scale target reference: no matches for kind "${ref.kind}" in group "${groupOf(ref.apiVersion)}"`,
        );
      }
      scale = this.registry.getScale(targetType, namespace, ref.name);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.events.record(hpa, 'Warning', 'FailedGetScale', message, SOURCE);
      set(
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${message}`,
      );
      this.writeStatus(hpa, {
        ...hpa.status,
        desiredReplicas: hpa.status?.desiredReplicas ?? 0,
        conditions,
      });
      return;
    }
    set(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
    );
    const currentReplicas = scale.spec.replicas ?? 0;
    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    if (!this.recommendations.has(key))
      this.recommendations.set(key, [{ at: this.now(), replicas: currentReplicas }]);

    let desired = currentReplicas;
    let rescale = true;
    let reason = '';
    let currentMetrics: MetricStatus[] | undefined;
    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      set(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      );
    } else if (currentReplicas > maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      const metrics = hpa.spec.metrics?.length
        ? hpa.spec.metrics
        : [cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION)];
      if (!scale.status.selector) {
        this.events.record(hpa, 'Warning', 'SelectorRequired', 'selector is required', SOURCE);
        set(
          'ScalingActive',
          'False',
          'InvalidSelector',
          "the HPA target's scale is missing a selector",
        );
        this.writeStatus(hpa, {
          ...hpa.status,
          desiredReplicas: hpa.status?.desiredReplicas ?? 0,
          conditions,
        });
        return;
      }
      const pods = this.targetPods(namespace, scale.status.selector);
      const proposals: (Proposal | MetricFailure)[] = metrics.map((m) => {
        try {
          return this.propose(m, pods, currentReplicas);
        } catch (error) {
          if (error instanceof MetricFailure) return error;
          throw error;
        }
      });
      currentMetrics = proposals.map((p, i) =>
        p instanceof MetricFailure ? { type: metrics[i]?.type ?? 'Resource' } : p.status,
      );
      const failures = proposals.filter((p): p is MetricFailure => p instanceof MetricFailure);
      const valid = proposals.filter((p): p is Proposal => !(p instanceof MetricFailure));
      for (const f of failures)
        this.events.record(hpa, 'Warning', f.reason, f.message, SOURCE, undefined, true);
      const best = valid.reduce<Proposal | undefined>(
        (a, b) => (a === undefined || b.replicas > a.replicas ? b : a),
        undefined,
      );
      const first = failures[0];
      if (first && (best === undefined || best.replicas < currentReplicas)) {
        // Every metric failed, or a failure hides what might forbid a scale-down: hold.
        set(
          'ScalingActive',
          'False',
          first.reason,
          `the HPA was unable to compute the replica count: ${first.message}`,
        );
        this.events.record(
          hpa,
          'Warning',
          'FailedComputeMetricsReplicas',
          `invalid metrics (${failures.length} invalid out of ${metrics.length}), first error is: ${first.message}`,
          SOURCE,
          undefined,
          true,
        );
        this.writeStatus(hpa, {
          ...hpa.status,
          currentReplicas,
          desiredReplicas: hpa.status?.desiredReplicas ?? 0,
          currentMetrics,
          conditions,
        });
        return;
      }
      if (!best) return;
      const chosen = best;
      set(
        'ScalingActive',
        'True',
        'ValidMetricFound',
        `the HPA was able to successfully calculate a replica count from ${chosen.metricName}`,
      );
      desired = chosen.replicas;
      if (desired > currentReplicas) reason = `${chosen.metricName} above target`;
      if (desired < currentReplicas) reason = 'All metrics below target';
      desired = this.normalize(hpa, key, currentReplicas, desired, minReplicas, set);
      rescale = desired !== currentReplicas;
    }

    let lastScaleTime = hpa.status?.lastScaleTime;
    if (rescale && targetType) {
      try {
        this.registry.updateScale(targetType, namespace, ref.name, {
          metadata: { resourceVersion: scale.metadata.resourceVersion },
          spec: { replicas: desired },
        });
        set(
          'AbleToScale',
          'True',
          'SucceededRescale',
          `the HPA controller was able to update the target scale to ${desired}`,
        );
        this.events.record(
          hpa,
          'Normal',
          'SuccessfulRescale',
          `New size: ${desired}; reason: ${reason}`,
          SOURCE,
        );
        lastScaleTime = at;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.events.record(
          hpa,
          'Warning',
          'FailedRescale',
          `New size: ${desired}; reason: ${reason}; error: ${message}`,
          SOURCE,
        );
        set(
          'AbleToScale',
          'False',
          'FailedUpdateScale',
          `the HPA controller was unable to update the target scale: ${message}`,
        );
        desired = currentReplicas;
      }
    } else {
      desired = currentReplicas;
    }
    this.writeStatus(hpa, {
      ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas,
      desiredReplicas: desired,
      ...(currentMetrics ? { currentMetrics } : {}),
      conditions,
    });
  }

  /** The target's pods: the scale's selector over the namespace's pods. */
  private targetPods(namespace: string, selector: string): Pod[] {
    const matches = labelMatcher(selector);
    const out: Pod[] = [];
    for (const object of this.store.each(TYPES.pods, namespace)) {
      if (!matches || matches(object)) out.push(object as Pod);
    }
    return out;
  }

  private propose(metric: MetricSpec, pods: Pod[], currentReplicas: number): Proposal {
    const source = metric.resource ?? metric.containerResource;
    if ((metric.type === 'Resource' || metric.type === 'ContainerResource') && source) {
      const container = metric.containerResource?.container;
      const reason =
        metric.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
      const proposal = this.proposeForResource(
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
          ...(proposal.utilization !== undefined
            ? { averageUtilization: proposal.utilization }
            : {}),
        },
      };
      const kind =
        source.target.type === 'Utilization' ? 'utilization (percentage of request)' : '';
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

  private proposeForResource(
    resource: string,
    target: MetricTarget,
    pods: Pod[],
    currentReplicas: number,
    container: string | undefined,
    reason: string,
  ): ReplicaProposal {
    const fail = (message: string): MetricFailure =>
      new MetricFailure(reason, `failed to get ${resource} utilization: ${message}`);
    if (pods.length === 0)
      throw fail('no pods returned by selector while calculating replica count');
    const measures: PodMeasure[] = [];
    let measured = 0;
    for (const pod of pods) {
      const name = pod.metadata.name ?? '';
      const sample = this.samples.get(`${pod.metadata.namespace}/${name}`);
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

  /**
   * Stabilization and limits, as normalizeDesiredReplicas (no `behavior`) and
   * normalizeDesiredReplicasWithBehaviors do them: a scale-down takes the highest recommendation
   * of the window; without behavior a scale-up is capped at max(2 × current, 4); the result stays
   * within min..max; the conditions say which rule held it.
   */
  private normalize(
    hpa: HorizontalPodAutoscaler,
    key: string,
    current: number,
    proposed: number,
    min: number,
    set: SetCondition,
  ): number {
    const nowMs = this.now();
    const behavior = hpa.spec.behavior;
    const downWindowMs =
      behavior?.scaleDown?.stabilizationWindowSeconds !== undefined
        ? behavior.scaleDown.stabilizationWindowSeconds * 1000
        : DOWNSCALE_WINDOW_PERIODS * this.syncIntervalMs;
    const upWindowMs = (behavior?.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
    const history = this.recommendations.get(key) ?? [];
    const within = (windowMs: number) =>
      history.filter((r) => r.at >= nowMs - windowMs).map((r) => r.replicas);
    this.recommendations.set(key, [
      ...history.filter((r) => r.at >= nowMs - Math.max(downWindowMs, upWindowMs)),
      { at: nowMs, replicas: proposed },
    ]);
    const max = hpa.spec.maxReplicas;
    let stabilized: number;
    let limit: [number, string, string];
    if (!behavior) {
      stabilized = Math.max(proposed, ...within(downWindowMs));
      if (stabilized !== proposed) set('AbleToScale', 'True', ...SCALE_DOWN_STABILIZED);
      else set('AbleToScale', 'True', ...READY_FOR_NEW_SCALE);
      const upLimit = Math.max(2 * current, 4);
      const [allowed, ...why] = max > upLimit ? [upLimit, ...SCALE_UP_LIMIT] : [max, ...TOO_MANY];
      if (stabilized < min) limit = [min, ...TOO_FEW];
      else if (stabilized > allowed) limit = [allowed, ...why];
      else limit = [stabilized, ...WITHIN_RANGE];
    } else {
      const up = Math.min(proposed, ...within(upWindowMs));
      const down = Math.max(proposed, ...within(downWindowMs));
      stabilized = Math.min(Math.max(current, up), down);
      if (stabilized === current && proposed > current)
        set('AbleToScale', 'True', ...SCALE_UP_STABILIZED);
      else if (stabilized === current && proposed < current)
        set('AbleToScale', 'True', ...SCALE_DOWN_STABILIZED);
      else set('AbleToScale', 'True', ...READY_FOR_NEW_SCALE);
      // Rate policies are not applied; `Disabled` stops that direction altogether.
      if (stabilized > current) {
        const disabled = behavior.scaleUp?.selectPolicy === 'Disabled';
        const [allowed, ...why] =
          disabled && max > current ? [current, ...SCALE_UP_LIMIT] : [max, ...TOO_MANY];
        limit = stabilized > allowed ? [allowed, ...why] : [stabilized, ...WITHIN_RANGE];
      } else if (stabilized < current) {
        const disabled = behavior.scaleDown?.selectPolicy === 'Disabled';
        const [allowed, ...why] =
          disabled && min < current ? [current, ...SCALE_DOWN_LIMIT] : [min, ...TOO_FEW];
        limit = stabilized < allowed ? [allowed, ...why] : [stabilized, ...WITHIN_RANGE];
      } else limit = [stabilized, ...WITHIN_RANGE];
    }
    const [desired, reason, message] = limit;
    set('ScalingLimited', desired === stabilized ? 'False' : 'True', reason, message);
    return desired;
  }

  private writeStatus(
    hpa: HorizontalPodAutoscaler,
    status: HorizontalPodAutoscaler['status'],
  ): void {
    if (JSON.stringify(status) === JSON.stringify(hpa.status)) return;
    const next: KubeObject = { ...hpa, status };
    this.registry.updateStatus(
      TYPES.horizontalpodautoscalers,
      hpa.metadata.namespace ?? '',
      hpa.metadata.name ?? '',
      next,
    );
  }
}
