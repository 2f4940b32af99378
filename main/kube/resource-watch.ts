import {
  Watch,
  type KubeConfig,
  type KubernetesObject,
  type V1ListMeta,
} from '@kubernetes/client-node';
import { ObjectSerializer } from './client-node';
import type { ScaleDeskError } from '../../shared/errors';
import { toClusterError, withTimeout, type ClusterRequest } from './cluster-errors';

/**
 * One kind of object kept current from the cluster: list once, then watch from that
 * resourceVersion for as long as the stream lives; a cut stream is resumed from the last
 * version seen (events and bookmarks move it), after a backoff with jitter; only a 410 Gone
 * (the version fell out of the server's window) or a failed list costs a new list. After a new
 * list the difference to what was held is applied as events, so nothing is counted twice or lost.
 *
 * This is client-node's `Watch` driven by our own loop on purpose: client-node 1.x's informer
 * (`ListWatch`) lists again every time a watch ends, which would turn every server timeout into a
 * full list of every pod.
 */

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchTiming {
  /** A list that does not answer in this time is a failure. */
  requestTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The server ends each watch after a random time in this range (seconds) and we resume it. */
  watchTimeoutSeconds: [number, number];
  /** A stream that ends sooner than this without events counts as a failed attempt. */
  healthyStreamMs: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = {
  requestTimeoutMs: 30_000,
  backoffBaseMs: 200,
  backoffMaxMs: 30_000,
  watchTimeoutSeconds: [1800, 3600],
  healthyStreamMs: 5_000,
};

/** Full jitter between half and all of an exponentially growing delay. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

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
  /** The model name for client-node's serializer, e.g. `V1Pod`, so watched objects match listed ones. */
  type: string;
  /** One list request through client-node's typed API. */
  list(): Promise<{ metadata?: V1ListMeta; items: T[] }>;
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
  /** Keeps only what is needed of each object (for watches of many objects read for little). */
  keep?: (object: T) => T;
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** managedFields are most of a watched object's bytes and nothing here reads them. */
function slim<T extends KubernetesObject>(object: T): T {
  if (object.metadata?.managedFields) delete object.metadata.managedFields;
  return object;
}

type Outcome =
  | { kind: 'gone' }
  | { kind: 'error'; error: unknown }
  /** healthy: it lived or carried events; expected: the server's own timeout ended it. */
  | { kind: 'closed'; healthy: boolean; expected: boolean };

export class ResourceWatch<T extends KubernetesObject> {
  readonly items = new Map<string, T>();
  readonly stats: WatchStats = { lists: 0, watches: 0, gone: 0 };
  private readonly timing: WatchTiming;
  private resourceVersion: string | null = null;
  private controller: AbortController | null = null;
  private stopped = false;
  private attempt = 0;
  private sleeping: { wake: () => void } | null = null;
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

  start(): void {
    this.running ??= this.loop();
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
          this.fail(error, 'list');
          if (this.stopped) break;
          await this.sleep();
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
        this.fail(outcome.error, 'watch');
        if (this.stopped) break;
        await this.sleep();
      } else if (!outcome.expected) {
        // A cut stream: resume from the last version after a short, jittered pause, longer
        // each time it is cut again without having lived.
        if (outcome.healthy) this.attempt = 0;
        await this.sleep();
      } else {
        this.attempt = 0;
      }
    }
  }

  private fail(error: unknown, verb: 'list' | 'watch'): void {
    const mapped = toClusterError(error, { verb, ...this.options.request });
    if (this.options.optional && (mapped.code === 'FORBIDDEN' || mapped.code === 'NOT_FOUND')) {
      this.stopped = true;
      this.setHealth({ state: 'stopped', synced: this.health.synced, error: mapped });
      return;
    }
    this.setHealth({ state: 'retrying', synced: this.health.synced, error: mapped });
  }

  private sleep(): Promise<void> {
    const delay = backoffDelay(this.attempt++, this.timing.backoffBaseMs, this.timing.backoffMaxMs);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping = null;
        resolve();
      };
      const timer = setTimeout(wake, delay);
      this.sleeping = { wake };
    });
  }

  private async relist(): Promise<void> {
    if (!this.health.synced)
      this.setHealth({ state: 'listing', synced: false, error: this.health.error });
    this.stats.lists++;
    const list = await withTimeout(this.options.list(), this.timing.requestTimeoutMs);
    if (this.stopped) return;
    const fresh = new Map<string, T>();
    for (const item of list.items) fresh.set(keyOf(item), this.shape(item));
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
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.setHealth({ state: 'watching', synced: true, error: null });
    this.options.onSynced?.();
  }

  private shape(object: T): T {
    const slimmed = slim(object);
    return this.options.keep ? this.options.keep(slimmed) : slimmed;
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
    const object = this.shape(ObjectSerializer.deserialize(raw, this.options.type) as T);
    const key = keyOf(object);
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
    let events = 0;
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        this.controller?.abort();
        this.controller = null;
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
            events++;
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
              finish({
                kind: 'closed',
                healthy: events > 0 || lived >= this.timing.healthyStreamMs,
                expected: lived >= timeoutSeconds * 1000 - 1000,
              });
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
            finish({ kind: 'closed', healthy: true, expected: true });
            return;
          }
          this.setHealth({ state: 'watching', synced: this.health.synced, error: null });
        })
        .catch((error: unknown) => finish({ kind: 'error', error }));
    });
  }
}
