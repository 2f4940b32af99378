import type { Condition, LabelSelector, ObjectMeta } from './kube-types';
import {
  AUTOSCALING_V1,
  AUTOSCALING_V2,
  cpuUtilizationMetric,
  DEFAULT_CPU_UTILIZATION,
  type CrossVersionObjectReference,
  type HorizontalPodAutoscaler,
  type HorizontalPodAutoscalerV1,
  type MetricSpec,
  type MetricStatus,
} from './hpa-types';

/**
 * autoscaling/v1 <-> autoscaling/v2, as the API server converts (k8s.io/kubernetes
 * pkg/apis/autoscaling/v1/conversion.go): one stored object, two views. The v1 view shows the
 * first CPU utilization target as `targetCPUUtilizationPercentage` and its current value as
 * `currentCPUUtilizationPercentage`; everything v1 cannot say (other metrics, all current
 * metrics, conditions, behavior) travels in four `autoscaling.alpha.kubernetes.io/*`
 * annotations, in v1's own metric format, so a client that reads v1 and writes it back loses
 * nothing. Reading v1 back puts the other metrics first and the CPU target last, and a v1 object
 * without any target gets the 80 % CPU default: both as upstream.
 */

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP_ANNOTATIONS = [
  METRIC_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
  CONDITIONS_ANNOTATION,
  BEHAVIOR_ANNOTATION,
];

/** autoscaling/v1's MetricSpec (the v2beta1 shape), found only in the round-trip annotation. */
interface V1MetricSpec {
  type: MetricSpec['type'];
  object?: {
    target: CrossVersionObjectReference;
    metricName: string;
    targetValue?: string;
    selector?: LabelSelector;
    averageValue?: string;
  };
  pods?: { metricName: string; targetAverageValue?: string; selector?: LabelSelector };
  resource?: { name: string; targetAverageUtilization?: number; targetAverageValue?: string };
  containerResource?: {
    name: string;
    targetAverageUtilization?: number;
    targetAverageValue?: string;
    container: string;
  };
  external?: {
    metricName: string;
    metricSelector?: LabelSelector;
    targetValue?: string;
    targetAverageValue?: string;
  };
}

interface V1MetricStatus {
  type: MetricStatus['type'];
  object?: {
    target: CrossVersionObjectReference;
    metricName: string;
    currentValue?: string;
    selector?: LabelSelector;
    averageValue?: string;
  };
  pods?: { metricName: string; currentAverageValue?: string; selector?: LabelSelector };
  resource?: { name: string; currentAverageUtilization?: number; currentAverageValue?: string };
  containerResource?: {
    name: string;
    currentAverageUtilization?: number;
    currentAverageValue?: string;
    container: string;
  };
  external?: {
    metricName: string;
    metricSelector?: LabelSelector;
    currentValue?: string;
    currentAverageValue?: string;
  };
}

/** Drops undefined members, as Go's omitempty leaves them out of the JSON. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function metricSpecToV1(m: MetricSpec): V1MetricSpec {
  const out: V1MetricSpec = { type: m.type };
  if (m.object)
    out.object = defined({
      target: m.object.describedObject,
      metricName: m.object.metric.name,
      targetValue: m.object.target.value,
      selector: m.object.metric.selector,
      averageValue: m.object.target.averageValue,
    });
  if (m.pods)
    out.pods = defined({
      metricName: m.pods.metric.name,
      targetAverageValue: m.pods.target.averageValue,
      selector: m.pods.metric.selector,
    });
  if (m.resource)
    out.resource = defined({
      name: m.resource.name,
      targetAverageUtilization: m.resource.target.averageUtilization,
      targetAverageValue: m.resource.target.averageValue,
    });
  if (m.containerResource)
    out.containerResource = defined({
      name: m.containerResource.name,
      targetAverageUtilization: m.containerResource.target.averageUtilization,
      targetAverageValue: m.containerResource.target.averageValue,
      container: m.containerResource.container,
    });
  if (m.external)
    out.external = defined({
      metricName: m.external.metric.name,
      metricSelector: m.external.metric.selector,
      targetValue: m.external.target.value,
      targetAverageValue: m.external.target.averageValue,
    });
  return out;
}

function metricSpecFromV1(m: V1MetricSpec): MetricSpec {
  const out: MetricSpec = { type: m.type };
  if (m.object)
    out.object = {
      describedObject: m.object.target,
      metric: defined({ name: m.object.metricName, selector: m.object.selector }),
      target: defined({
        type: m.object.averageValue === undefined ? 'Value' : 'AverageValue',
        value: m.object.targetValue ?? '0',
        averageValue: m.object.averageValue,
      }),
    };
  if (m.pods)
    out.pods = {
      metric: defined({ name: m.pods.metricName, selector: m.pods.selector }),
      target: { type: 'AverageValue', averageValue: m.pods.targetAverageValue ?? '0' },
    };
  if (m.resource)
    out.resource = {
      name: m.resource.name,
      target: defined({
        type: m.resource.targetAverageUtilization === undefined ? 'AverageValue' : 'Utilization',
        averageValue: m.resource.targetAverageValue,
        averageUtilization: m.resource.targetAverageUtilization,
      }),
    };
  if (m.containerResource)
    out.containerResource = {
      name: m.containerResource.name,
      container: m.containerResource.container,
      target: defined({
        type:
          m.containerResource.targetAverageUtilization === undefined
            ? 'AverageValue'
            : 'Utilization',
        averageValue: m.containerResource.targetAverageValue,
        averageUtilization: m.containerResource.targetAverageUtilization,
      }),
    };
  if (m.external)
    out.external = {
      metric: defined({ name: m.external.metricName, selector: m.external.metricSelector }),
      target: defined({
        type: m.external.targetValue === undefined ? 'AverageValue' : 'Value',
        value: m.external.targetValue,
        averageValue: m.external.targetAverageValue,
      }),
    };
  return out;
}

function metricStatusToV1(m: MetricStatus): V1MetricStatus {
  const out: V1MetricStatus = { type: m.type };
  if (m.object)
    out.object = defined({
      target: m.object.describedObject,
      metricName: m.object.metric.name,
      currentValue: m.object.current.value ?? '0',
      selector: m.object.metric.selector,
      averageValue: m.object.current.averageValue,
    });
  if (m.pods)
    out.pods = defined({
      metricName: m.pods.metric.name,
      currentAverageValue: m.pods.current.averageValue ?? '0',
      selector: m.pods.metric.selector,
    });
  if (m.resource)
    out.resource = defined({
      name: m.resource.name,
      currentAverageUtilization: m.resource.current.averageUtilization,
      currentAverageValue: m.resource.current.averageValue ?? '0',
    });
  if (m.containerResource)
    out.containerResource = defined({
      name: m.containerResource.name,
      currentAverageUtilization: m.containerResource.current.averageUtilization,
      currentAverageValue: m.containerResource.current.averageValue ?? '0',
      container: m.containerResource.container,
    });
  if (m.external)
    out.external = defined({
      metricName: m.external.metric.name,
      metricSelector: m.external.metric.selector,
      currentValue: m.external.current.value ?? '0',
      currentAverageValue: m.external.current.averageValue,
    });
  return out;
}

function metricStatusFromV1(m: V1MetricStatus): MetricStatus {
  const out: MetricStatus = { type: m.type };
  if (m.object)
    out.object = {
      describedObject: m.object.target,
      metric: defined({ name: m.object.metricName, selector: m.object.selector }),
      current: defined({ value: m.object.currentValue, averageValue: m.object.averageValue }),
    };
  if (m.pods)
    out.pods = {
      metric: defined({ name: m.pods.metricName, selector: m.pods.selector }),
      current: defined({ averageValue: m.pods.currentAverageValue }),
    };
  if (m.resource)
    out.resource = {
      name: m.resource.name,
      current: defined({
        averageValue: m.resource.currentAverageValue,
        averageUtilization: m.resource.currentAverageUtilization,
      }),
    };
  if (m.containerResource)
    out.containerResource = {
      name: m.containerResource.name,
      container: m.containerResource.container,
      current: defined({
        averageValue: m.containerResource.currentAverageValue,
        averageUtilization: m.containerResource.currentAverageUtilization,
      }),
    };
  if (m.external)
    out.external = {
      metric: defined({ name: m.external.metricName, selector: m.external.metricSelector }),
      current: defined({
        value: m.external.currentValue,
        averageValue: m.external.currentAverageValue,
      }),
    };
  return out;
}

function isCpuUtilizationTarget(m: MetricSpec): boolean {
  return (
    m.type === 'Resource' &&
    m.resource?.name === 'cpu' &&
    m.resource.target?.averageUtilization !== undefined
  );
}

/** A round-trip annotation's list, or undefined where it is absent or not a JSON list. */
function annotationList<T>(annotations: Record<string, string>, key: string): T[] | undefined {
  const text = annotations[key];
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as T[]) : undefined;
  } catch {
    return undefined;
  }
}

function withoutRoundTrip(annotations: Record<string, string> | undefined): Record<string, string> {
  const out = { ...(annotations ?? {}) };
  for (const key of ROUND_TRIP_ANNOTATIONS) delete out[key];
  return out;
}

/** The stored (v2) HPA as an autoscaling/v1 client sees it. */
export function hpaToV1(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscalerV1 {
  const spec = hpa.spec ?? { scaleTargetRef: { kind: '', name: '' }, maxReplicas: 0 };
  const metrics = spec.metrics ?? [];
  const status = hpa.status;
  const annotations = withoutRoundTrip(hpa.metadata.annotations);
  const others = metrics.filter((m) => !isCpuUtilizationTarget(m)).map(metricSpecToV1);
  if (others.length > 0) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(others);
  const currentMetrics = status?.currentMetrics ?? [];
  if (currentMetrics.length > 0)
    annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  if (spec.behavior !== undefined) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const conditions = status?.conditions ?? [];
  if (conditions.length > 0) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);

  const { metrics: _metrics, behavior: _behavior, ...sharedSpec } = spec;
  const cpuTarget = metrics.find(isCpuUtilizationTarget)?.resource?.target.averageUtilization;
  const currentCpu = currentMetrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')
    ?.resource?.current.averageUtilization;
  const metadata: ObjectMeta = { ...hpa.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  const { status: _status, ...object } = hpa;
  const out: HorizontalPodAutoscalerV1 = {
    ...object,
    apiVersion: AUTOSCALING_V1,
    metadata,
    spec: defined({ ...sharedSpec, targetCPUUtilizationPercentage: cpuTarget }),
  };
  if (status) {
    const {
      currentMetrics: _current,
      conditions: _conditions,
      currentReplicas,
      desiredReplicas,
      ...sharedStatus
    } = status;
    out.status = defined({
      ...sharedStatus,
      currentReplicas: currentReplicas ?? 0,
      desiredReplicas: desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: currentCpu,
    });
  }
  return out;
}

/** An autoscaling/v1 HPA (as a client sent it) in the stored v2 form. */
export function hpaFromV1(hpa: HorizontalPodAutoscalerV1): HorizontalPodAutoscaler {
  const given = hpa.metadata.annotations ?? {};
  const spec = hpa.spec ?? { scaleTargetRef: { kind: '', name: '' }, maxReplicas: 0 };
  const { targetCPUUtilizationPercentage, ...sharedSpec } = spec;
  const metrics = (annotationList<V1MetricSpec>(given, METRIC_SPECS_ANNOTATION) ?? []).map(
    metricSpecFromV1,
  );
  if (targetCPUUtilizationPercentage !== undefined && targetCPUUtilizationPercentage !== null)
    metrics.push(cpuUtilizationMetric(targetCPUUtilizationPercentage));
  // v1 had the 80 % default in the controller; converted, it is explicit.
  if (metrics.length === 0) metrics.push(cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION));
  const behaviorText = given[BEHAVIOR_ANNOTATION];
  let behavior: HorizontalPodAutoscaler['spec']['behavior'];
  if (behaviorText !== undefined) {
    try {
      const parsed: unknown = JSON.parse(behaviorText);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) behavior = parsed;
    } catch {
      behavior = undefined;
    }
  }
  const annotations = withoutRoundTrip(given);
  const metadata: ObjectMeta = { ...hpa.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  const { status: _status, ...object } = hpa;
  const out: HorizontalPodAutoscaler = {
    ...object,
    apiVersion: AUTOSCALING_V2,
    metadata,
    spec: defined({ ...sharedSpec, metrics, behavior }),
  };
  const status = hpa.status;
  if (status) {
    const { currentCPUUtilizationPercentage, ...sharedStatus } = status;
    let currentMetrics = annotationList<V1MetricStatus>(given, METRIC_STATUSES_ANNOTATION)?.map(
      metricStatusFromV1,
    );
    if (
      currentMetrics === undefined &&
      currentCPUUtilizationPercentage !== undefined &&
      currentCPUUtilizationPercentage !== null
    ) {
      currentMetrics = [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            current: { averageUtilization: currentCPUUtilizationPercentage },
          },
        },
      ];
    }
    out.status = defined({
      ...sharedStatus,
      currentMetrics,
      conditions: annotationList<Condition>(given, CONDITIONS_ANNOTATION),
    });
  }
  return out;
}
