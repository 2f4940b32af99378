import type { V1Deployment, V1DeploymentCondition, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  podFailure,
  rolloutVerdict,
  type TrackedWorkload,
} from '../../../main/operations/rollout-verdict';
import { makePod } from '../../fixtures/app-model';

const tracked = (overrides: Partial<TrackedWorkload> = {}): TrackedWorkload => ({
  process: 'web',
  kind: 'Deployment',
  deployment: 'shop-web',
  generation: 5,
  replicas: null,
  podsBefore: new Set(),
  ...overrides,
});

function deployment(
  spec: { replicas: number; generation: number },
  status: NonNullable<V1Deployment['status']>,
): V1Deployment {
  return {
    metadata: { name: 'shop-web', generation: spec.generation },
    spec: { replicas: spec.replicas, selector: {}, template: {} },
    status,
  };
}

/** shop-web at 3 replicas, its generation 5 seen by the controller, which reports `condition`. */
function seenWithCondition(condition: V1DeploymentCondition): V1Deployment {
  return deployment(
    { replicas: 3, generation: 5 },
    { observedGeneration: 5, conditions: [condition] },
  );
}

describe('rolloutVerdict reads a rollout as kubectl rollout status does', () => {
  it('waits until the write has reached the model and the controller has seen it', () => {
    expect(rolloutVerdict(deployment({ replicas: 2, generation: 4 }, {}), tracked())).toMatchObject(
      {
        state: 'waiting',
        message: 'Waiting for the cluster to act on web.',
      },
    );
    const unseen = deployment({ replicas: 2, generation: 5 }, { observedGeneration: 4 });
    expect(rolloutVerdict(unseen, tracked()).state).toBe('waiting');
  });

  it('waits for the scaled replicas to show on a scale (no generation known)', () => {
    const before = deployment(
      { replicas: 2, generation: 5 },
      { observedGeneration: 5, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
    );
    // The watch's copy may lag: not shown yet, which the cluster is asked to confirm.
    expect(rolloutVerdict(before, tracked({ generation: null, replicas: 4 }))).toEqual({
      state: 'not-shown',
      progress: 0,
      message: 'Waiting for the cluster to act on web.',
    });
  });

  it('reports progress while new replicas start and old ones stop', () => {
    const halfway = deployment(
      { replicas: 4, generation: 5 },
      { observedGeneration: 5, replicas: 5, updatedReplicas: 2, availableReplicas: 3 },
    );
    expect(rolloutVerdict(halfway, tracked())).toEqual({
      state: 'waiting',
      progress: 0.5,
      message: 'web: 2 of 4 new replicas started.',
    });
    const oldLeft = deployment(
      { replicas: 2, generation: 5 },
      { observedGeneration: 5, replicas: 3, updatedReplicas: 2, availableReplicas: 2 },
    );
    expect(rolloutVerdict(oldLeft, tracked())).toMatchObject({
      state: 'waiting',
      message: 'web: 1 old replica stopping.',
    });
  });

  it('is complete when every replica is updated and available and no old one is left', () => {
    const done = deployment(
      { replicas: 3, generation: 5 },
      { observedGeneration: 5, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
    );
    expect(rolloutVerdict(done, tracked({ replicas: 3 }))).toEqual({ state: 'complete' });
    const zero = deployment({ replicas: 0, generation: 6 }, { observedGeneration: 6 });
    expect(rolloutVerdict(zero, tracked({ replicas: 0 }))).toEqual({ state: 'complete' });
  });

  it('fails on the progress deadline and on a quota that refuses pods', () => {
    const stalled = seenWithCondition({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "shop-web-1" has timed out progressing.',
    });
    expect(rolloutVerdict(stalled, tracked())).toEqual({
      state: 'failed',
      message:
        'The rollout of web passed its progress deadline: ReplicaSet "shop-web-1" has timed out progressing.',
    });
    const quota = seenWithCondition({
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message:
        'pods "x" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10',
    });
    expect(rolloutVerdict(quota, tracked()).state).toBe('failed');
    expect((rolloutVerdict(quota, tracked()) as { message: string }).message).toMatch(
      /^The namespace pod quota refused new pods of web: /,
    );
  });

  it('fails where the deployment is gone', () => {
    expect(rolloutVerdict(undefined, tracked())).toEqual({
      state: 'failed',
      message: 'The deployment of web was deleted.',
    });
  });
});

describe('rolloutVerdict reads a StatefulSet as a StatefulSet', () => {
  const db = tracked({ process: 'db', kind: 'StatefulSet', deployment: 'ledger-db', replicas: 3 });

  it('is complete once its replicas are ready, with no Deployment counts to read', () => {
    const set: V1StatefulSet = {
      metadata: { name: 'ledger-db', generation: 5 },
      spec: { replicas: 3, serviceName: 'ledger-db', selector: {}, template: {} },
      status: {
        observedGeneration: 5,
        replicas: 3,
        readyReplicas: 3,
        updatedReplicas: 3,
        currentRevision: 'ledger-db-1',
        updateRevision: 'ledger-db-1',
      },
    };
    expect(rolloutVerdict(set, db)).toEqual({ state: 'complete' });
    const starting = { ...set, status: { ...set.status, readyReplicas: 2 } };
    expect(rolloutVerdict(starting, db)).toMatchObject({
      state: 'waiting',
      message: 'db: 2 of 3 replicas ready.',
    });
  });

  it('fails where the statefulset is gone, naming its kind', () => {
    expect(rolloutVerdict(undefined, db)).toEqual({
      state: 'failed',
      message: 'The statefulset of db was deleted.',
    });
  });
});

describe('rolloutVerdict knows a change a later one replaced', () => {
  const settled = { observedGeneration: 7, replicas: 3, updatedReplicas: 3, availableReplicas: 3 };

  it('says superseded where the cluster, read after the write, has another count', () => {
    const now = deployment({ replicas: 3, generation: 7 }, settled);
    const scaleUp = tracked({ generation: null, replicas: 6 });
    expect(rolloutVerdict(now, scaleUp, undefined, true)).toEqual({
      state: 'superseded',
      message: 'Superseded by a later change: web now has 3 replicas.',
    });
    // The same copy from the watch could be one from before the write.
    expect(rolloutVerdict(now, scaleUp).state).toBe('not-shown');
  });

  it('says superseded where a copy past our generation has other workers', () => {
    const gunicorn = (workers: number, generation: number): V1Deployment => ({
      metadata: { name: 'shop-web', generation },
      spec: {
        replicas: 3,
        selector: {},
        template: {
          spec: {
            containers: [{ name: 'web', command: ['gunicorn', '-w', String(workers), 'app:app'] }],
          },
        },
      },
      status: { ...settled, observedGeneration: generation },
    });
    const ours = tracked({ generation: 6 });
    const target = { process: 'web', deployment: 'shop-web', workers: 4 };
    expect(rolloutVerdict(gunicorn(2, 5), ours, target).state).toBe('not-shown');
    expect(rolloutVerdict(gunicorn(2, 7), ours, target)).toEqual({
      state: 'superseded',
      message: 'Superseded by a later change: web now runs 2 workers.',
    });
    expect(rolloutVerdict(gunicorn(4, 7), ours, target)).toEqual({ state: 'complete' });
  });

  it('says superseded where the pod template has another restart', () => {
    const restarted = (at: string): V1Deployment => ({
      metadata: { name: 'shop-web', generation: 7 },
      spec: {
        replicas: 3,
        selector: {},
        template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } },
      },
      status: settled,
    });
    const target = { process: 'web', deployment: 'shop-web', restartedAt: '2026-01-01T10:00:00Z' };
    expect(rolloutVerdict(restarted('2026-01-01T10:00:00Z'), tracked(), target, true)).toEqual({
      state: 'complete',
    });
    expect(rolloutVerdict(restarted('2026-01-01T10:05:00Z'), tracked(), target, true)).toEqual({
      state: 'superseded',
      message: 'Superseded by a later change: web was restarted again (at 2026-01-01T10:05:00Z).',
    });
  });
});

describe('rolloutVerdict knows a memory limit a later one replaced', () => {
  const settled = { observedGeneration: 7, replicas: 3, updatedReplicas: 3, availableReplicas: 3 };
  /** shop-web at generation 7, settled, its web container (after a sidecar) limited to `limit`. */
  const limited = (
    limit: string | null,
    managedFields?: NonNullable<V1Deployment['metadata']>['managedFields'],
  ): V1Deployment => ({
    metadata: { name: 'shop-web', generation: 7, ...(managedFields ? { managedFields } : {}) },
    spec: {
      replicas: 3,
      selector: {},
      template: {
        spec: {
          containers: [
            { name: 'proxy', resources: { limits: { memory: '256Mi' } } },
            {
              name: 'web',
              command: ['gunicorn', 'app:app'],
              ...(limit === null ? {} : { resources: { limits: { memory: limit } } }),
            },
          ],
        },
      },
    },
    status: settled,
  });
  const target = { process: 'web', deployment: 'shop-web', memoryLimit: '12Gi' };
  const kubectlSet = {
    manager: 'kubectl-set',
    operation: 'Update',
    time: new Date('2026-01-01T10:05:00Z'),
    fieldsV1: {
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': { 'f:resources': { 'f:limits': { 'f:memory': {} } } },
            },
          },
        },
      },
    },
  };

  it('is done where the container has the limit the change set, however it is written', () => {
    expect(rolloutVerdict(limited('12Gi'), tracked(), target, true)).toEqual({ state: 'complete' });
    expect(rolloutVerdict(limited('12288Mi'), tracked(), target, true)).toEqual({
      state: 'complete',
    });
  });

  it('says superseded, naming the field manager, where the cluster has another limit', () => {
    expect(rolloutVerdict(limited('16Gi', [kubectlSet]), tracked(), target, true)).toEqual({
      state: 'superseded',
      message:
        'Superseded by someone else (field manager kubectl-set): web now has a memory limit of 16Gi per replica.',
    });
    // A copy from the watch (no managedFields) past our generation: who set it is not known.
    expect(rolloutVerdict(limited('16Gi'), tracked({ generation: 6 }), target)).toEqual({
      state: 'superseded',
      message: 'Superseded by a later change: web now has a memory limit of 16Gi per replica.',
    });
    // One from before our write may just not show it yet.
    expect(rolloutVerdict(limited('8Gi'), tracked({ generation: 8 }), target).state).toBe(
      'not-shown',
    );
  });

  it('says superseded where the limit the change set was removed, or set where it removed one', () => {
    expect(rolloutVerdict(limited(null), tracked(), target, true)).toEqual({
      state: 'superseded',
      message: 'Superseded by a later change: web now has no memory limit of its own.',
    });
    const removal = { ...target, memoryLimit: null };
    expect(rolloutVerdict(limited(null), tracked(), removal, true)).toEqual({ state: 'complete' });
    expect(rolloutVerdict(limited('4Gi'), tracked(), removal, true).state).toBe('superseded');
  });
});

describe('podFailure names why new pods cannot run', () => {
  it('sees an image that cannot be pulled', () => {
    expect(
      podFailure('web', [makePod({ name: 'p1', waitingReason: 'ImagePullBackOff', ready: false })]),
    ).toBe('web cannot start: the cluster cannot pull its image (ImagePullBackOff on p1).');
  });
  it('sees the memory limit in a crash loop of OOMKilled containers', () => {
    const oom = makePod({
      name: 'p2',
      ready: false,
      memoryLimitBytes: null,
      waitingReason: 'CrashLoopBackOff',
      restarts: 4,
      lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: null },
    });
    expect(podFailure('web', [oom])).toBe(
      "OOMKilled after the change: web's new pod p2 was stopped by its memory limit and is restarting in a loop.",
    );
  });
  it('sees a single OOMKill of a new pod, already restarted and ready, with its own limit', () => {
    const once = makePod({
      name: 'p4',
      ready: true,
      restarts: 1,
      memoryLimitBytes: 512 * 1024 * 1024,
      lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: null },
    });
    expect(podFailure('web', [once])).toBe(
      "OOMKilled after the change: web's new pod p4 was stopped by its memory limit of 512 MiB.",
    );
  });
  it('sees any other crash loop with its exit code', () => {
    const crash = makePod({
      name: 'p3',
      waitingReason: 'CrashLoopBackOff',
      lastTermination: { reason: 'Error', exitCode: 3, finishedAt: null },
    });
    expect(podFailure('web', [crash])).toBe(
      'web is crash-looping: the new pod p3 keeps exiting (exit code 3).',
    );
  });
  it('says nothing about healthy or starting pods', () => {
    expect(
      podFailure('web', [
        makePod({ name: 'a' }),
        makePod({ name: 'b', waitingReason: 'ContainerCreating' }),
      ]),
    ).toBeNull();
  });
});
