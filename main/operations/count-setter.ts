import type { V1ManagedFieldsEntry } from '@kubernetes/client-node';
import { autoscalerName, type Autoscaler, type ManagedBy } from '../../shared/count-owner';

/**
 * Who set a replica count that replaced the one a change of ScaleDesk's set: said in the
 * superseded outcome ("superseded by the autoscaler"), so the admin knows whether to change the
 * autoscaler, git, or ask a colleague.
 *
 * Read first from the workload's managedFields, where the copy has them (a read from the cluster
 * does; the watches drop them): the newest manager of `spec.replicas`. The HPA controller writes
 * through the scale subresource as `kube-controller-manager` (older clusters: as
 * `horizontal-pod-autoscaler`); Argo CD as `argocd-controller` (or `argocd-application-controller`);
 * Flux as `kustomize-controller` or `helm-controller`; ScaleDesk as `scaledesk`. Without them,
 * an autoscaler whose range holds the count now is taken to have set it (it moves the count
 * only within its range); anything else is "a later change".
 */

/** What is known of the workload's owners of the count (the model's process). */
export interface CountOwners {
  autoscaler: Autoscaler | null;
  managedBy: ManagedBy | null;
}

function setsReplicas(entry: V1ManagedFieldsEntry): boolean {
  const fields = entry.fieldsV1 as { 'f:spec'?: { 'f:replicas'?: unknown } } | undefined;
  return fields?.['f:spec']?.['f:replicas'] !== undefined;
}

function timeOf(entry: V1ManagedFieldsEntry): number {
  const time = entry.time === undefined ? Number.NaN : new Date(entry.time).getTime();
  return Number.isNaN(time) ? 0 : time;
}

/** The newest field manager of spec.replicas, with the subresource it wrote through. */
export function replicasManager(
  managedFields: readonly V1ManagedFieldsEntry[] | undefined,
): V1ManagedFieldsEntry | null {
  let newest: V1ManagedFieldsEntry | null = null;
  for (const entry of managedFields ?? []) {
    if (!setsReplicas(entry)) continue;
    if (newest === null || timeOf(entry) >= timeOf(newest)) newest = entry;
  }
  return newest;
}

function autoscalerWords(owners: CountOwners): string {
  return owners.autoscaler
    ? `the autoscaler (${autoscalerName(owners.autoscaler)})`
    : 'an autoscaler';
}

/**
 * Who a field manager is, in words: a GitOps controller by name, ScaleDesk itself (null: "a later
 * change"), anyone else by their field manager. The one reading for counts and memory limits alike.
 */
export function managerWords(manager: string): string | null {
  if (manager === '' || manager === 'scaledesk') return null;
  if (manager.startsWith('argocd')) return 'Argo CD';
  if (manager === 'kustomize-controller' || manager === 'helm-controller') return 'Flux';
  return `someone else (field manager ${manager})`;
}

/** "the autoscaler (HorizontalPodAutoscaler web)", "Argo CD", ...; null: not known. */
export function countSetter(
  now: number,
  managedFields: readonly V1ManagedFieldsEntry[] | undefined,
  owners: CountOwners,
): string | null {
  const entry = replicasManager(managedFields);
  const manager = entry?.manager ?? '';
  if (entry) {
    if (manager === 'horizontal-pod-autoscaler') return autoscalerWords(owners);
    if (
      manager === 'kube-controller-manager' &&
      (entry.subresource === 'scale' || owners.autoscaler)
    ) {
      return autoscalerWords(owners);
    }
    if (manager === 'keda-operator') return 'KEDA';
    if (manager) return managerWords(manager);
  }
  const autoscaler = owners.autoscaler;
  if (
    autoscaler &&
    autoscaler.active &&
    (now === autoscaler.desiredReplicas ||
      (now >= autoscaler.minReplicas && now <= autoscaler.maxReplicas))
  ) {
    return autoscalerWords(owners);
  }
  return null;
}
