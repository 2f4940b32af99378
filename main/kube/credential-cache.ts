import type { Credential } from './exec-credential';

/**
 * One credential of an exec plugin or OIDC provider, obtained once per lifetime and shared by
 * every request, where client-node runs the plugin for each request whose cached credential has
 * no expiry, and again for each request after a failure (65 runs in 20 s of an expired login).
 *
 * - Single flight: requests that find no good credential wait for the one run in progress.
 * - A credential with an expiry is renewed shortly before it; one without is kept until the
 *   server refuses it (401), then obtained once more. A fresh credential refused again means
 *   the login itself is bad: the next run waits out a back-off instead of one per request.
 * - A failed run is remembered and rethrown to every request until its back-off ends (1 s,
 *   doubling to 60 s); automatic retries (watches, the recovery probe) then run it again.
 */

export interface CredentialCacheOptions {
  now?: () => number;
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** Renew this long before the expiry (at most a quarter of the credential's lifetime). */
  renewAheadMs?: number;
}

export class CredentialCache {
  private credential: Credential | null = null;
  private obtainedAt = 0;
  private refused = false;
  /** Fresh credentials refused in a row; reset when one is accepted. */
  private refusals = 0;
  private failure: unknown = null;
  private failures = 0;
  private retryAt = 0;
  private inFlight: Promise<Credential> | null = null;
  private runCount = 0;
  private readonly now: () => number;
  private readonly firstBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly renewAheadMs: number;

  constructor(
    private readonly obtain: () => Promise<Credential>,
    options: CredentialCacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.firstBackoffMs = options.firstBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.renewAheadMs = options.renewAheadMs ?? 10_000;
  }

  /** How many times the plugin or provider has been run. */
  runs(): number {
    return this.runCount;
  }

  /** The credential to send: the one held while good, else the one run (shared), else the failure. */
  async get(): Promise<Credential> {
    const now = this.now();
    const held = this.credential;
    if (held && !this.refused && !this.renewDue(held, now)) return held;
    if (this.inFlight) return this.inFlight;
    if (now < this.retryAt) {
      // Backing off: what is still good (or was refused: the server says so again) beats a run.
      if (held && !this.expired(held, now) && (this.refused || this.failure !== null)) return held;
      if (this.failure !== null) throw this.failure;
    }
    const run = this.run(now);
    this.inFlight = run;
    const settle = () => {
      if (this.inFlight === run) this.inFlight = null;
    };
    run.then(settle, settle);
    return run;
  }

  /**
   * Whether `credential` was refused and a fresh one may be obtained at once (its first refusal,
   * not within a back-off): the refused request is worth sending once more.
   */
  renewsAfterRefusal(credential: Credential): boolean {
    return credential === this.credential && this.refused && this.now() >= this.retryAt;
  }

  /** The server answered a request sent with `credential` with this HTTP status. */
  answered(credential: Credential, status: number): void {
    if (credential !== this.credential) return;
    if (status === 401) {
      if (this.refused) return;
      this.refused = true;
      this.refusals += 1;
      // The first refusal is an expiry the credential did not announce: run again at once.
      if (this.refusals >= 2) this.retryAt = this.now() + this.backoff(this.refusals - 2);
    } else if (status < 400 && !this.refused) {
      this.refusals = 0;
    }
  }

  private async run(startedAt: number): Promise<Credential> {
    this.runCount += 1;
    try {
      const credential = await this.obtain();
      this.credential = credential;
      this.obtainedAt = startedAt;
      this.refused = false;
      this.failure = null;
      this.failures = 0;
      return credential;
    } catch (error) {
      this.failure = error;
      this.retryAt = this.now() + this.backoff(this.failures);
      this.failures += 1;
      throw error;
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.maxBackoffMs, this.firstBackoffMs * 2 ** Math.min(attempt, 30));
  }

  private expired(credential: Credential, now: number): boolean {
    return credential.expiresAt !== null && credential.expiresAt <= now;
  }

  private renewDue(credential: Credential, now: number): boolean {
    if (credential.expiresAt === null) return false;
    const lifetime = Math.max(0, credential.expiresAt - this.obtainedAt);
    return now >= credential.expiresAt - Math.min(this.renewAheadMs, lifetime / 4);
  }
}

/**
 * The caches of the process, one per credential source (an exec section or OIDC config, as
 * written): every session and reconnect of the same login shares one, so switching namespace
 * does not run kubelogin again. A changed kubeconfig (a fresh login) is another key.
 */
const caches = new Map<string, CredentialCache>();

export function sharedCredentialCache(
  key: string,
  obtain: () => Promise<Credential>,
): CredentialCache {
  let cache = caches.get(key);
  if (!cache) {
    cache = new CredentialCache(obtain);
    caches.set(key, cache);
  }
  return cache;
}
