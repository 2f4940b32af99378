import type { V1SelfSubjectAccessReview } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Permission } from '../../../shared/app-model';
import {
  AccessReviews,
  checkOf,
  combinedPermission,
  describeCheck,
  type AccessReviewsOptions,
} from '../../../main/model/rbac-permissions';

interface Asked {
  namespace: string;
  check: string;
  answer(allowed: boolean): void;
  fail(error: Error): void;
}

/** An access review API whose answers the test gives one by one. */
function fakeApi() {
  const asked: Asked[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const api: AccessReviewsOptions['api'] = {
    createSelfSubjectAccessReview: ({ body }) => {
      const attrs = body.spec.resourceAttributes ?? {};
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<V1SelfSubjectAccessReview>((resolve, reject) => {
        asked.push({
          namespace: attrs.namespace ?? '',
          check: `${attrs.verb} ${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ''}`,
          answer: (allowed) => {
            inFlight--;
            resolve({ spec: body.spec, status: { allowed } });
          },
          fail: (error) => {
            inFlight--;
            reject(error);
          },
        });
      });
    },
  };
  return { api, asked, maxInFlight: () => maxInFlight };
}

/** Lets the promise chains between a review and the next one run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const SCALE = checkOf('Deployment', 'scale');
const PATCH = checkOf('Deployment', 'patch');

describe('the checks', () => {
  it('follow the workload kind of the process', () => {
    expect(describeCheck(checkOf('Deployment', 'scale'))).toBe('patch deployments/scale');
    expect(describeCheck(checkOf('Deployment', 'patch'))).toBe('patch deployments');
    expect(describeCheck(checkOf('StatefulSet', 'scale'))).toBe('patch statefulsets/scale');
    expect(describeCheck(checkOf('StatefulSet', 'patch'))).toBe('patch statefulsets');
  });

  it('combine to denied where any is, else unknown where any is, else allowed', () => {
    const allowed: Permission = { state: 'allowed', reason: null };
    const unknown: Permission = { state: 'unknown', reason: 'not yet' };
    const denied: Permission = { state: 'denied', reason: 'no' };
    expect(combinedPermission([allowed, unknown, denied])).toBe(denied);
    expect(combinedPermission([allowed, unknown])).toBe(unknown);
    expect(combinedPermission([allowed, allowed])).toEqual(allowed);
  });
});

describe('access reviews', () => {
  it('are unknown until asked, never allowed', () => {
    const reviews = new AccessReviews({ api: fakeApi().api });
    const permission = reviews.get('shop', SCALE);
    expect(permission.state).toBe('unknown');
    expect(permission.reason).toBe(
      'Not checked yet whether you may patch deployments/scale in namespace "shop": the cluster will judge the change.',
    );
  });

  it('cost an admin allowed everywhere one cluster-wide review per check, whatever the namespaces', async () => {
    const fake = fakeApi();
    const reviews = new AccessReviews({ api: fake.api });
    const answers = ['a', 'b', 'c'].map((ns) => reviews.ensure(ns, SCALE));
    await settle();
    expect(fake.asked.map((a) => [a.namespace, a.check])).toEqual([
      ['', 'patch deployments/scale'],
    ]);
    fake.asked[0]!.answer(true);
    expect((await Promise.all(answers)).map((p) => p.state)).toEqual([
      'allowed',
      'allowed',
      'allowed',
    ]);
    expect(reviews.get('elsewhere', SCALE).state).toBe('allowed');
    expect(reviews.stats().reviews).toBe(1);
  });

  it('ask per namespace where the cluster-wide answer is no, and say what is denied where', async () => {
    const fake = fakeApi();
    const reviews = new AccessReviews({ api: fake.api });
    const answer = reviews.ensure('shop', checkOf('StatefulSet', 'scale'));
    await settle();
    fake.asked[0]!.answer(false);
    await settle();
    expect(fake.asked.map((a) => [a.namespace, a.check])).toEqual([
      ['', 'patch statefulsets/scale'],
      ['shop', 'patch statefulsets/scale'],
    ]);
    fake.asked[1]!.answer(false);
    expect(await answer).toEqual({
      state: 'denied',
      reason: 'You may not patch statefulsets/scale in namespace "shop".',
    });

    // Another namespace later: the cluster-wide "no" is known, only the namespace is asked.
    const later = reviews.ensure('billing', checkOf('StatefulSet', 'scale'));
    await settle();
    expect(fake.asked.slice(2).map((a) => [a.namespace, a.check])).toEqual([
      ['billing', 'patch statefulsets/scale'],
    ]);
    fake.asked[2]!.answer(true);
    expect((await later).state).toBe('allowed');
  });

  it('are cached per namespace and check for the session, and one in flight is not asked twice', async () => {
    const fake = fakeApi();
    const reviews = new AccessReviews({ api: fake.api });
    const first = reviews.ensure('shop', PATCH);
    const again = reviews.ensure('shop', PATCH);
    await settle();
    fake.asked[0]!.answer(false);
    await settle();
    fake.asked[1]!.answer(true);
    expect(await first).toEqual({ state: 'allowed', reason: null });
    expect(await again).toEqual({ state: 'allowed', reason: null });
    await reviews.ensure('shop', PATCH);
    expect(fake.asked).toHaveLength(2);
    // Another check in the same namespace is a question of its own.
    void reviews.ensure('shop', SCALE);
    await settle();
    expect(fake.asked.at(-1)).toMatchObject({ namespace: '', check: 'patch deployments/scale' });
  });

  it('run at most 4 at a time, the rest queued and all answered', async () => {
    const fake = fakeApi();
    const reviews = new AccessReviews({ api: fake.api });
    void reviews.ensure('ns-0', SCALE);
    await settle();
    fake.asked[0]!.answer(false);
    const namespaces = Array.from({ length: 20 }, (_, i) => `ns-${i}`);
    const answers = namespaces.map((ns) => reviews.ensure(ns, SCALE));
    await settle();
    expect(fake.asked.length).toBe(1 + 4);
    let answered = 1;
    while (answered < fake.asked.length) {
      expect(fake.asked.length - answered).toBeLessThanOrEqual(4);
      const open = fake.asked.slice(answered);
      answered = fake.asked.length;
      for (const asked of open) asked.answer(false);
      await settle();
    }
    expect((await Promise.all(answers)).every((p) => p.state === 'denied')).toBe(true);
    expect(fake.maxInFlight()).toBe(4);
    expect(reviews.stats()).toEqual({ reviews: 21, maxInFlight: 4 });
  });

  it('leave a check unknown where the review fails, and ask again when next needed after a pause', async () => {
    const fake = fakeApi();
    let now = 1_000;
    const reviews = new AccessReviews({
      api: fake.api,
      now: () => now,
      retryAfterFailureMs: 30_000,
    });
    const failed = reviews.ensure('shop', SCALE);
    await settle();
    fake.asked[0]!.fail(new Error('connect ECONNREFUSED 127.0.0.1:6443'));
    const permission = await failed;
    expect(permission.state).toBe('unknown');
    expect(permission.reason).toMatch(
      /^Could not check whether you may patch deployments\/scale in namespace "shop": .+ The cluster will judge the change\.$/,
    );
    expect(reviews.get('shop', SCALE)).toEqual(permission);

    // Asked again at once (a screen that keeps asking): not sent, no hot loop.
    expect(reviews.needsAsking('shop', SCALE)).toBe(false);
    expect((await reviews.ensure('shop', SCALE)).state).toBe('unknown');
    expect(fake.asked).toHaveLength(1);

    now += 30_000;
    expect(reviews.needsAsking('shop', SCALE)).toBe(true);
    const retried = reviews.ensure('shop', SCALE);
    await settle();
    expect(fake.asked).toHaveLength(2);
    fake.asked[1]!.answer(true);
    expect(await retried).toEqual({ state: 'allowed', reason: null });
  });
});
