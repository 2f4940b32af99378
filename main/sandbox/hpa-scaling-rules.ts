import type { HorizontalPodAutoscaler } from './hpa-types';
import type { Condition } from './kube-types';

/**
 * What the HPA controller does with a proposed replica count before it scales (upstream's
 * normalizeDesiredReplicas and, with `spec.behavior`, normalizeDesiredReplicasWithBehaviors):
 * stabilization over the recommendations of a window, the scale-up limit, the min..max bounds,
 * and the AbleToScale and ScalingLimited conditions saying which rule held the count.
 */

/** Sets one of the HPA's conditions (the controller keeps the list). */
export type SetCondition = (
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
) => void;

// Reasons and messages of AbleToScale and ScalingLimited, worded as upstream.
const READY_FOR_NEW_SCALE = ['ReadyForNewScale', 'recommended size matches current size'] as const;
const SCALE_DOWN_STABILIZED = [
  'ScaleDownStabilized',
  'recent recommendations were higher than current one, applying the highest recent recommendation',
] as const;
const SCALE_UP_STABILIZED = [
  'ScaleUpStabilized',
  'recent recommendations were lower than current one, applying the lowest recent recommendation',
] as const;
const SCALE_UP_LIMIT = [
  'ScaleUpLimit',
  'the desired replica count is increasing faster than the maximum scale rate',
] as const;
const SCALE_DOWN_LIMIT = [
  'ScaleDownLimit',
  'the desired replica count is decreasing faster than the maximum scale rate',
] as const;
const TOO_MANY = [
  'TooManyReplicas',
  'the desired replica count is more than the maximum replica count',
] as const;
const TOO_FEW = [
  'TooFewReplicas',
  'the desired replica count is less than the minimum replica count',
] as const;
const WITHIN_RANGE = [
  'DesiredWithinRange',
  'the desired count is within the acceptable range',
] as const;

/** A proposed count and when it was made: the stabilization windows look back over these. */
export interface Recommendation {
  at: number;
  replicas: number;
}

export interface NormalizeInput {
  hpa: HorizontalPodAutoscaler;
  current: number;
  proposed: number;
  min: number;
  nowMs: number;
  /** This HPA's recommendations so far, oldest first. */
  history: Recommendation[];
  /** The scale-down window where `behavior` names none. */
  defaultDownWindowMs: number;
}

export interface Normalized {
  desired: number;
  /** The recommendations to keep for the next sync (this one included). */
  history: Recommendation[];
}

/**
 * Stabilization and limits, as normalizeDesiredReplicas (no `behavior`) and
 * normalizeDesiredReplicasWithBehaviors do them: a scale-down takes the highest recommendation
 * of the window; without behavior a scale-up is capped at max(2 × current, 4); the result stays
 * within min..max; the conditions say which rule held it.
 */
export function normalizeReplicas(input: NormalizeInput, set: SetCondition): Normalized {
  const { hpa, current, proposed, min, nowMs, history } = input;
  const behavior = hpa.spec.behavior;
  const downWindowMs =
    behavior?.scaleDown?.stabilizationWindowSeconds !== undefined
      ? behavior.scaleDown.stabilizationWindowSeconds * 1000
      : input.defaultDownWindowMs;
  const upWindowMs = (behavior?.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
  const within = (windowMs: number) =>
    history.filter((r) => r.at >= nowMs - windowMs).map((r) => r.replicas);
  const kept = [
    ...history.filter((r) => r.at >= nowMs - Math.max(downWindowMs, upWindowMs)),
    { at: nowMs, replicas: proposed },
  ];
  const max = hpa.spec.maxReplicas;
  let stabilized: number;
  let limit: [number, string, string];
  if (!behavior) {
    stabilized = Math.max(proposed, ...within(downWindowMs));
    if (stabilized !== proposed) set('AbleToScale', 'True', ...SCALE_DOWN_STABILIZED);
    else set('AbleToScale', 'True', ...READY_FOR_NEW_SCALE);
    const upLimit = Math.max(2 * current, 4);
    const [allowed, ...why] = max > upLimit ? [upLimit, ...SCALE_UP_LIMIT] : [max, ...TOO_MANY];
    if (stabilized < min) limit = [min, ...TOO_FEW];
    else if (stabilized > allowed) limit = [allowed, ...why];
    else limit = [stabilized, ...WITHIN_RANGE];
  } else {
    const up = Math.min(proposed, ...within(upWindowMs));
    const down = Math.max(proposed, ...within(downWindowMs));
    stabilized = Math.min(Math.max(current, up), down);
    if (stabilized === current && proposed > current)
      set('AbleToScale', 'True', ...SCALE_UP_STABILIZED);
    else if (stabilized === current && proposed < current)
      set('AbleToScale', 'True', ...SCALE_DOWN_STABILIZED);
    else set('AbleToScale', 'True', ...READY_FOR_NEW_SCALE);
    // Rate policies are not applied; `Disabled` stops that direction altogether.
    if (stabilized > current) {
      const disabled = behavior.scaleUp?.selectPolicy === 'Disabled';
      const [allowed, ...why] =
        disabled && max > current ? [current, ...SCALE_UP_LIMIT] : [max, ...TOO_MANY];
      limit = stabilized > allowed ? [allowed, ...why] : [stabilized, ...WITHIN_RANGE];
    } else if (stabilized < current) {
      const disabled = behavior.scaleDown?.selectPolicy === 'Disabled';
      const [allowed, ...why] =
        disabled && min < current ? [current, ...SCALE_DOWN_LIMIT] : [min, ...TOO_FEW];
      limit = stabilized < allowed ? [allowed, ...why] : [stabilized, ...WITHIN_RANGE];
    } else limit = [stabilized, ...WITHIN_RANGE];
  }
  const [desired, reason, message] = limit;
  set('ScalingLimited', desired === stabilized ? 'False' : 'True', reason, message);
  return { desired, history: kept };
}
