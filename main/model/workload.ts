import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { WorkloadKind } from '../../shared/app-model';

/**
 * The workloads ScaleDesk lists and scales: Deployments and StatefulSets. The model keeps the
 * kind beside the object, as watched objects in a list carry none, and keys each workload by kind
 * as well as namespace and name: a Deployment and a StatefulSet may share a name.
 */

/** A Deployment or a StatefulSet as the watch delivers it (not a copy: do not mutate). */
export type WorkloadObject = V1Deployment | V1StatefulSet;

export interface Workload {
  kind: WorkloadKind;
  object: WorkloadObject;
}

/** `Deployment/namespace/name`: how the catalog keys a workload. */
export function workloadKey(kind: WorkloadKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function keyOf({ kind, object }: Workload): string {
  return workloadKey(kind, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
}
