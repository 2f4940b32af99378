import type { App } from '../../shared/app-model';
import type { CatalogChanges } from '../model/app-catalog';
import type { EventBus } from '../transport/event-bus';

/**
 * How app changes leave a session: only as `apps` events on the bus, coalesced. An isolated
 * change goes out at once (after the events already read in this turn of the event loop); a
 * burst within `coalesceMs` of the last update is gathered into the next one; a Deployment
 * change, which an operation waits for, never waits for a gathering. Whoever wants one app's
 * changes inside main (an operation following its rollout) subscribes to those same events
 * through `onAppChange`: there is no second path to keep in step with the first.
 */

export interface AppUpdatesOptions {
  bus: EventBus;
  coalesceMs: number;
  /** The apps that changed since the last call (the catalog's flush). */
  collect(): CatalogChanges;
  /** After changes went out: the follow-up work on them (forget removed apps, ...). */
  sent(changes: CatalogChanges): void;
}

export class AppUpdates {
  /** The flush to come: at once (after this turn's events), or at the end of a gathering. */
  private pending:
    | { kind: 'at-once'; handle: NodeJS.Immediate }
    | { kind: 'gathering'; handle: NodeJS.Timeout }
    | null = null;
  private lastFlushAt = 0;
  /** Changes go out from the first full list on. */
  private open = false;
  private stopped = false;
  private readonly subscriptions = new Set<() => void>();

  constructor(private readonly options: AppUpdatesOptions) {}

  /** The list is empty until the first sync (a new session replaces the last one's apps). */
  clear(): void {
    this.options.bus.emit('apps', { reset: true, upserted: [], removed: [] });
  }

  /** The first full list; changes go out from now on. */
  begin(apps: App[]): void {
    this.options.bus.emit('apps', { reset: true, upserted: apps, removed: [] });
    this.open = true;
  }

  /** Something changed: a flush soon (at once where urgent). */
  schedule(urgent = false): void {
    if (!this.open || this.stopped) return;
    if (this.pending && !(urgent && this.pending.kind === 'gathering')) return;
    this.cancelPending();
    const since = Date.now() - this.lastFlushAt;
    this.pending =
      urgent || since >= this.options.coalesceMs
        ? { kind: 'at-once', handle: setImmediate(() => this.flush()) }
        : {
            kind: 'gathering',
            handle: setTimeout(() => this.flush(), this.options.coalesceMs - since),
          };
  }

  /** Sends what changed now, whatever is pending. */
  flushNow(): void {
    this.cancelPending();
    this.flush();
  }

  /**
   * The app's changes as they go out on the bus: the app after each update that has it, and
   * undefined once it is removed (or a full list comes without it). Returns an unsubscribe;
   * `stop` ends every subscription, so a session's followers never hear the next session.
   */
  onAppChange(appId: string, listener: (app: App | undefined) => void): () => void {
    const off = this.options.bus.on('apps', ({ reset, upserted, removed }) => {
      const app = upserted.find((a) => a.id === appId);
      if (app) listener(app);
      else if (reset || removed.includes(appId)) listener(undefined);
    });
    const unsubscribe = () => {
      off();
      this.subscriptions.delete(unsubscribe);
    };
    this.subscriptions.add(unsubscribe);
    return unsubscribe;
  }

  stop(): void {
    this.stopped = true;
    this.cancelPending();
    for (const unsubscribe of [...this.subscriptions]) unsubscribe();
  }

  private cancelPending(): void {
    if (this.pending?.kind === 'at-once') clearImmediate(this.pending.handle);
    else if (this.pending?.kind === 'gathering') clearTimeout(this.pending.handle);
    this.pending = null;
  }

  private flush(): void {
    this.pending = null;
    if (this.stopped) return;
    this.lastFlushAt = Date.now();
    const changes = this.options.collect();
    if (changes.upserted.length === 0 && changes.removed.length === 0) return;
    this.options.bus.emit('apps', {
      reset: false,
      upserted: changes.upserted,
      removed: changes.removed,
    });
    this.options.sent(changes);
  }
}
