import { describe, expect, it } from 'vitest';
import { managedByOf } from '../../../main/model/gitops';

describe('GitOps management read from labels and annotations', () => {
  it('finds Argo CD by its tracking-id annotation, naming the Application', () => {
    expect(
      managedByOf({
        annotations: {
          'argocd.argoproj.io/tracking-id': 'reports:apps/Deployment:mixed/reports-web',
        },
      }),
    ).toEqual({
      tool: 'argocd',
      name: 'reports',
      evidence: 'annotation argocd.argoproj.io/tracking-id',
    });
  });

  it('finds Argo CD by its own instance label', () => {
    expect(managedByOf({ labels: { 'argocd.argoproj.io/instance': 'shop-prod' } })).toMatchObject({
      tool: 'argocd',
      name: 'shop-prod',
    });
  });

  it('does not take the instance label alone for Argo CD: Helm sets it too', () => {
    expect(managedByOf({ labels: { 'app.kubernetes.io/instance': 'storefront' } })).toBeNull();
    expect(
      managedByOf({
        labels: {
          'app.kubernetes.io/instance': 'storefront',
          'app.kubernetes.io/managed-by': 'Helm',
        },
        annotations: { 'argocd.argoproj.io/sync-wave': '1' },
      }),
    ).toBeNull();
  });

  it('takes the instance label for Argo CD beside another argocd.argoproj.io mark', () => {
    expect(
      managedByOf({
        labels: { 'app.kubernetes.io/instance': 'billing' },
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' },
      }),
    ).toEqual({
      tool: 'argocd',
      name: 'billing',
      evidence: 'label app.kubernetes.io/instance with argocd.argoproj.io/sync-options',
    });
  });

  it('finds Flux by the Kustomization or HelmRelease label', () => {
    expect(
      managedByOf({
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'apps',
          'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
        },
      }),
    ).toMatchObject({ tool: 'flux', name: 'Kustomization flux-system/apps' });
    expect(managedByOf({ labels: { 'helm.toolkit.fluxcd.io/name': 'shop' } })).toMatchObject({
      tool: 'flux',
      name: 'HelmRelease shop',
    });
  });

  it('finds nothing on a plain workload', () => {
    expect(managedByOf({ labels: { app: 'plain' } })).toBeNull();
    expect(managedByOf(undefined)).toBeNull();
  });
});
