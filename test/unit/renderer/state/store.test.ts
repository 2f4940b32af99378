import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Store } from '../../../../renderer/src/state/store';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeActivity } from '../../../fixtures/activity';
import { makeApp } from '../../../fixtures/app-model';

// The store tells its subscribers once a frame, by a timer where no frame comes (as here, in
// Node): the clock is the test's, so "after the frame" is a step of it, not a wait.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets the bridge's answers arrive and the frame they were applied in end. */
const nextFrame = () => vi.runAllTimersAsync();

async function started(bridge: FakeBridge) {
  const store = new Store(bridge);
  store.start();
  await nextFrame();
  expect(store.getState().appsLoaded).toBe(true);
  return store;
}

describe('the renderer store', () => {
  it('lists the contexts anew when the kubeconfig changed', async () => {
    const bridge = new FakeBridge([]);
    const store = await started(bridge);
    const added = {
      name: 'prod',
      cluster: 'prod',
      server: 'https://prod.example:6443',
      user: 'ada',
      namespace: null,
    };
    bridge.emit('contexts', {
      contexts: [added],
      current: 'prod',
      source: 'kubeconfig',
      kubeconfigPaths: ['/home/ada/.kube/config'],
    });
    await nextFrame();
    expect(store.getState().contexts).toEqual([added]);
  });

  it('lists the apps at start-up, sorted by namespace and name', async () => {
    const bridge = new FakeBridge([
      makeApp({ namespace: 'b', name: 'zeta' }),
      makeApp({ namespace: 'a', name: 'mu' }),
      makeApp({ namespace: 'b', name: 'alpha' }),
    ]);
    const store = await started(bridge);
    expect(store.getState().appIds).toEqual(['a/mu', 'b/alpha', 'b/zeta']);
  });

  it('tells its subscribers once for a burst of events, and keeps unchanged apps as they were', async () => {
    const one = makeApp({ name: 'one' });
    const two = makeApp({ name: 'two' });
    const bridge = new FakeBridge([one, two]);
    const store = await started(bridge);
    const listener = vi.fn();
    store.subscribe(listener);
    const idsBefore = store.getState().appIds;

    for (let i = 0; i < 50; i++) {
      bridge.emit('apps', {
        reset: false,
        upserted: [{ ...one, memory: { usedBytes: i, maxBytes: 1 } }],
        removed: [],
      });
    }
    expect(listener).not.toHaveBeenCalled();
    await nextFrame();

    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getState().apps.get(one.id)?.memory.usedBytes).toBe(49);
    expect(store.getState().apps.get(two.id)).toBe(two);
    // Same members: the list of ids keeps its identity, so the sidebar does not redraw.
    expect(store.getState().appIds).toBe(idsBefore);
  });

  it('removes apps and replaces everything on a reset', async () => {
    const bridge = new FakeBridge([makeApp({ name: 'one' }), makeApp({ name: 'two' })]);
    const store = await started(bridge);
    bridge.emit('apps', { reset: false, upserted: [], removed: ['team-a/one'] });
    expect(store.getState().appIds).toEqual(['team-a/two']);
    bridge.emit('apps', { reset: true, upserted: [makeApp({ name: 'three' })], removed: [] });
    expect(store.getState().appIds).toEqual(['team-a/three']);
  });

  it('applies app events that arrive before the first list after it', async () => {
    let answer: (value: unknown) => void = () => {};
    const bridge = new FakeBridge().on(
      'apps.list',
      () => new Promise((resolve) => (answer = resolve as (value: unknown) => void)),
    );
    const store = new Store(bridge);
    store.start();
    bridge.emit('apps', { reset: false, upserted: [makeApp({ name: 'late' })], removed: [] });
    expect(store.getState().appIds).toEqual([]);
    answer({ ok: true, value: [makeApp({ name: 'early' })] });
    await nextFrame();
    expect(store.getState().appIds).toEqual(['team-a/early', 'team-a/late']);
  });

  it('keeps the newest version of an activity entry, newest first', async () => {
    const bridge = new FakeBridge([]);
    const store = await started(bridge);
    const entry = makeActivity({ id: 'a1', context: null, result: 'pending' });
    bridge.emit('activity', entry);
    bridge.emit('activity', { ...entry, result: 'done' });
    bridge.emit('activity', { ...entry, id: 'a0', at: '2026-01-01T09:00:00Z' });
    expect(store.getState().activity.map((e) => [e.id, e.result])).toEqual([
      ['a1', 'done'],
      ['a0', 'pending'],
    ]);
  });
});

describe('what a change redraws', () => {
  it('keeps the parts of an app that did not change as the same objects', async () => {
    const app = makeApp();
    const bridge = new FakeBridge([app]);
    const store = await started(bridge);
    const before = store.getState().apps.get(app.id)!;
    // Main sends the whole app again (a fresh object, as from JSON), with only web's memory new.
    const copy = JSON.parse(JSON.stringify(app)) as typeof app;
    copy.processes[0]!.memoryUsedBytes = 123;
    bridge.emit('apps', { reset: false, upserted: [copy], removed: [] });
    expect(store.getState().apps.get(app.id)?.processes[0]?.memoryUsedBytes).toBe(123);
    const after = store.getState().apps.get(app.id)!;
    expect(after).not.toBe(before);
    expect(after.processes[1]).toBe(before.processes[1]);
    expect(after.permissions).toBe(before.permissions);
    expect(after.processes[0]!.pods).toBe(before.processes[0]!.pods);
  });

  it('does not tell subscribers about an app sent again unchanged', async () => {
    const app = makeApp();
    const bridge = new FakeBridge([app]);
    const store = await started(bridge);
    const before = store.getState();
    const listener = vi.fn();
    store.subscribe(listener);
    bridge.emit('apps', { reset: false, upserted: [JSON.parse(JSON.stringify(app))], removed: [] });
    await nextFrame();
    expect(listener).not.toHaveBeenCalled();
    // Nothing was replaced: not the state, not the app shown.
    expect(store.getState()).toBe(before);
    expect(store.getState().apps.get(app.id)).toBe(before.apps.get(app.id));
  });
});
