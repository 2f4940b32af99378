import { hpaFromV1 } from './hpa-conversion';
import {
  AUTOSCALING_V1,
  type HorizontalPodAutoscaler,
  type HorizontalPodAutoscalerV1,
  type MetricSpec,
  type MetricStatus,
} from './hpa-types';
import type { KubeObject } from './kube-types';

/**
 * The cells of `kubectl get hpa` as the API server's printer fills them (printers.go,
 * printHorizontalPodAutoscaler and formatHPAMetrics): REFERENCE `Kind/name`, TARGETS one
 * `current/target` per metric (at most two, then "+ N more..."), `<unknown>` until the
 * controller has measured, MINPODS `<unset>` without a minimum.
 */

export interface AutoscalerRow {
  reference: string;
  targets: string;
  minPods: string;
  maxPods: number;
  replicas: number;
}

const SHOWN_METRICS = 2;

function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  const unknown = '<unknown>';
  switch (spec.type) {
    case 'External': {
      const target = spec.external?.target;
      if (target?.averageValue !== undefined)
        return `${status?.external?.current.averageValue ?? unknown}/${target.averageValue} (avg)`;
      return `${status?.external?.current.value ?? unknown}/${target?.value ?? ''}`;
    }
    case 'Pods':
      return `${status?.pods?.current.averageValue ?? unknown}/${spec.pods?.target.averageValue ?? ''}`;
    case 'Object': {
      const target = spec.object?.target;
      if (target?.averageValue !== undefined)
        return `${status?.object?.current.averageValue ?? unknown}/${target.averageValue} (avg)`;
      return `${status?.object?.current.value ?? unknown}/${target?.value ?? ''}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const source = spec.resource ?? spec.containerResource;
      const current = (status?.resource ?? status?.containerResource)?.current;
      const name = source?.name ?? '';
      if (source?.target.averageValue !== undefined)
        return `${name}: ${current?.averageValue ?? unknown}/${source.target.averageValue}`;
      const now =
        current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : unknown;
      const target =
        source?.target.averageUtilization !== undefined
          ? `${source.target.averageUtilization}%`
          : '<auto>';
      return `${name}: ${now}/${target}`;
    }
    default:
      return '<unknown type>';
  }
}

export function formatTargets(hpa: HorizontalPodAutoscaler): string {
  const specs = hpa.spec.metrics ?? [];
  if (specs.length === 0) return '<none>';
  const statuses = hpa.status?.currentMetrics ?? [];
  const shown = specs.slice(0, SHOWN_METRICS).map((m, i) => formatMetric(m, statuses[i]));
  const more = specs.length - SHOWN_METRICS;
  return more > 0 ? `${shown.join(', ')} + ${more} more...` : shown.join(', ');
}

/** The row of an HPA in either served version (a v1 object is read as the v2 it came from). */
export function autoscalerRow(object: KubeObject): AutoscalerRow {
  const hpa =
    object.apiVersion === AUTOSCALING_V1
      ? hpaFromV1(object as HorizontalPodAutoscalerV1)
      : (object as HorizontalPodAutoscaler);
  const ref = hpa.spec.scaleTargetRef;
  return {
    reference: `${ref.kind}/${ref.name}`,
    targets: formatTargets(hpa),
    minPods: hpa.spec.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>',
    maxPods: hpa.spec.maxReplicas,
    replicas: hpa.status?.currentReplicas ?? 0,
  };
}
