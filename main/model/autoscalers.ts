import type {
  KubernetesObject,
  V1HorizontalPodAutoscaler,
  V2HorizontalPodAutoscaler,
  V2MetricSpec,
  V2MetricTarget,
} from '@kubernetes/client-node';
import type { Autoscaler } from '../../shared/count-owner';

/**
 * Who sets a workload's replica count besides the admin: the HorizontalPodAutoscalers
 * (autoscaling/v2, or v1 where only that is served) and KEDA ScaledObjects (keda.sh/v1alpha1)
 * whose scaleTargetRef names it, read into the contract's Autoscaler. KEDA drives its target
 * through an HPA of its own (`keda-hpa-NAME`, labelled `scaledobject.keda.sh/name`): that HPA's
 * status says the replicas now, and the ScaledObject, not its HPA, is shown as the owner.
 */

/** An HPA as either served version delivers it (the watch is of one version only). */
export type WatchedAutoscaler = V2HorizontalPodAutoscaler | V1HorizontalPodAutoscaler;

/** A KEDA ScaledObject: a custom resource, so only the fields read here are typed. */
export interface ScaledObject extends KubernetesObject {
  spec?: {
    scaleTargetRef?: { name?: string; kind?: string; apiVersion?: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers?: Array<{ type?: string; name?: string; metadata?: Record<string, string> }>;
  };
  status?: {
    hpaName?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

export const KEDA_API_VERSION = 'keda.sh/v1alpha1';
export const KEDA_PAUSED_REPLICAS_ANNOTATION = 'autoscaling.keda.sh/paused-replicas';
const KEDA_OWNER_LABEL = 'scaledobject.keda.sh/name';
/** What KEDA defaults to (its CRD's defaults). */
const KEDA_DEFAULT_MIN = 0;
const KEDA_DEFAULT_MAX = 100;

/** The workload a scaleTargetRef names: `Deployment/NAMESPACE/NAME`, as the catalog keys it. */
export function targetKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export const HPA_V2 = 'autoscaling/v2';
export const HPA_V1 = 'autoscaling/v1';

/** Read by the version it was watched at: v1 has one CPU target and no conditions. */
function isV2(hpa: WatchedAutoscaler, apiVersion: string): hpa is V2HorizontalPodAutoscaler {
  return apiVersion !== HPA_V1;
}

/** `70 % CPU`, `500Mi memory`, `100 requests_per_second`: one metric's target, as said. */
function targetText(what: string, target: V2MetricTarget | undefined): string {
  if (!target) return what;
  if (target.averageUtilization !== undefined) return `${target.averageUtilization} % ${what}`;
  const value = target.averageValue ?? target.value;
  return value === undefined ? what : `${String(value)} ${what}`;
}

function resourceName(name: string): string {
  return name === 'cpu' ? 'CPU' : name;
}

export function metricText(metric: V2MetricSpec): string {
  switch (metric.type) {
    case 'Resource':
      return targetText(resourceName(metric.resource?.name ?? 'resource'), metric.resource?.target);
    case 'ContainerResource': {
      const r = metric.containerResource;
      return targetText(
        `${resourceName(r?.name ?? 'resource')} of ${r?.container ?? '?'}`,
        r?.target,
      );
    }
    case 'Pods':
      return targetText(metric.pods?.metric?.name ?? 'pods metric', metric.pods?.target);
    case 'Object':
      return targetText(metric.object?.metric?.name ?? 'object metric', metric.object?.target);
    case 'External':
      return targetText(
        metric.external?.metric?.name ?? 'external metric',
        metric.external?.target,
      );
    default:
      return metric.type;
  }
}

/** An HPA read as the contract's Autoscaler, with the key of the workload it scales. */
export function autoscalerOfHpa(
  hpa: WatchedAutoscaler,
  apiVersion: string,
): { target: string; autoscaler: Autoscaler } | null {
  const ref = hpa.spec?.scaleTargetRef;
  const namespace = hpa.metadata?.namespace ?? '';
  if (!ref?.kind || !ref.name || !hpa.spec) return null;
  let targets: string[];
  let active = true;
  let inactiveReason: string | null = null;
  if (isV2(hpa, apiVersion)) {
    const spec = hpa.spec;
    // The API server defaults an HPA without metrics to 80 % CPU.
    targets = spec?.metrics?.length ? spec.metrics.map(metricText) : ['80 % CPU'];
    const scaling = hpa.status?.conditions?.find((c) => c.type === 'ScalingActive');
    if (scaling?.status === 'False') {
      active = false;
      inactiveReason = scaling.message ?? scaling.reason ?? null;
    }
  } else {
    const percent = hpa.spec?.targetCPUUtilizationPercentage;
    targets = [`${percent ?? 80} % CPU`];
  }
  const current = hpa.status?.currentReplicas;
  return {
    target: targetKey(ref.kind, namespace, ref.name),
    autoscaler: {
      kind: 'HorizontalPodAutoscaler',
      name: hpa.metadata?.name ?? '',
      apiVersion,
      minReplicas: hpa.spec.minReplicas ?? 1,
      maxReplicas: hpa.spec.maxReplicas,
      currentReplicas: current ?? null,
      desiredReplicas: hpa.status?.desiredReplicas ?? null,
      targets,
      active,
      inactiveReason,
      editable: true,
    },
  };
}

/** A ScaledObject read as the contract's Autoscaler; `hpa`: the HPA KEDA made for it, if seen. */
export function autoscalerOfScaledObject(
  scaled: ScaledObject,
  hpa: WatchedAutoscaler | undefined,
): { target: string; autoscaler: Autoscaler } | null {
  const ref = scaled.spec?.scaleTargetRef;
  const namespace = scaled.metadata?.namespace ?? '';
  if (!ref?.name) return null;
  const paused = scaled.metadata?.annotations?.[KEDA_PAUSED_REPLICAS_ANNOTATION];
  const activeCondition = scaled.status?.conditions?.find((c) => c.type === 'Active');
  const triggers = (scaled.spec?.triggers ?? []).map((t) => t.name ?? t.type ?? 'trigger');
  return {
    target: targetKey(ref.kind ?? 'Deployment', namespace, ref.name),
    autoscaler: {
      kind: 'ScaledObject',
      name: scaled.metadata?.name ?? '',
      apiVersion: KEDA_API_VERSION,
      minReplicas: scaled.spec?.minReplicaCount ?? KEDA_DEFAULT_MIN,
      maxReplicas: scaled.spec?.maxReplicaCount ?? KEDA_DEFAULT_MAX,
      currentReplicas: hpa?.status?.currentReplicas ?? null,
      desiredReplicas: hpa?.status?.desiredReplicas ?? null,
      targets: triggers,
      active: paused === undefined && activeCondition?.status !== 'False',
      inactiveReason:
        paused !== undefined
          ? `paused at ${paused} replicas (${KEDA_PAUSED_REPLICAS_ANNOTATION})`
          : activeCondition?.status === 'False'
            ? (activeCondition.message ?? activeCondition.reason ?? null)
            : null,
      editable: false,
    },
  };
}

/** The stores the index reads (each watch's own, keyed `namespace/name`). */
export interface AutoscalerStores {
  hpas: () => ReadonlyMap<string, WatchedAutoscaler>;
  /** The API version the HPAs are watched at (`autoscaling/v2` or `autoscaling/v1`). */
  hpaVersion: () => string;
  scaledObjects: () => ReadonlyMap<string, ScaledObject>;
}

/**
 * The autoscaler of each workload, built from the stores when first asked after a change: an
 * HPA or ScaledObject event marks it stale ({@link changed}), the next read builds it again.
 */
export class AutoscalerIndex {
  private byTarget: Map<string, Autoscaler> | null = null;

  constructor(private readonly stores: AutoscalerStores) {}

  /** An HPA or ScaledObject changed. */
  changed(): void {
    this.byTarget = null;
  }

  /** The autoscaler that sets the workload's count; null: none. */
  of(kind: string, namespace: string, name: string): Autoscaler | null {
    this.byTarget ??= this.build();
    return this.byTarget.get(targetKey(kind, namespace, name)) ?? null;
  }

  private build(): Map<string, Autoscaler> {
    const index = new Map<string, Autoscaler>();
    const kedaHpas = new Map<string, WatchedAutoscaler>();
    const version = this.stores.hpaVersion();
    // Sorted by key, so two HPAs of one target (which Kubernetes reports as AmbiguousSelector)
    // resolve the same way every time.
    const sorted = [...this.stores.hpas()].sort(([a], [b]) => a.localeCompare(b));
    for (const [, hpa] of sorted) {
      const owner = hpa.metadata?.labels?.[KEDA_OWNER_LABEL];
      if (owner !== undefined) kedaHpas.set(`${hpa.metadata?.namespace ?? ''}/${owner}`, hpa);
      const read = autoscalerOfHpa(hpa, version);
      if (read && !index.has(read.target)) index.set(read.target, read.autoscaler);
    }
    for (const [key, scaled] of this.stores.scaledObjects()) {
      const read = autoscalerOfScaledObject(scaled, kedaHpas.get(key));
      // The ScaledObject, not the HPA it made, is what the admin changes.
      if (read) index.set(read.target, read.autoscaler);
    }
    return index;
  }
}
