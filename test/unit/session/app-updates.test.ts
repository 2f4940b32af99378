import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../../../shared/app-model';
import type { EventPayload } from '../../../shared/contract';
import type { CatalogChanges } from '../../../main/model/app-catalog';
import { AppUpdates } from '../../../main/session/app-updates';
import { EventBus } from '../../../main/transport/event-bus';

/** An app as far as these tests read it: its id. */
function app(id: string): App {
  const [namespace = '', name = ''] = id.split('/');
  return {
    id,
    namespace,
    name,
    groupedBy: { rule: 'workload', key: null },
    processes: [],
    workspace: null,
    memory: { usedBytes: null, maxBytes: 0 },
    status: { kind: 'running', progress: null, message: 'Running.' },
    permissions: {
      scale: { state: 'allowed', reason: null },
      patch: { state: 'allowed', reason: null },
    },
    podRoom: { quotaUsed: null, quotaHard: null, nodesFree: null },
    endpoint: null,
    lastRestartAt: null,
    lastChangeAt: null,
  };
}

/** AppUpdates over a queue of pending changes, as the catalog's flush would hand them over. */
function setup() {
  const bus = new EventBus();
  const sent: EventPayload<'apps'>[] = [];
  bus.on('apps', (payload) => sent.push(payload));
  let pending: CatalogChanges = { upserted: [], removed: [] };
  const followUps: CatalogChanges[] = [];
  const updates = new AppUpdates({
    bus,
    coalesceMs: 25,
    collect: () => {
      const changes = pending;
      pending = { upserted: [], removed: [] };
      return changes;
    },
    sent: (changes) => followUps.push(changes),
  });
  const change = (upserted: string[], removed: string[] = []) => {
    pending = {
      upserted: [...pending.upserted, ...upserted.map(app)],
      removed: [...pending.removed, ...removed],
    };
  };
  return { bus, updates, sent, followUps, change };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('app updates', () => {
  it('sends nothing before the first full list, then that list as a reset', () => {
    const { updates, sent, change } = setup();
    change(['shop/a']);
    updates.schedule(true);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([]);
    updates.begin([app('shop/a')]);
    expect(sent).toEqual([{ reset: true, upserted: [app('shop/a')], removed: [] }]);
  });

  it('sends an isolated change at once and gathers a burst that follows within 25 ms', () => {
    const { updates, sent, change, followUps } = setup();
    updates.begin([]);
    change(['shop/a']);
    updates.schedule();
    vi.advanceTimersByTime(0);
    expect(sent.slice(1).map((e) => e.upserted.map((a) => a.id))).toEqual([['shop/a']]);

    change(['shop/b']);
    updates.schedule();
    change(['shop/c']);
    updates.schedule();
    vi.advanceTimersByTime(10);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(15);
    expect(sent.slice(2).map((e) => e.upserted.map((a) => a.id))).toEqual([['shop/b', 'shop/c']]);
    expect(followUps).toHaveLength(2);
  });

  it('sends a Deployment change at once even while a gathering waits', () => {
    const { updates, sent, change } = setup();
    updates.begin([]);
    change(['shop/a']);
    updates.schedule();
    vi.advanceTimersByTime(0);
    change(['shop/b']);
    updates.schedule();
    change(['shop/c']);
    updates.schedule(true);
    vi.advanceTimersByTime(0);
    expect(sent.slice(2).map((e) => e.upserted.map((a) => a.id))).toEqual([['shop/b', 'shop/c']]);
  });

  it("tells an app's follower from the apps events: the app on an update, undefined on removal", () => {
    const { bus, updates, change } = setup();
    updates.begin([]);
    const seen: (string | undefined)[] = [];
    updates.onAppChange('shop/a', (found) => seen.push(found?.id));
    change(['shop/b']);
    updates.flushNow();
    change(['shop/a', 'shop/b']);
    updates.flushNow();
    change([], ['shop/a']);
    updates.flushNow();
    expect(seen).toEqual(['shop/a', undefined]);
    // The bus is the one path: an `apps` event is what the follower hears, whoever sent it.
    bus.emit('apps', { reset: false, upserted: [app('shop/a')], removed: [] });
    expect(seen).toEqual(['shop/a', undefined, 'shop/a']);
  });

  it('ends the followers when stopped, and sends nothing more', () => {
    const { bus, updates, sent, change } = setup();
    updates.begin([]);
    const seen: string[] = [];
    const unsubscribe = updates.onAppChange('shop/a', (found) => seen.push(found?.id ?? 'gone'));
    const other = updates.onAppChange('shop/b', (found) => seen.push(found?.id ?? 'gone'));
    unsubscribe();
    change(['shop/a']);
    updates.schedule();
    updates.stop();
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
    bus.emit('apps', { reset: false, upserted: [app('shop/a'), app('shop/b')], removed: [] });
    expect(seen).toEqual([]);
    other();
  });
});
