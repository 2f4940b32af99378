import { describe, expect, it } from 'vitest';
import {
  milliQuantity,
  ReplicaCalculationError,
  replicasForAverageValue,
  replicasForUtilization,
  type PodMeasure,
} from '../../../main/sandbox/hpa-replica-calculator';

/** A ready pod with a 100m CPU request using `usage` millicores (undefined: no metrics). */
function pod(name: string, usage: number | undefined, extra: Partial<PodMeasure> = {}): PodMeasure {
  return { name, ignored: false, unready: false, usage, request: 100, ...extra };
}

describe('the HPA replica arithmetic', () => {
  it('scales to ceil(ready pods × utilization / target)', () => {
    const proposal = replicasForUtilization([pod('a', 140), pod('b', 140)], 2, 70);
    expect(proposal).toEqual({ replicas: 4, utilization: 140, averageUsage: 140 });
  });

  it('keeps the count within the 10 % tolerance', () => {
    expect(replicasForUtilization([pod('a', 75), pod('b', 76)], 2, 70).replicas).toBe(2);
    expect(replicasForUtilization([pod('a', 80), pod('b', 80)], 2, 70).replicas).toBe(3);
  });

  it('counts a pod without metrics as using its whole request on a scale-down', () => {
    // Measured alone: 10 % of a 50 % target would mean 1 pod; with the silent pod at 100 %
    // the average is 40 %, 3 × 0.8 rounds up to the 3 there are.
    const pods = [pod('a', 10), pod('b', 10), pod('c', undefined)];
    expect(replicasForUtilization(pods, 3, 50).replicas).toBe(3);
    expect(replicasForUtilization(pods.slice(0, 2), 2, 50).replicas).toBe(1);
  });

  it('counts unready pods as idle on a scale-up, and leaves deleted pods out', () => {
    const pods = [
      pod('a', 200),
      pod('b', 200),
      pod('c', 500, { unready: true }),
      pod('d', 900, { ignored: true }),
    ];
    // Ready pods alone: 200 % of 100 % → 4; with the unready one as 0: 133 % of 3 pods → 4.
    expect(replicasForUtilization(pods, 3, 100)).toMatchObject({ replicas: 4, utilization: 200 });
  });

  it('proposes against a raw average value', () => {
    const pods = [pod('a', 900_000), pod('b', 1_100_000)];
    expect(replicasForAverageValue(pods, 2, 500_000)).toEqual({
      replicas: 4,
      averageUsage: 1_000_000,
    });
  });

  it('refuses when no pod could be measured', () => {
    expect(() => replicasForUtilization([pod('a', 100, { unready: true })], 1, 50)).toThrow(
      ReplicaCalculationError,
    );
  });

  it('writes milli-unit quantities as the API server canonicalizes them', () => {
    expect(milliQuantity(344)).toBe('344m');
    expect(milliQuantity(2000)).toBe('2');
    expect(milliQuantity(1_560_000_000_000)).toBe('1560M');
    expect(milliQuantity(1_560_018_944_000)).toBe('1560018944');
    expect(milliQuantity(0)).toBe('0');
  });
});
