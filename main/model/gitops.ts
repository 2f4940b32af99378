import type { V1ObjectMeta } from '@kubernetes/client-node';
import { INSTANCE_LABEL } from '../../shared/app-model';
import type { ManagedBy } from '../../shared/count-owner';

/**
 * Whether a GitOps controller manages a workload, and so puts a change made here back at its next
 * sync, read from the marks each one leaves on the objects it applies:
 *
 * - Argo CD: the `argocd.argoproj.io/tracking-id` annotation (annotation tracking, the default
 *   since Argo CD 2.x for new installs: `APP:GROUP/KIND:NAMESPACE/NAME`), or the label Argo CD
 *   tracks by when configured so, `argocd.argoproj.io/instance`. The older default, label
 *   tracking with `app.kubernetes.io/instance`, leaves nothing but that label, which Helm charts
 *   set too (to the release name): alone it says Helm, not Argo CD. It counts as Argo CD only
 *   beside another `argocd.argoproj.io/` mark on the object (a sync-options or compare-options
 *   annotation, a sync wave) and only where Helm did not mark the object as its own
 *   (`app.kubernetes.io/managed-by: Helm`): an Argo CD Application of a Helm chart renders it
 *   without Helm's release annotations, so the instance label then names the Application.
 * - Flux: the `kustomize.toolkit.fluxcd.io/name` (a Kustomization) or `helm.toolkit.fluxcd.io/name`
 *   (a HelmRelease) label the controllers set on every object they apply.
 */

const ARGO_PREFIX = 'argocd.argoproj.io/';
export const ARGO_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
export const ARGO_INSTANCE_LABEL = 'argocd.argoproj.io/instance';
export const FLUX_KUSTOMIZATION_LABEL = 'kustomize.toolkit.fluxcd.io/name';
export const FLUX_HELM_RELEASE_LABEL = 'helm.toolkit.fluxcd.io/name';
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** The Application named by a tracking id (`reports:apps/Deployment:mixed/reports-web`). */
function applicationOf(trackingId: string): string | null {
  const name = trackingId.split(':')[0]?.trim();
  return name ? name : null;
}

/** The GitOps controller that manages the object, by its labels and annotations; else null. */
export function managedByOf(metadata: V1ObjectMeta | undefined): ManagedBy | null {
  const labels = metadata?.labels ?? {};
  const annotations = metadata?.annotations ?? {};
  const trackingId = annotations[ARGO_TRACKING_ANNOTATION];
  if (trackingId !== undefined) {
    return {
      tool: 'argocd',
      name: applicationOf(trackingId),
      evidence: `annotation ${ARGO_TRACKING_ANNOTATION}`,
    };
  }
  const argoInstance = labels[ARGO_INSTANCE_LABEL];
  if (argoInstance !== undefined) {
    return { tool: 'argocd', name: argoInstance || null, evidence: `label ${ARGO_INSTANCE_LABEL}` };
  }
  const kustomization = labels[FLUX_KUSTOMIZATION_LABEL];
  if (kustomization !== undefined) {
    const namespace = labels['kustomize.toolkit.fluxcd.io/namespace'];
    return {
      tool: 'flux',
      name: `Kustomization ${namespace ? `${namespace}/` : ''}${kustomization}`,
      evidence: `label ${FLUX_KUSTOMIZATION_LABEL}`,
    };
  }
  const helmRelease = labels[FLUX_HELM_RELEASE_LABEL];
  if (helmRelease !== undefined) {
    const namespace = labels['helm.toolkit.fluxcd.io/namespace'];
    return {
      tool: 'flux',
      name: `HelmRelease ${namespace ? `${namespace}/` : ''}${helmRelease}`,
      evidence: `label ${FLUX_HELM_RELEASE_LABEL}`,
    };
  }
  const instance = labels[INSTANCE_LABEL];
  const otherArgoMark = [...Object.keys(annotations), ...Object.keys(labels)].find((key) =>
    key.startsWith(ARGO_PREFIX),
  );
  if (instance && otherArgoMark && labels[MANAGED_BY_LABEL] !== 'Helm') {
    return {
      tool: 'argocd',
      name: instance,
      evidence: `label ${INSTANCE_LABEL} with ${otherArgoMark}`,
    };
  }
  return null;
}
