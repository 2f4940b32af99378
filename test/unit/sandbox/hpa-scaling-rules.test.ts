import { describe, expect, it } from 'vitest';
import {
  normalizeReplicas,
  type NormalizeInput,
  type Recommendation,
} from '../../../main/sandbox/hpa-scaling-rules';
import type { HorizontalPodAutoscaler } from '../../../main/sandbox/hpa-types';

const NOW = 1_000_000;

function hpa(behavior?: HorizontalPodAutoscaler['spec']['behavior']): HorizontalPodAutoscaler {
  return {
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      ...(behavior ? { behavior } : {}),
    },
  };
}

/** Runs the rules and returns the count and the conditions they set, by type. */
function run(input: Partial<NormalizeInput> & Pick<NormalizeInput, 'current' | 'proposed'>) {
  const conditions: Record<string, { status: string; reason: string }> = {};
  const result = normalizeReplicas(
    {
      hpa: hpa(),
      min: 2,
      nowMs: NOW,
      history: [],
      defaultDownWindowMs: 300_000,
      ...input,
    },
    (type, status, reason) => {
      conditions[type] = { status, reason };
    },
  );
  return { ...result, conditions };
}

const earlier = (secondsAgo: number, replicas: number): Recommendation => ({
  at: NOW - secondsAgo * 1000,
  replicas,
});

describe('what happens to a proposed replica count', () => {
  it('holds a scale-down at the highest recommendation of the window', () => {
    const held = run({ current: 6, proposed: 3, history: [earlier(100, 5)] });
    expect(held.desired).toBe(5);
    expect(held.conditions['AbleToScale']?.reason).toBe('ScaleDownStabilized');
    const free = run({ current: 6, proposed: 3, history: [earlier(400, 5)] });
    expect(free.desired).toBe(3);
    expect(free.history).toEqual([{ at: NOW, replicas: 3 }]);
  });

  it('caps a scale-up at max(2 × current, 4) without behavior', () => {
    const capped = run({ current: 3, proposed: 9 });
    expect(capped.desired).toBe(6);
    expect(capped.conditions['ScalingLimited']).toEqual({ status: 'True', reason: 'ScaleUpLimit' });
  });

  it('keeps the count within min and max, saying which bound held it', () => {
    expect(run({ current: 2, proposed: 1 }).conditions['ScalingLimited']).toEqual({
      status: 'True',
      reason: 'TooFewReplicas',
    });
    const top = run({ current: 8, proposed: 14 });
    expect(top.desired).toBe(10);
    expect(top.conditions['ScalingLimited']?.reason).toBe('TooManyReplicas');
  });

  it('with behavior, stabilizes scale-ups over their own window and honours Disabled', () => {
    const windowed = run({
      hpa: hpa({ scaleUp: { stabilizationWindowSeconds: 60 } }),
      current: 3,
      proposed: 8,
      history: [earlier(30, 3)],
    });
    expect(windowed.desired).toBe(3);
    expect(windowed.conditions['AbleToScale']?.reason).toBe('ScaleUpStabilized');
    const disabled = run({
      hpa: hpa({ scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } }),
      current: 6,
      proposed: 3,
    });
    expect(disabled.desired).toBe(6);
    expect(disabled.conditions['ScalingLimited']?.reason).toBe('ScaleDownLimit');
  });
});
