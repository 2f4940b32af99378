import { setCondition } from './conditions';
import type { EventRecorder } from './events';
import { MetricFailure, proposeReplicas, type Proposal } from './hpa-metrics';
import { normalizeReplicas, type Recommendation, type SetCondition } from './hpa-scaling-rules';
import {
  cpuUtilizationMetric,
  DEFAULT_CPU_UTILIZATION,
  type HorizontalPodAutoscaler,
  type MetricStatus,
} from './hpa-types';
import type { PodSample } from './kubelet';
import type { KubeObject, Pod } from './kube-types';
import type { MetricsServer } from './metrics-server';
import type { ObjectStore } from './object-store';
import type { Registry } from './registry';
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
 * Measuring is hpa-metrics.ts, the arithmetic hpa-replica-calculator.ts, stabilization and
 * limits hpa-scaling-rules.ts.
 *
 * The target may be of any kind the sandbox serves with a scale subresource (Deployment,
 * ReplicaSet, StatefulSet), found from scaleTargetRef's apiVersion and kind. Of
 * `spec.behavior`, the stabilization windows and `selectPolicy: Disabled` are honoured; rate
 * policies are not.
 */

const SOURCE = { component: 'horizontal-pod-autoscaler' };
/** The scale-down stabilization window, in sync periods: 300 s at the default 15 s. */
const DOWNSCALE_WINDOW_PERIODS = 20;

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
          return proposeReplicas(m, pods, this.samples, currentReplicas);
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
      const normalized = normalizeReplicas(
        {
          hpa,
          current: currentReplicas,
          proposed: desired,
          min: minReplicas,
          nowMs: this.now(),
          history: this.recommendations.get(key) ?? [],
          defaultDownWindowMs: DOWNSCALE_WINDOW_PERIODS * this.syncIntervalMs,
        },
        set,
      );
      this.recommendations.set(key, normalized.history);
      desired = normalized.desired;
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
