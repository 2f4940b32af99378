import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { ObjectSerializer } from './client-node';
import type { ScaleDeskError } from '../../shared/errors';
import { isTransient, toClusterError, type ClusterRequest } from './cluster-errors';
import { objectKey } from './object-key';
import { slimObject } from './object-slimming';
import { decodingPages, listAllPages, type ListPage, type PageAnswer } from './paged-list';
import { reportAnswer, retryAfterDelay } from './request-retry';
import { backoffDelay, DEFAULT_WATCH_TIMING, type WatchTiming } from './watch-timing';

/**
 * One kind of object kept current from the cluster: list once, then watch from that
 * resourceVersion for as long as the stream lives; a cut stream is resumed from the last
 * version seen (events and bookmarks move it), after a backoff with jitter; only a 410 Gone
 * (the version fell out of the server's window) or a failed list costs a new list. After a new
 * list the difference to what was held is applied as events, so nothing is counted twice or lost.
 * Lists are paged (paged-list.ts): the watch starts from the first page's resourceVersion.
 * Objects are kept as `decode` reads them from the server's JSON (object-slimming.ts), without
 * client-node's model deserialization where a decode is given.
 *
 * A throttled list or watch waits what the server asked (Retry-After) before the next attempt,
 * however short the backoff, and a wake does not cut it short. client-node's `Watch` keeps no
 * headers of a refused watch: its 429 waits 1 s, what the API server's priority and fairness sends.
 *
 * The backoff after a failure grows to `backoffMaxMs` (30 s): right while a cluster is down, too
 * long once it is back. Whoever knows the cluster answers again (the session's recovery probe)
 * may end it early with {@link ResourceWatch.wake}, once per run of failures, so a watch that
 * fails on its own while the server answers still backs off as before.
 *
 * This is client-node's `Watch` driven by our own loop on purpose: client-node 1.x's informer
 * (`ListWatch`) lists again every time a watch ends, which would turn every server timeout into a
 * full list of every pod.
 */

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchHealth {
  /** listing: the first list is in flight; watching: the stream is open; retrying: waiting to try again. */
  state: 'listing' | 'watching' | 'retrying' | 'stopped';
  /** The list has been applied at least once. */
  synced: boolean;
  error: ScaleDeskError | null;
}

export interface WatchStats {
  lists: number;
  watches: number;
  gone: number;
}

export interface ResourceWatchOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** The collection path, e.g. `/api/v1/namespaces/shop/pods` or `/api/v1/pods`. */
  path: string;
  /** The model's name, e.g. `V1Pod`: without `decode`, watch events go through client-node's serializer as it. */
  type: string;
  /**
   * One page of the list: the server's JSON (raw-list.ts) where `decode` is given, else through
   * client-node's typed API (pass `page` on as its parameters).
   */
  list(page: ListPage): Promise<PageAnswer<unknown>>;
  /**
   * Reads one object of the server's JSON, listed or watched, into what is kept (object-slimming.ts).
   * Without it, listed objects are kept as client-node's typed API made them and watched ones are
   * made alike by its serializer, managedFields dropped.
   */
  decode?: (raw: unknown) => T;
  /** For error messages: the resource and namespace (null: all namespaces; undefined: cluster-scoped). */
  request: Omit<ClusterRequest, 'verb'>;
  /** Called for every change, including those found by a new list. */
  onEvent(type: WatchEventType, object: T, previous: T | undefined): void;
  /** Called after each list has been applied. */
  onSynced?(): void;
  onHealth?(health: WatchHealth): void;
  timing?: Partial<WatchTiming>;
  /**
   * An optional watch gives up (state `stopped`, with the error) where the user may not list the
   * resource or the server does not serve it, instead of asking again forever.
   */
  optional?: boolean;
  /** Objects per list page; paged-list.ts's 500 unless a test wants pages of a few. */
  pageSize?: number;
}

type Outcome =
  | { kind: 'gone' }
  | { kind: 'error'; error: unknown }
  /** expected: the server's own timeout ended it. */
  | { kind: 'closed'; expected: boolean };

export class ResourceWatch<T extends KubernetesObject> {
  readonly items = new Map<string, T>();
  readonly stats: WatchStats = { lists: 0, watches: 0, gone: 0 };
  private readonly timing: WatchTiming;
  private resourceVersion: string | null = null;
  private controller: AbortController | null = null;
  private stopped = false;
  /**
   * Failed requests in a row (lists, watches refused or cut by an error). The backoff grows
   * with them; it starts again from the shortest once a list succeeds or a stream opens: the
   * server serves again, and an outage's long backoff must not carry over to the next cut.
   */
  private failures = 0;
  /**
   * Streams in a row that ended without having lived (no event, shorter than `healthyStreamMs`),
   * however they ended: a server that accepts watches and drops them at once is backed off
   * from as one that refuses them, though each stream opened.
   */
  private quickStreams = 0;
  private sleeping: {
    wake: () => void;
    /** Ends the sleep after `ms` instead. */
    shorten: (ms: number) => void;
    /** A backoff after a failure, not the short pause after a cut stream. */
    afterFailure: boolean;
  } | null = null;
  /** The server asked not to be asked again before this time (ms since epoch); a wake waits it out. */
  private notBefore = 0;
  /** The backoff of this run of failures was ended early once already; reset by a success. */
  private wokenEarly = false;
  private health: WatchHealth = { state: 'listing', synced: false, error: null };
  private running: Promise<void> | null = null;

  constructor(private readonly options: ResourceWatchOptions<T>) {
    this.timing = { ...DEFAULT_WATCH_TIMING, ...options.timing };
  }

  get currentHealth(): WatchHealth {
    return this.health;
  }

  /** Whether a watch stream is open now (not only being asked for). */
  get streaming(): boolean {
    return this.controller !== null;
  }

  /** Waiting out the backoff after a failure, which {@link wake} would end early. */
  get wakeable(): boolean {
    return this.sleeping?.afterFailure === true && !this.wokenEarly;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /**
   * The cluster answers again: ends the backoff after a failure now, after a random pause of up
   * to `maxJitterMs` (so the watches of a session do not all ask at the same instant). Once per
   * run of failures: where the next attempt fails too, the cluster answering was not this
   * watch's cure, and it backs off as it would have. Returns whether it woke.
   */
  wake(maxJitterMs: number): boolean {
    if (!this.wakeable || !this.sleeping) return false;
    this.wokenEarly = true;
    this.sleeping.shorten(Math.round(Math.random() * Math.max(0, maxJitterMs)));
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.sleeping?.wake();
    await this.running;
  }

  private setHealth(health: WatchHealth): void {
    const before = this.health;
    this.health = health;
    if (health.error === null) this.wokenEarly = false;
    if (
      before.state !== health.state ||
      before.synced !== health.synced ||
      before.error !== health.error
    ) {
      this.options.onHealth?.(health);
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.resourceVersion === null) {
        try {
          await this.relist();
        } catch (error) {
          if (this.stopped) break;
          const waitMs = this.fail(error, 'list');
          if (this.stopped) break;
          await this.sleep(waitMs);
          continue;
        }
      }
      if (this.stopped) break;
      const outcome = await this.watchOnce();
      if (this.stopped) break;
      if (outcome.kind === 'gone') {
        this.stats.gone++;
        this.resourceVersion = null;
      } else if (outcome.kind === 'error') {
        const waitMs = this.fail(outcome.error, 'watch');
        if (this.stopped) break;
        await this.sleep(waitMs);
      } else if (!outcome.expected) {
        // A cut stream: resume from the last version after a short, jittered pause, longer
        // each time it is cut again without having lived.
        await this.sleep(null);
      }
    }
  }

  /**
   * Records the failure; returns the least wait before the next attempt: what a throttled answer
   * asked for (its Retry-After, or 1 s; capped and jittered by request-retry.ts), else 0.
   */
  private fail(error: unknown, verb: 'list' | 'watch'): number {
    const mapped = toClusterError(error, { verb, ...this.options.request });
    if (this.options.optional && (mapped.code === 'FORBIDDEN' || mapped.code === 'NOT_FOUND')) {
      this.stopped = true;
      this.setHealth({ state: 'stopped', synced: this.health.synced, error: mapped });
      return 0;
    }
    this.setHealth({ state: 'retrying', synced: this.health.synced, error: mapped });
    const retryAfter = mapped.details?.['retryAfterSeconds'];
    let waitMs = 0;
    if (mapped.code === 'THROTTLED') {
      // A list's throttling was already heard (and retried) by request-retry.ts; a watch's was not.
      if (verb === 'watch') reportAnswer(this.options.kubeConfig, 'throttled');
      waitMs = retryAfterDelay(typeof retryAfter === 'number' ? retryAfter : null);
    } else if (isTransient(mapped) && typeof retryAfter === 'number') {
      waitMs = Math.min(retryAfter * 1000, this.timing.backoffMaxMs);
    }
    this.notBefore = Date.now() + waitMs;
    return waitMs;
  }

  /** Waits the next backoff; `afterFailureMinMs` null for the pause after a cut stream. */
  private sleep(afterFailureMinMs: number | null): Promise<void> {
    const afterFailure = afterFailureMinMs !== null;
    const attempt = afterFailure ? Math.max(this.failures++, this.quickStreams) : this.quickStreams;
    const backoff = backoffDelay(attempt, this.timing.backoffBaseMs, this.timing.backoffMaxMs);
    const delay = Math.max(backoff, afterFailureMinMs ?? 0);
    return new Promise((resolve) => {
      let timer = setTimeout(() => wake(), delay);
      const wake = () => {
        clearTimeout(timer);
        this.sleeping = null;
        resolve();
      };
      this.sleeping = {
        wake,
        shorten: (ms) => {
          clearTimeout(timer);
          timer = setTimeout(wake, Math.max(ms, this.notBefore - Date.now()));
        },
        afterFailure,
      };
    });
  }

  private async relist(): Promise<void> {
    if (!this.health.synced)
      this.setHealth({ state: 'listing', synced: false, error: this.health.error });
    this.stats.lists++;
    const decode = this.options.decode ?? ((item: unknown) => slimObject<T>(item));
    const list = await listAllPages(decodingPages(this.options.list, decode), {
      ...(this.options.pageSize ? { pageSize: this.options.pageSize } : {}),
      timeoutMs: this.timing.requestTimeoutMs,
      stopped: () => this.stopped,
      restarted: () => this.stats.lists++,
    });
    if (list === null) return;
    const fresh = new Map<string, T>();
    for (const item of list.items) fresh.set(objectKey(item), item);
    const previous = new Map(this.items);
    this.items.clear();
    for (const [key, item] of fresh) this.items.set(key, item);
    for (const [key, old] of previous) {
      if (!fresh.has(key)) this.options.onEvent('DELETED', old, old);
    }
    for (const [key, item] of fresh) {
      const old = previous.get(key);
      if (!old) this.options.onEvent('ADDED', item, undefined);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
        this.options.onEvent('MODIFIED', item, old);
      }
    }
    this.resourceVersion = list.resourceVersion;
    this.failures = 0;
    this.setHealth({ state: 'watching', synced: true, error: null });
    this.options.onSynced?.();
  }

  private apply(type: string, raw: unknown): 'gone' | 'error' | null {
    if (type === 'ERROR') {
      const status = raw as { code?: number; message?: string } | undefined;
      return status?.code === 410 ? 'gone' : 'error';
    }
    const meta = (raw as KubernetesObject | undefined)?.metadata;
    if (meta?.resourceVersion) this.resourceVersion = meta.resourceVersion;
    if (type === 'BOOKMARK') return null;
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return null;
    const object = this.options.decode
      ? this.options.decode(raw)
      : slimObject<T>(ObjectSerializer.deserialize(raw, this.options.type));
    const key = objectKey(object);
    const previous = this.items.get(key);
    if (type === 'DELETED') {
      if (!previous) return null;
      this.items.delete(key);
      this.options.onEvent('DELETED', object, previous);
    } else {
      this.items.set(key, object);
      this.options.onEvent(previous ? 'MODIFIED' : 'ADDED', object, previous);
    }
    return null;
  }

  private watchOnce(): Promise<Outcome> {
    const [low, high] = this.timing.watchTimeoutSeconds;
    const timeoutSeconds = Math.round(low + Math.random() * Math.max(0, high - low));
    const startedAt = Date.now();
    /** Events and bookmarks: what shows the stream lived (an ERROR does not). */
    let events = 0;
    let opened = false;
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        this.controller?.abort();
        this.controller = null;
        if (opened && outcome.kind !== 'gone') {
          const lived = events > 0 || Date.now() - startedAt >= this.timing.healthyStreamMs;
          this.quickStreams =
            lived || (outcome.kind === 'closed' && outcome.expected) ? 0 : this.quickStreams + 1;
        }
        resolve(outcome);
      };
      this.stats.watches++;
      new Watch(this.options.kubeConfig)
        .watch(
          this.options.path,
          {
            resourceVersion: this.resourceVersion ?? undefined,
            allowWatchBookmarks: true,
            timeoutSeconds,
          },
          (type, object) => {
            if (settled) return;
            if (type !== 'ERROR') events++;
            let result: 'gone' | 'error' | null;
            try {
              result = this.apply(type, object);
            } catch (error) {
              console.error(
                `scaledesk: a ${this.options.type} watch event could not be applied`,
                error,
              );
              result = null;
            }
            if (result === 'gone') finish({ kind: 'gone' });
            else if (result === 'error') {
              const code = (object as { code?: number } | undefined)?.code;
              finish({ kind: 'error', error: { statusCode: code, body: object } });
            }
          },
          (error: unknown) => {
            const status = (error as { statusCode?: number } | null)?.statusCode;
            if (status === 410) finish({ kind: 'gone' });
            else if (error && !(error instanceof Error && error.name === 'AbortError')) {
              finish({ kind: 'error', error });
            } else {
              const lived = Date.now() - startedAt;
              finish({ kind: 'closed', expected: lived >= timeoutSeconds * 1000 - 1000 });
            }
          },
        )
        .then((controller) => {
          if (settled) {
            controller.abort();
            return;
          }
          this.controller = controller;
          if (this.stopped) {
            finish({ kind: 'closed', expected: true });
            return;
          }
          // The server serves the watch: a backoff grown by failures starts again from the
          // shortest (a stream dropped at once still backs off, as a quick stream).
          opened = true;
          reportAnswer(this.options.kubeConfig, 'passed');
          this.failures = 0;
          this.setHealth({ state: 'watching', synced: this.health.synced, error: null });
        })
        .catch((error: unknown) => finish({ kind: 'error', error }));
    });
  }
}
