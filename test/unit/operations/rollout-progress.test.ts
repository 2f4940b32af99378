import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  podFailure,
  rolloutVerdict,
  type TrackedDeployment,
} from '../../../main/operations/rollout-progress';
import { makePod } from '../../fixtures/app-model';

const tracked = (overrides: Partial<TrackedDeployment> = {}): TrackedDeployment => ({
  process: 'web',
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
    expect(rolloutVerdict(before, tracked({ generation: null, replicas: 4 })).state).toBe(
      'waiting',
    );
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
    const stalled = deployment(
      { replicas: 3, generation: 5 },
      {
        observedGeneration: 5,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "shop-web-1" has timed out progressing.',
          },
        ],
      },
    );
    expect(rolloutVerdict(stalled, tracked())).toEqual({
      state: 'failed',
      message:
        'The rollout of web passed its progress deadline: ReplicaSet "shop-web-1" has timed out progressing.',
    });
    const quota = deployment(
      { replicas: 3, generation: 5 },
      {
        observedGeneration: 5,
        conditions: [
          {
            type: 'ReplicaFailure',
            status: 'True',
            reason: 'FailedCreate',
            message:
              'pods "x" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10',
          },
        ],
      },
    );
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
      waitingReason: 'CrashLoopBackOff',
      restarts: 4,
      lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: null },
    });
    expect(podFailure('web', [oom])).toBe(
      'web is stopped by its memory limit: the new pod p2 was OOMKilled and is restarting in a loop.',
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
