import type { App } from '../../../shared/app-model';
import type {
  ActivityEntry,
  Connection,
  Context,
  EventName,
  EventPayload,
  OperationOutput,
  OperationProgress,
  Sample,
  ScaleDeskBridge,
  Settings,
} from '../../../shared/contract';
import type { ContractError } from '../../../shared/errors';
import { shareUnchanged } from './structural-sharing';

/**
 * What the renderer knows, in one immutable snapshot. Everything in it arrives through the
 * contract: the initial reads, then the event streams. Components read slices of it with
 * `useStore(selector)`; a slice keeps its identity until what it holds changes, so an app whose
 * object was not replaced does not redraw.
 */
export interface State {
  apps: ReadonlyMap<string, App>;
  /** App ids sorted by namespace then name; a new array only when apps come or go. */
  appIds: readonly string[];
  appsLoaded: boolean;
  appsError: ContractError | null;
  connection: Connection | null;
  contexts: readonly Context[];
  namespaces: readonly string[];
  settings: Settings | null;
  /** ScaleDesk's name, version and mode, from app.info; null until it answers. */
  appInfo: OperationOutput<'app.info'> | null;
  /** Newest first. */
  activity: readonly ActivityEntry[];
  operations: ReadonlyMap<string, OperationProgress>;
  /** Samples that arrived live since start-up, per app id, oldest first (bounded). */
  liveSamples: ReadonlyMap<string, readonly Sample[]>;
  /**
   * The process whose Edit Resources is asked to open with a memory limit filled in (the OOM
   * banner's or the advice's "Raise to X"); null: none asked. Its card opens the editor and clears it.
   */
  resourceEditor: { appId: string; process: string; limit: string } | null;
}

/** 15 minutes at the default 15 s interval, per app (a thousand apps stay small); the charts
 * fetch anything older as history, downsampled by main. */
const LIVE_SAMPLES_KEPT = 60;
const ACTIVITY_KEPT = 500;

const initialState: State = {
  apps: new Map(),
  appIds: [],
  appsLoaded: false,
  appsError: null,
  connection: null,
  contexts: [],
  namespaces: [],
  settings: null,
  appInfo: null,
  activity: [],
  operations: new Map(),
  liveSamples: new Map(),
  resourceEditor: null,
};

type Listener = () => void;

/**
 * The store: applies contract events to the state and tells subscribers once per frame, however
 * many events arrived in it (a burst of cluster events becomes one redraw).
 */
export class Store {
  private state: State = initialState;
  private readonly listeners = new Set<Listener>();
  private flushScheduled = false;
  private unsubscribers: Array<() => void> = [];
  /** Events that arrive before the first apps.list answer are applied after it. */
  private pendingAppEvents: Array<EventPayload<'apps'>> | null = [];

  constructor(readonly bridge: ScaleDeskBridge) {}

  getState = (): State => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Subscribes to every event stream, then reads what is there now. */
  start(): void {
    const on = <E extends EventName>(event: E, fn: (payload: EventPayload<E>) => void) =>
      this.unsubscribers.push(this.bridge.subscribe(event, fn));
    on('apps', (payload) => {
      if (this.pendingAppEvents) this.pendingAppEvents.push(payload);
      else this.applyApps(payload);
    });
    on('connection', (connection) => this.applyConnection(connection));
    on('contexts', (listed) => this.update({ contexts: listed.contexts }));
    on('operation', (progress) => this.applyOperation(progress));
    on('activity', (entry) => this.applyActivity(entry));
    on('samples', (samples) => this.applySamples(samples));
    on('settings', (settings) => this.update({ settings }));
    void this.loadAll();
    void this.loadAppInfo();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
  }

  /** Reads everything again: on start-up and when the admin asks to retry. */
  async loadAll(): Promise<void> {
    await Promise.all([
      this.loadApps(),
      this.loadConnection(),
      this.loadSettings(),
      this.loadActivity(),
      this.loadContexts(),
      this.loadNamespaces(),
    ]);
  }

  async loadApps(): Promise<void> {
    const result = await this.bridge.invoke('apps.list', {});
    const buffered = this.pendingAppEvents ?? [];
    this.pendingAppEvents = null;
    if (result.ok) {
      this.applyApps({ reset: true, upserted: result.value, removed: [] });
      this.update({ appsLoaded: true, appsError: null });
    } else {
      this.update({ appsLoaded: true, appsError: result.error });
    }
    for (const payload of buffered) this.applyApps(payload);
  }

  /** Once: the version does not change while the window is open. */
  async loadAppInfo(): Promise<void> {
    const result = await this.bridge.invoke('app.info', {});
    if (result.ok) this.update({ appInfo: result.value });
  }

  async loadConnection(): Promise<void> {
    const result = await this.bridge.invoke('cluster.connection', {});
    if (result.ok) this.applyConnection(result.value);
  }

  async loadSettings(): Promise<void> {
    const result = await this.bridge.invoke('settings.get', {});
    if (result.ok) this.update({ settings: result.value });
  }

  async loadActivity(): Promise<void> {
    const result = await this.bridge.invoke('activity.list', { limit: 200 });
    if (!result.ok) return;
    // Entries that arrived as events meanwhile are newer than the list; keep them.
    const known = new Set(this.state.activity.map((entry) => entry.id));
    const merged = [...this.state.activity, ...result.value.filter((e) => !known.has(e.id))];
    merged.sort(newestFirst);
    this.update({ activity: merged.slice(0, ACTIVITY_KEPT) });
  }

  async loadContexts(): Promise<void> {
    const result = await this.bridge.invoke('cluster.contexts', {});
    if (result.ok) this.update({ contexts: result.value.contexts });
  }

  async loadNamespaces(): Promise<void> {
    const result = await this.bridge.invoke('cluster.namespaces', {});
    if (result.ok) this.update({ namespaces: result.value });
  }

  /** Asks the process's card to open Edit Resources with this limit filled in; null: done. */
  openResourceEditor(editor: State['resourceEditor']): void {
    this.update({ resourceEditor: editor });
  }

  applyApps(payload: EventPayload<'apps'>): void {
    const apps = new Map(payload.reset ? [] : this.state.apps);
    let membershipChanged = payload.reset;
    for (const id of payload.removed) membershipChanged = apps.delete(id) || membershipChanged;
    let changed = payload.reset || payload.removed.length > 0;
    for (const app of payload.upserted) {
      const previous = this.state.apps.get(app.id);
      if (!apps.has(app.id)) membershipChanged = true;
      // An app equal to what is shown keeps its object: nothing that shows it redraws.
      const shared = shareUnchanged(previous, app);
      if (shared !== previous || !apps.has(app.id)) changed = true;
      apps.set(app.id, shared);
    }
    if (!changed) return;
    const appIds = membershipChanged
      ? shareUnchanged(this.state.appIds, sortedIds(apps))
      : this.state.appIds;
    this.update({ apps, appIds });
  }

  private applyConnection(connection: Connection): void {
    const previous = this.state.connection;
    this.update({ connection });
    // A new context or a reconnect: the namespaces the user may list can differ.
    if (
      connection.state === 'live' &&
      (previous?.context !== connection.context || previous?.state !== 'live')
    ) {
      void this.loadNamespaces();
    }
  }

  private applyOperation(progress: OperationProgress): void {
    const operations = new Map(this.state.operations);
    operations.set(progress.operationId, progress);
    this.update({ operations });
  }

  applyActivity(entry: ActivityEntry): void {
    const rest = this.state.activity.filter((existing) => existing.id !== entry.id);
    const activity = [entry, ...rest];
    activity.sort(newestFirst);
    this.update({ activity: activity.slice(0, ACTIVITY_KEPT) });
  }

  private applySamples(samples: EventPayload<'samples'>): void {
    const liveSamples = new Map(this.state.liveSamples);
    for (const [id, sample] of Object.entries(samples)) {
      const series = liveSamples.get(id) ?? [];
      const next = [...series, sample];
      liveSamples.set(id, next.length > LIVE_SAMPLES_KEPT ? next.slice(-LIVE_SAMPLES_KEPT) : next);
    }
    this.update({ liveSamples });
  }

  private update(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    let done = false;
    const flush = () => {
      if (done) return;
      done = true;
      this.flushScheduled = false;
      for (const listener of this.listeners) listener();
    };
    // One redraw per frame; the timer covers a hidden window, where frames do not come.
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
    setTimeout(flush, 50);
  }
}

/** Activity entries by their ISO time, newest first. */
function newestFirst(a: ActivityEntry, b: ActivityEntry): number {
  return a.at < b.at ? 1 : a.at > b.at ? -1 : 0;
}

/** report-2 before report-10, as people count. */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sortedIds(apps: ReadonlyMap<string, App>): string[] {
  return [...apps.values()]
    .sort((a, b) => collator.compare(a.namespace, b.namespace) || collator.compare(a.name, b.name))
    .map((app) => app.id);
}
