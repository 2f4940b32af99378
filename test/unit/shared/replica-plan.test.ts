import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import { parseReplicasText, planReplicas, validateReplicas } from '../../../shared/replica-plan';
import { shopApp } from '../../fixtures/app-model';

describe('validateReplicas gives the editor a message for every bad value', () => {
  it.each([
    [-1, 'Replicas cannot be negative.'],
    [11, 'replicas must be a whole number from 0 to 10 (the maximum set in Settings); got 11'],
    [2.5, 'Replicas must be a whole number.'],
    [Number.NaN, 'Replicas must be a number.'],
    ['3', 'Replicas must be a number, not text.'],
    [
      Number.POSITIVE_INFINITY,
      'replicas must be a whole number from 0 to 10 (the maximum set in Settings); got Infinity',
    ],
    [null, 'Enter a number of replicas.'],
    [undefined, 'Enter a number of replicas.'],
  ])('%s -> %s', (value, message) => {
    expect(validateReplicas(value, 10)).toEqual({ ok: false, message });
  });

  it.each([0, 1, 10])('accepts %s', (value) => {
    expect(validateReplicas(value, 10)).toEqual({ ok: true, replicas: value });
  });

  it('follows the maximum set in Settings', () => {
    expect(validateReplicas(11, 20)).toEqual({ ok: true, replicas: 11 });
    expect(validateReplicas(4, 3)).toEqual({
      ok: false,
      message: 'replicas must be a whole number from 0 to 3 (the maximum set in Settings); got 4',
    });
  });
});

describe('parseReplicasText reads the text field', () => {
  it.each([
    ['3', { ok: true, replicas: 3 }],
    [' 4 ', { ok: true, replicas: 4 }],
    ['', { ok: false, message: 'Enter a number of replicas.' }],
    ['three', { ok: false, message: 'Replicas must be a number.' }],
    ['2.5', { ok: false, message: 'Replicas must be a whole number.' }],
    ['-1', { ok: false, message: 'Replicas cannot be negative.' }],
    [
      '11',
      {
        ok: false,
        message:
          'replicas must be a whole number from 0 to 10 (the maximum set in Settings); got 11',
      },
    ],
    ['3x', { ok: false, message: 'Replicas must be a number.' }],
  ])('%j', (text, expected) => {
    expect(parseReplicasText(text, 10)).toEqual(expected);
  });
});

describe('planReplicas works out the effect before anything is sent', () => {
  it('adds the limit of each new replica to the app maximum (24 GiB -> 40 GiB for 2 -> 4)', () => {
    const result = planReplicas(shopApp(), 'web', 4, 10);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan).toMatchObject({
      from: 2,
      to: 4,
      newPods: 2,
      memory: { perReplicaBytes: 8 * GIB, maxNowBytes: 24 * GIB, maxAfterBytes: 40 * GIB },
      pods: { quotaUsed: 3, quotaHard: 20, quotaLeftAfter: 15, nodesFree: 100, nodesFreeAfter: 98 },
      fits: true,
      refusal: null,
    });
    expect(result.plan.notes).toContainEqual({
      kind: 'max-memory',
      message: "The app's maximum memory goes from 24 GiB to 40 GiB.",
    });
  });

  it('refuses a change past the namespace pod quota with the numbers', () => {
    const app = shopApp({ podRoom: { quotaUsed: 9, quotaHard: 10, nodesFree: 50 } });
    const result = planReplicas(app, 'web', 5, 10);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.fits).toBe(false);
    expect(result.plan.pods.quotaLeftAfter).toBe(-2);
    expect(result.plan.refusal).toBe(
      'web of shop cannot go from 2 to 5 replicas: it needs 3 more pods, but the pod quota of namespace shop allows 10 pods and 9 are in use, so 1 more can start.',
    );
  });

  it('refuses a change past the room on the nodes', () => {
    const app = shopApp({ podRoom: { quotaUsed: null, quotaHard: null, nodesFree: 1 } });
    const result = planReplicas(app, 'web', 4, 10);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.fits).toBe(false);
    expect(result.plan.refusal).toContain('the nodes have room for 1 more pod.');
  });

  it('never refuses scaling down, even with the quota already full', () => {
    const app = shopApp({ podRoom: { quotaUsed: 12, quotaHard: 10, nodesFree: 0 } });
    const result = planReplicas(app, 'web', 1, 10);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan).toMatchObject({ fits: true, newPods: 0 });
    expect(result.plan.memory.maxAfterBytes).toBe(16 * GIB);
  });

  it('counts pods that are missing now (quota full) as needing a slot', () => {
    const base = shopApp();
    const web = { ...base.processes[0]!, pods: base.processes[0]!.pods.slice(0, 1) };
    const app = {
      ...base,
      processes: [web],
      podRoom: { quotaUsed: 10, quotaHard: 10, nodesFree: 5 },
    };
    const result = planReplicas(app, 'web', 3, 10);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.newPods).toBe(2);
    expect(result.plan.fits).toBe(false);
  });

  it('notes that the count asked for is the count now', () => {
    const result = planReplicas(shopApp(), 'web', 2, 10);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.notes).toEqual([
      { kind: 'unchanged', message: 'web already has 2 replicas.' },
    ]);
  });

  it('notes that scaling to zero stops the process', () => {
    const result = planReplicas(shopApp(), 'web', 0, 10);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.notes[0]).toEqual({
      kind: 'stops',
      message: 'web will stop: no replica will run. Start brings back its 2 replicas.',
    });
    expect(result.plan.memory.maxAfterBytes).toBe(8 * GIB);
  });

  it('rejects bad values with the same messages as the editor', () => {
    for (const [value, message] of [
      [-1, 'Replicas cannot be negative.'],
      [11, 'replicas must be a whole number from 0 to 10 (the maximum set in Settings); got 11'],
      [2.5, 'Replicas must be a whole number.'],
      [Number.NaN, 'Replicas must be a number.'],
      ['3', 'Replicas must be a number, not text.'],
    ] as const) {
      expect(planReplicas(shopApp(), 'web', value, 10)).toEqual({
        ok: false,
        code: 'INVALID_INPUT',
        message,
      });
    }
  });

  it('answers NOT_FOUND for an unknown process, naming the ones there are', () => {
    expect(planReplicas(shopApp(), 'celery', 2, 10)).toEqual({
      ok: false,
      code: 'NOT_FOUND',
      message: 'shop has no process "celery" (its processes: web).',
    });
  });

  it('does not scale the workspace', () => {
    expect(planReplicas(shopApp(), 'workspace', 2, 10)).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
  });
});
