import type { Condition } from './kube-types';

/**
 * Setting a status condition as Kubernetes controllers do: the transition time moves only when
 * the status flips, the update time whenever reason or message change.
 */
export function setCondition(
  conditions: Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime' | 'lastUpdateTime'>,
  now: string,
  withUpdateTime: boolean,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const previous = i >= 0 ? list[i] : undefined;
  const same =
    previous?.status === next.status &&
    previous?.reason === next.reason &&
    previous?.message === next.message;
  if (previous && same) return list;
  const condition: Condition = {
    ...next,
    lastTransitionTime:
      previous && previous.status === next.status && previous.lastTransitionTime
        ? previous.lastTransitionTime
        : now,
  };
  if (withUpdateTime) condition.lastUpdateTime = now;
  // Key order as the API server writes it, for readable `kubectl get -o yaml`.
  const ordered: Condition = {
    type: condition.type,
    status: condition.status,
    ...(withUpdateTime ? { lastUpdateTime: condition.lastUpdateTime } : {}),
    lastTransitionTime: condition.lastTransitionTime,
    ...(condition.reason !== undefined ? { reason: condition.reason } : {}),
    ...(condition.message !== undefined ? { message: condition.message } : {}),
  };
  if (i >= 0) list[i] = ordered;
  else list.push(ordered);
  return list;
}

export function removeCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function findCondition(
  conditions: Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
