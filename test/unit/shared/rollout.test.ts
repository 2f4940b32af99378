import { describe, expect, it } from 'vitest';
import {
  rolloutOf,
  workloadKindOf,
  type DeploymentRollout,
  type StatefulSetRollout,
} from '../../../shared/rollout';

type Conditions = NonNullable<NonNullable<DeploymentRollout['status']>['conditions']>;

/**
 * A Deployment at generation 2 wanting `desired` replicas, with `total` of them in its
 * ReplicaSets, `updated` of the new template and `available` ones; seen by the controller unless
 * `observed` says otherwise.
 */
function rollout(counts: {
  desired: number;
  total?: number;
  updated?: number;
  available?: number;
  observed?: number;
  conditions?: Conditions;
}): DeploymentRollout {
  return {
    metadata: { generation: 2 },
    spec: { replicas: counts.desired },
    status: {
      observedGeneration: counts.observed ?? 2,
      replicas: counts.total,
      updatedReplicas: counts.updated,
      availableReplicas: counts.available,
      conditions: counts.conditions,
    },
  };
}

const deadline = {
  type: 'Progressing',
  status: 'False',
  reason: 'ProgressDeadlineExceeded',
  message: 'ReplicaSet "a-web-1" has timed out progressing.',
};
const quota = {
  type: 'ReplicaFailure',
  status: 'True',
  reason: 'FailedCreate',
  message: 'pods "a-web-x" is forbidden: exceeded quota: pods, limited: pods=10',
};

describe('the rollout of a Deployment, as kubectl rollout status judges it', () => {
  it('is complete when every replica is updated and available and no old one is left', () => {
    const done = rollout({ desired: 3, total: 3, updated: 3, available: 3 });
    expect(rolloutOf(done)).toEqual({ state: 'complete', progress: 1, message: null });
  });

  it('waits, at 0, until the controller has seen the generation, whatever the old counts say', () => {
    const unseen = rollout({
      desired: 3,
      total: 3,
      updated: 3,
      available: 3,
      observed: 1,
      conditions: [quota],
    });
    expect(rolloutOf(unseen)).toEqual({
      state: 'progressing',
      progress: 0,
      message: 'Waiting for the cluster to act on the change.',
    });
    expect(rolloutOf(unseen, 'web').message).toBe('Waiting for the cluster to act on web.');
  });

  it('says what it waits for: new replicas started, old ones stopping, new ones ready', () => {
    expect(rolloutOf(rollout({ desired: 4, total: 5, updated: 2, available: 3 }))).toEqual({
      state: 'progressing',
      progress: 0.5,
      message: '2 of 4 new replicas started.',
    });
    // Every wanted replica is there, but it is not over: never 100% before complete.
    expect(rolloutOf(rollout({ desired: 2, total: 4, updated: 2, available: 2 }))).toEqual({
      state: 'progressing',
      progress: 0.99,
      message: '2 old replicas stopping.',
    });
    expect(rolloutOf(rollout({ desired: 2, total: 2, updated: 2, available: 1 }), 'web')).toEqual({
      state: 'progressing',
      progress: 0.5,
      message: 'web: 1 of 2 new replicas ready.',
    });
  });

  it('counts a scale to zero at 0 until the last old replica is gone', () => {
    expect(rolloutOf(rollout({ desired: 0, total: 2, updated: 0, available: 2 }))).toEqual({
      state: 'progressing',
      progress: 0,
      message: '2 old replicas stopping.',
    });
    expect(rolloutOf(rollout({ desired: 0 })).state).toBe('complete');
  });

  it('fails on the progress deadline, with the ReplicaSet failure as the reason where there is one', () => {
    const counts = { desired: 2, total: 2, updated: 1, available: 1 };
    expect(rolloutOf(rollout({ ...counts, conditions: [deadline] }))).toEqual({
      state: 'failed',
      progress: 0.5,
      message:
        'The rollout passed its progress deadline: ReplicaSet "a-web-1" has timed out progressing.',
    });
    expect(rolloutOf(rollout({ ...counts, conditions: [deadline, quota] }), 'web').message).toBe(
      `The rollout of web passed its progress deadline: ${quota.message}.`,
    );
  });

  it('fails where the ReplicaSet cannot create pods, naming the quota where it is the cause', () => {
    const counts = { desired: 5, total: 3, updated: 3, available: 3 };
    expect(rolloutOf(rollout({ ...counts, conditions: [quota] }))).toEqual({
      state: 'failed',
      progress: 0.6,
      message: `The namespace pod quota refused new pods: ${quota.message}`,
    });
    expect(rolloutOf(rollout({ ...counts, conditions: [quota] }), 'web').message).toBe(
      `The namespace pod quota refused new pods of web: ${quota.message}`,
    );
    const other = { ...quota, message: 'serviceaccount "app" not found' };
    expect(rolloutOf(rollout({ ...counts, conditions: [other] }), 'web').message).toBe(
      'New pods of web could not be created: serviceaccount "app" not found',
    );
  });

  it('is complete despite a failure condition left over once every replica is there', () => {
    const done = rollout({ desired: 3, total: 3, updated: 3, available: 3, conditions: [quota] });
    expect(rolloutOf(done).state).toBe('complete');
  });
});

/**
 * A StatefulSet at generation 2 wanting `desired` replicas, `total` of them existing, `ready`,
 * `updated` to the update revision (`rev2`, current `rev1` unless `settled`), seen by the
 * controller unless `observed` says otherwise; RollingUpdate with a partition unless `strategy`.
 */
function set(counts: {
  desired: number;
  total?: number;
  ready?: number;
  updated?: number;
  observed?: number;
  settled?: boolean;
  strategy?: NonNullable<StatefulSetRollout['spec']>['updateStrategy'];
}): StatefulSetRollout {
  return {
    metadata: { generation: 2 },
    spec: {
      replicas: counts.desired,
      updateStrategy: counts.strategy ?? { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    },
    status: {
      observedGeneration: counts.observed ?? 2,
      replicas: counts.total ?? counts.desired,
      readyReplicas: counts.ready,
      updatedReplicas: counts.updated,
      currentRevision: counts.settled ? 'db-rev2' : 'db-rev1',
      updateRevision: 'db-rev2',
    },
  };
}

describe('the rollout of a StatefulSet, as kubectl rollout status judges it', () => {
  it('is told from a Deployment by its fields where the kind is not given', () => {
    expect(workloadKindOf(set({ desired: 1 }))).toBe('StatefulSet');
    expect(workloadKindOf(rollout({ desired: 1 }))).toBe('Deployment');
  });

  it('is complete when every replica is ready and updated to the update revision', () => {
    const done = set({ desired: 3, ready: 3, updated: 3, settled: true });
    expect(rolloutOf(done)).toEqual({ state: 'complete', progress: 1, message: null });
    expect(rolloutOf(done, 'db', 'StatefulSet')).toEqual(rolloutOf(done));
  });

  it('waits, at 0, until the controller has seen the generation', () => {
    expect(rolloutOf(set({ desired: 3, ready: 3, updated: 3, observed: 1 }), 'db')).toEqual({
      state: 'progressing',
      progress: 0,
      message: 'Waiting for the cluster to act on db.',
    });
  });

  it('says what it waits for: replicas ready, then updated, then a scale-down', () => {
    expect(rolloutOf(set({ desired: 3, ready: 1, updated: 1 }))).toEqual({
      state: 'progressing',
      progress: 1 / 3,
      message: '1 of 3 replicas ready.',
    });
    expect(rolloutOf(set({ desired: 3, ready: 3, updated: 2 }), 'db')).toEqual({
      state: 'progressing',
      progress: 2 / 3,
      message: 'db: 2 of 3 replicas updated.',
    });
    expect(rolloutOf(set({ desired: 1, total: 2, ready: 2, updated: 2, settled: true }))).toEqual({
      state: 'progressing',
      progress: 0.99,
      message: '1 replica stopping.',
    });
  });

  it('updates only the ordinals above the partition, and judges OnDelete by readiness alone', () => {
    const partitioned = set({
      desired: 4,
      ready: 4,
      updated: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
    });
    expect(rolloutOf(partitioned).state).toBe('complete');
    const onDelete = set({ desired: 2, ready: 2, updated: 0, strategy: { type: 'OnDelete' } });
    expect(rolloutOf(onDelete).state).toBe('complete');
  });

  it('compares the revisions where there is no rollingUpdate to read a partition from', () => {
    const rolling = set({ desired: 2, ready: 2, updated: 1, strategy: { type: 'RollingUpdate' } });
    expect(rolloutOf(rolling).message).toBe('1 of 2 replicas updated.');
    const settled = set({
      desired: 2,
      ready: 2,
      updated: 2,
      settled: true,
      strategy: { type: 'RollingUpdate' },
    });
    expect(rolloutOf(settled).state).toBe('complete');
  });
});
