import { describe, expect, it } from 'vitest';
import { activeOrLatest, pauseConditions } from '../../../main/sandbox/deployment-pause';
import type { Condition, ReplicaSet } from '../../../main/sandbox/kube-types';

/** Pausing and resuming as the deployment controller reports them, and what a paused one scales. */

const NOW = '2026-11-30T05:00:00Z';
const complete: Condition = {
  type: 'Progressing',
  status: 'True',
  reason: 'NewReplicaSetAvailable',
  message: 'ReplicaSet "web-1" has successfully progressed.',
  lastUpdateTime: '2026-11-29T00:00:00Z',
  lastTransitionTime: '2026-11-29T00:00:00Z',
};

function rs(name: string, replicas: number, revision: number): ReplicaSet {
  const replicaSet: ReplicaSet = {
    metadata: { name, annotations: { 'deployment.kubernetes.io/revision': String(revision) } },
    spec: { replicas, selector: {}, template: { spec: { containers: [] } } },
  };
  return replicaSet;
}

describe('pause conditions', () => {
  it('pausing sets Progressing Unknown, DeploymentPaused, "Deployment is paused"', () => {
    const [progressing] = pauseConditions([complete], true, NOW) ?? [];
    expect(progressing).toMatchObject({
      type: 'Progressing',
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
      lastTransitionTime: NOW,
    });
  });

  it('resuming sets DeploymentResumed; staying paused or running changes nothing', () => {
    const paused = pauseConditions([complete], true, NOW) ?? [];
    expect(pauseConditions(paused, true, NOW)).toBeUndefined();
    expect(pauseConditions([complete], false, NOW)).toBeUndefined();
    expect(pauseConditions(paused, false, NOW)?.[0]).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentResumed',
      message: 'Deployment is resumed',
    });
  });

  it('a reported ProgressDeadlineExceeded is not overwritten by pausing', () => {
    const timedOut: Condition = {
      ...complete,
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    };
    expect(pauseConditions([timedOut], true, NOW)).toBeUndefined();
  });
});

describe('what a paused Deployment scales', () => {
  const revision = (r: ReplicaSet) =>
    Number(r.metadata.annotations?.['deployment.kubernetes.io/revision']);

  it('its only active ReplicaSet, else the new or latest, and none mid-rollout', () => {
    const old = rs('web-1', 2, 1);
    const fresh = rs('web-2', 0, 2);
    expect(activeOrLatest(undefined, [old, fresh], revision)).toBe(old);
    expect(activeOrLatest(undefined, [rs('a', 0, 1), fresh], revision)).toBe(fresh);
    expect(activeOrLatest(undefined, [old, rs('web-2', 1, 2)], revision)).toBeUndefined();
  });
});
