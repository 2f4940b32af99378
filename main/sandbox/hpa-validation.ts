import type { StatusCause } from './api-errors';
import type { MetricSpec, MetricTarget } from './hpa-types';
import { parseQuantity } from './quantity';

/**
 * What the API server refuses in a HorizontalPodAutoscaler's spec (ValidateHorizontalPodAutoscaler,
 * k8s.io/kubernetes pkg/apis/autoscaling/validation), worded as it words it. Checked on the
 * stored v2 form, so a v1 `targetCPUUtilizationPercentage: 0` is reported where the API server
 * reports it too: at `spec.metrics[0].resource.target.averageUtilization`.
 */

const SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const MEMBER: Record<string, keyof MetricSpec> = {
  Resource: 'resource',
  ContainerResource: 'containerResource',
  Pods: 'pods',
  Object: 'object',
  External: 'external',
};

function show(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

const invalid = (field: string, v: unknown, message: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${show(v)}: ${message}`,
  field,
});
const required = (field: string, detail = ''): StatusCause => ({
  reason: 'FieldValueRequired',
  message: detail ? `Required value: ${detail}` : 'Required value',
  field,
});

function checkTarget(field: string, target: MetricTarget | undefined, causes: StatusCause[]): void {
  if (!target || typeof target !== 'object') {
    causes.push(required(`${field}.type`, 'must specify a metric target type'));
    return;
  }
  if (!target.type) causes.push(required(`${field}.type`, 'must specify a metric target type'));
  else if (!['Utilization', 'Value', 'AverageValue'].includes(target.type))
    causes.push(
      invalid(`${field}.type`, target.type, 'must be either Utilization, Value, or AverageValue'),
    );
  for (const key of ['value', 'averageValue'] as const) {
    const quantity = target[key];
    if (quantity === undefined || quantity === null) continue;
    const parsed = parseQuantity(quantity);
    if (parsed === undefined || parsed <= 0)
      causes.push(invalid(`${field}.${key}`, quantity, 'must be positive'));
  }
  const utilization = target.averageUtilization;
  if (utilization !== undefined && utilization !== null && !(utilization >= 1))
    causes.push(invalid(`${field}.averageUtilization`, utilization, 'must be greater than 0'));
}

function checkResourceTarget(
  field: string,
  source: { name?: string; target?: MetricTarget },
  causes: StatusCause[],
): void {
  if (!source.name) causes.push(required(`${field}.name`, 'must specify a resource name'));
  checkTarget(`${field}.target`, source.target, causes);
  const t = source.target;
  if (t && t.averageUtilization === undefined && t.averageValue === undefined)
    causes.push(
      required(
        `${field}.target.averageUtilization`,
        'must set either a target raw value or a target utilization',
      ),
    );
}

function checkMetric(field: string, metric: MetricSpec, causes: StatusCause[]): void {
  if (!metric || typeof metric !== 'object') {
    causes.push(required(`${field}.type`, 'must specify a metric source type'));
    return;
  }
  if (!metric.type) {
    causes.push(required(`${field}.type`, 'must specify a metric source type'));
    return;
  }
  if (!SOURCE_TYPES.includes(metric.type)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${show(metric.type)}: supported values: ${SOURCE_TYPES.map((t) => `"${t}"`).join(', ')}`,
      field: `${field}.type`,
    });
    return;
  }
  const member = MEMBER[metric.type] as keyof MetricSpec;
  if (metric[member] === undefined) {
    causes.push(
      required(`${field}.${member}`, 'must populate information for the given metric source'),
    );
    return;
  }
  if (Object.values(MEMBER).some((m) => m !== member && metric[m] !== undefined))
    causes.push({
      reason: 'FieldValueForbidden',
      message: 'Forbidden: must populate the given metric source only',
      field: `${field}.${member}`,
    });
  const at = `${field}.${member}`;
  if (metric.resource) checkResourceTarget(at, metric.resource, causes);
  if (metric.containerResource) {
    checkResourceTarget(at, metric.containerResource, causes);
    if (!metric.containerResource.container)
      causes.push(required(`${at}.container`, 'must specify a container'));
  }
  const named = metric.pods ?? metric.object ?? metric.external;
  if (named && member !== 'resource' && member !== 'containerResource') {
    if (!named.metric?.name)
      causes.push(required(`${at}.metric.name`, 'must specify a metric name'));
    checkTarget(`${at}.target`, named.target, causes);
  }
}

/** The causes that make an HPA spec invalid; none where it is fine. */
export function autoscalerSpecCauses(spec: Record<string, unknown>): StatusCause[] {
  const causes: StatusCause[] = [];
  const min = spec['minReplicas'];
  const max = spec['maxReplicas'];
  if (typeof min === 'number' && min < 1)
    causes.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (typeof max !== 'number' || max < 1)
    causes.push(invalid('spec.maxReplicas', max ?? 0, 'must be greater than 0'));
  else if (typeof min === 'number' && max < min)
    causes.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  const ref = spec['scaleTargetRef'] as { kind?: string; name?: string } | undefined;
  if (!ref?.kind) causes.push(required('spec.scaleTargetRef.kind'));
  if (!ref?.name) causes.push(required('spec.scaleTargetRef.name'));
  const metrics = spec['metrics'];
  if (metrics !== undefined && metrics !== null && !Array.isArray(metrics))
    causes.push(invalid('spec.metrics', metrics, 'must be a list'));
  else if (Array.isArray(metrics))
    metrics.forEach((m: MetricSpec, i) => checkMetric(`spec.metrics[${i}]`, m, causes));
  return causes;
}
