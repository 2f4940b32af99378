import { describe, expect, it } from 'vitest';
import {
  autoscalerSummary,
  gitOpsNotice,
  parseRange,
  planRange,
  rangeText,
  type Autoscaler,
} from '../../../shared/count-owner';
import { kubectlPatchAutoscaler } from '../../../shared/kubectl-command';

const hpa: Autoscaler = {
  kind: 'HorizontalPodAutoscaler',
  name: 'checkout-web',
  apiVersion: 'autoscaling/v2',
  minReplicas: 2,
  maxReplicas: 5,
  currentReplicas: 3,
  desiredReplicas: 3,
  targets: ['70 % CPU'],
  active: true,
  inactiveReason: null,
  editable: true,
};

describe('who else sets the count, in words', () => {
  it('sums up an autoscaler as the card shows it', () => {
    expect(autoscalerSummary(hpa)).toBe('autoscaled: 2–5, now 3, target 70 % CPU');
    expect(autoscalerSummary({ ...hpa, currentReplicas: null, targets: [] })).toBe(
      'autoscaled: 2–5',
    );
  });

  it('keeps a range as the activity log words it, and reads it back', () => {
    expect(rangeText(hpa)).toBe('2–5');
    expect(parseRange('2–5')).toEqual({ minReplicas: 2, maxReplicas: 5 });
    expect(parseRange('3-7')).toEqual({ minReplicas: 3, maxReplicas: 7 });
    expect(parseRange(4)).toBeNull();
    expect(parseRange('four')).toBeNull();
  });

  it('checks a new range: a minimum of 1 or more, a maximum from the minimum to the ceiling', () => {
    expect(planRange(2, 6, 10)).toEqual({ ok: true, minReplicas: 2, maxReplicas: 6 });
    expect(planRange(0, 6, 10)).toMatchObject({ ok: false });
    expect(planRange(0, 6, 10).ok || planRange(0, 6, 10)).toMatchObject({
      message: expect.stringContaining('HPAScaleToZero'),
    });
    expect(planRange(4, 3, 10)).toEqual({
      ok: false,
      message: 'The maximum cannot be below the minimum.',
    });
    expect(planRange(2, 11, 10)).toEqual({
      ok: false,
      message: 'The maximum cannot be more than 10 replicas.',
    });
  });

  it('says a GitOps-managed change will be reverted unless made in git', () => {
    expect(gitOpsNotice('web', { tool: 'argocd', name: 'reports', evidence: 'x' })).toBe(
      'web is managed by Argo CD (application reports): this change will be reverted at its next sync unless it is also made in git.',
    );
    expect(gitOpsNotice('web', { tool: 'flux', name: null, evidence: 'x' })).toBe(
      'web is managed by Flux: this change will be reverted at its next sync unless it is also made in git.',
    );
  });

  it("gives the autoscaler's kubectl command: hpa fields, or KEDA's on a ScaledObject", () => {
    const target = { context: 'prod', namespace: 'shop' };
    expect(kubectlPatchAutoscaler(target, hpa, { minReplicas: 2, maxReplicas: 6 })).toBe(
      `kubectl patch hpa checkout-web --type=merge -p '{"spec":{"minReplicas":2,"maxReplicas":6}}' -n shop --context prod`,
    );
    expect(
      kubectlPatchAutoscaler(
        target,
        { kind: 'ScaledObject', name: 'orders' },
        { minReplicas: 1, maxReplicas: 8 },
      ),
    ).toBe(
      `kubectl patch scaledobject orders --type=merge -p '{"spec":{"minReplicaCount":1,"maxReplicaCount":8}}' -n shop --context prod`,
    );
  });
});
