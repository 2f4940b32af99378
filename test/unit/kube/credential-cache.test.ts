import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../../../main/kube/credential-cache';
import type { Credential } from '../../../main/kube/exec-credential';

/** A cache over a scripted plugin, on a clock the test moves. */
function scripted(answers: (() => Credential)[], options: { renewAheadMs?: number } = {}) {
  let clock = 1_000_000;
  let runs = 0;
  const release: (() => void)[] = [];
  let hold = false;
  const cache = new CredentialCache(
    async () => {
      const answer = answers[Math.min(runs, answers.length - 1)];
      runs += 1;
      if (hold) await new Promise<void>((resolve) => release.push(resolve));
      if (!answer) throw new Error('no answer scripted');
      return answer();
    },
    { now: () => clock, ...options },
  );
  return {
    cache,
    runs: () => runs,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
    holdRuns: (on: boolean) => (hold = on),
    releaseAll: () => release.splice(0).forEach((r) => r()),
  };
}

const failing = () => {
  throw new Error('error: the login has expired');
};

describe('a credential cache', () => {
  it('runs once for many concurrent requests, and they all get that one credential', async () => {
    const t = scripted([() => ({ token: 'a', expiresAt: null })]);
    t.holdRuns(true);
    const waiting = Array.from({ length: 20 }, () => t.cache.get());
    await Promise.resolve();
    t.releaseAll();
    const got = await Promise.all(waiting);
    expect(t.runs()).toBe(1);
    expect(new Set(got.map((c) => c.token))).toEqual(new Set(['a']));
  });

  it('keeps a credential without expiry until a 401, then runs once more', async () => {
    const t = scripted([
      () => ({ token: 'first', expiresAt: null }),
      () => ({ token: 'second', expiresAt: null }),
    ]);
    const first = await t.cache.get();
    for (let i = 0; i < 50; i += 1) {
      t.advance(10_000);
      t.cache.answered(await t.cache.get(), 200);
    }
    expect(t.runs()).toBe(1);
    t.cache.answered(first, 401);
    t.cache.answered(first, 401); // a second request that was in flight with it: still one run
    expect((await t.cache.get()).token).toBe('second');
    expect((await t.cache.get()).token).toBe('second');
    expect(t.runs()).toBe(2);
  });

  it('backs off when a fresh credential is refused again, instead of running per request', async () => {
    const t = scripted([() => ({ token: `t${t.runs()}`, expiresAt: null })]);
    t.cache.answered(await t.cache.get(), 401);
    const fresh = await t.cache.get();
    t.cache.answered(fresh, 401);
    expect(t.runs()).toBe(2);
    // Within the back-off the refused credential is sent again (the server says 401 again).
    for (let i = 0; i < 10; i += 1) expect(await t.cache.get()).toBe(fresh);
    expect(t.runs()).toBe(2);
    t.advance(1_000);
    await t.cache.get();
    expect(t.runs()).toBe(3);
  });

  it('renews a credential shortly before it expires, not on every request', async () => {
    const t = scripted([() => ({ token: `t${t.runs()}`, expiresAt: t.now() + 60_000 })]);
    await t.cache.get();
    t.advance(49_000);
    await t.cache.get();
    expect(t.runs()).toBe(1);
    t.advance(2_000);
    await t.cache.get();
    expect(t.runs()).toBe(2);
  });

  it('after a failure rethrows it until a back-off of 1 s doubling to 60 s ends', async () => {
    const t = scripted([failing]);
    // 20 s of requests every 50 ms.
    for (let elapsed = 0; elapsed < 20_000; elapsed += 50) {
      await expect(t.cache.get()).rejects.toThrow('the login has expired');
      t.advance(50);
    }
    // Runs at 0, 1, 3, 7 and 15 s: a handful, not one per request.
    expect(t.runs()).toBe(5);
    t.advance(600_000);
    for (let i = 0; i < 8; i += 1) {
      await expect(t.cache.get()).rejects.toThrow();
      t.advance(60_000);
    }
    expect(t.runs()).toBe(5 + 8);
  });

  it('picks up a recovered plugin once its back-off ends', async () => {
    let broken = true;
    const t = scripted([
      () => {
        if (broken) throw new Error('error: the login has expired');
        return { token: 'fresh', expiresAt: null };
      },
    ]);
    await expect(t.cache.get()).rejects.toThrow();
    broken = false;
    await expect(t.cache.get()).rejects.toThrow('the login has expired');
    t.advance(1_000);
    expect((await t.cache.get()).token).toBe('fresh');
  });

  it('keeps sending a still-good credential while its renewal fails', async () => {
    let run = 0;
    const t = scripted([
      () => {
        run += 1;
        if (run > 1) throw new Error('issuer down');
        return { token: 'good', expiresAt: t.now() + 40_000 };
      },
    ]);
    await t.cache.get();
    t.advance(35_000);
    await expect(t.cache.get()).rejects.toThrow('issuer down');
    expect((await t.cache.get()).token).toBe('good');
    t.advance(10_000);
    await expect(t.cache.get()).rejects.toThrow('issuer down');
  });
});
