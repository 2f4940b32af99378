import { describe, expect, it } from 'vitest';
import { countSetter } from '../../../main/operations/count-setter';
import type { Autoscaler } from '../../../shared/count-owner';

const hpa: Autoscaler = {
  kind: 'HorizontalPodAutoscaler',
  name: 'checkout-web',
  apiVersion: 'autoscaling/v2',
  minReplicas: 2,
  maxReplicas: 5,
  currentReplicas: 5,
  desiredReplicas: 5,
  targets: ['70 % CPU'],
  active: true,
  inactiveReason: null,
  editable: true,
};
const none = { autoscaler: null, managedBy: null };
const replicasBy = (manager: string, time: string, subresource?: string) => ({
  manager,
  operation: 'Update',
  time: new Date(time),
  fieldsV1: { 'f:spec': { 'f:replicas': {} } },
  ...(subresource ? { subresource } : {}),
});

describe('who set a count that replaced ours', () => {
  it("names the newest manager of spec.replicas from the workload's managedFields", () => {
    const fields = [
      replicasBy('scaledesk', '2026-01-01T10:00:00Z', 'scale'),
      replicasBy('argocd-controller', '2026-01-01T10:01:00Z'),
      {
        manager: 'kubectl-edit',
        time: new Date('2026-01-01T10:02:00Z'),
        fieldsV1: { 'f:metadata': {} },
      },
    ];
    expect(countSetter(2, fields, none)).toBe('Argo CD');
    expect(countSetter(2, [replicasBy('kustomize-controller', '2026-01-01T10:00:00Z')], none)).toBe(
      'Flux',
    );
    expect(countSetter(2, [replicasBy('kubectl', '2026-01-01T10:00:00Z')], none)).toBe(
      'someone else (field manager kubectl)',
    );
  });

  it('takes the HPA controller writing through the scale subresource for the autoscaler', () => {
    const fields = [replicasBy('kube-controller-manager', '2026-01-01T10:00:00Z', 'scale')];
    expect(countSetter(5, fields, { autoscaler: hpa, managedBy: null })).toBe(
      'the autoscaler (HorizontalPodAutoscaler checkout-web)',
    );
  });

  it('without managedFields, an active autoscaler whose range holds the count; else unknown', () => {
    const owners = { autoscaler: hpa, managedBy: null };
    expect(countSetter(5, undefined, owners)).toBe(
      'the autoscaler (HorizontalPodAutoscaler checkout-web)',
    );
    expect(
      countSetter(9, undefined, { autoscaler: { ...hpa, desiredReplicas: 3 }, managedBy: null }),
    ).toBeNull();
    expect(
      countSetter(3, undefined, { autoscaler: { ...hpa, active: false }, managedBy: null }),
    ).toBeNull();
    expect(countSetter(3, undefined, none)).toBeNull();
  });
});
