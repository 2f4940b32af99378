import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTIVITY_KEY, createActivityLog } from '../../../main/store/activity-log';
import { replicasChange } from '../../fixtures/activity';
import { createConfStore } from '../../../main/store/conf-store';
import { EventBus } from '../../../main/transport/event-bus';
import type { KeyValueStore } from '../../../main/store/key-value-store';
import type { ActivityEntry } from '../../../shared/contract';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-activity-'));
  file = path.join(dir, 'config.json');
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('activity log', () => {
  it('records a change as pending, settles it, and lists newest first', () => {
    const bus = new EventBus();
    const events: ActivityEntry[] = [];
    bus.on('activity', (e) => events.push(e));
    const log = createActivityLog(createConfStore(file), bus);
    const first = log.record(replicasChange(2));
    const second = log.record(replicasChange(3));
    expect(first).toMatchObject({
      result: 'pending',
      message: null,
      undoOf: null,
      kind: 'replicas',
    });
    log.settle(first.id, 'done', 'web runs 2 replicas.');
    expect(log.list().map((e) => e.to)).toEqual([3, 2]);
    expect(log.get(first.id)).toMatchObject({ result: 'done', message: 'web runs 2 replicas.' });
    expect(events.map((e) => [e.id, e.result])).toEqual([
      [first.id, 'pending'],
      [second.id, 'pending'],
      [first.id, 'done'],
    ]);
  });

  it('keeps the log on disk across restarts, and says a rollout left pending was not followed', () => {
    const log = createActivityLog(createConfStore(file), new EventBus());
    const entry = log.record(replicasChange(4));
    const reopened = createActivityLog(createConfStore(file), new EventBus());
    expect(reopened.get(entry.id)).toMatchObject({
      result: 'failed',
      message: 'Not followed to the end: ScaleDesk was closed before the rollout finished.',
    });
  });

  it('keeps only the newest entries past the cap', () => {
    const log = createActivityLog(createConfStore(file), new EventBus(), { cap: 3 });
    for (let i = 1; i <= 5; i++) log.record(replicasChange(i));
    expect(log.list().map((e) => e.to)).toEqual([5, 4, 3]);
    expect(log.list(2).map((e) => e.to)).toEqual([5, 4]);
    const stored = createConfStore(file).get(ACTIVITY_KEY) as unknown[];
    expect(stored).toHaveLength(3);
  });

  it('leaves out unreadable stored entries and reports them', () => {
    const log = createActivityLog(createConfStore(file), new EventBus());
    log.record(replicasChange(1));
    const store = createConfStore(file);
    store.set(ACTIVITY_KEY, [...(store.get(ACTIVITY_KEY) as unknown[]), { id: 7 }, 'junk']);
    const reopened = createActivityLog(createConfStore(file), new EventBus());
    expect(reopened.list()).toHaveLength(1);
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('2 entries'));
  });

  it('finds the entry that undid another', () => {
    const log = createActivityLog(createConfStore(file), new EventBus());
    const original = log.record(replicasChange(3));
    const undo = log.record({ ...replicasChange(2), undoOf: original.id });
    expect(log.undoneBy(original.id)?.id).toBe(undo.id);
    expect(log.undoneBy(undo.id)).toBeUndefined();
  });
});

/** The store, counting its writes. */
function countingStore(): { store: KeyValueStore; writes: () => number } {
  const inner = createConfStore(file);
  let writes = 0;
  return {
    store: {
      ...inner,
      set: (key, value) => {
        writes++;
        inner.set(key, value);
      },
    },
    writes: () => writes,
  };
}

const stored = () => (createConfStore(file).get(ACTIVITY_KEY) as unknown[] | undefined) ?? [];

describe('activity log written behind', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves and announces a change at once, and writes it to disk a moment later', () => {
    // The delay is a timer in this process: the test moves the clock instead of waiting it out.
    vi.useFakeTimers();
    const bus = new EventBus();
    const announced: string[] = [];
    bus.on('activity', (entry) => announced.push(entry.id));
    const { store } = countingStore();
    const log = createActivityLog(store, bus, { writeBehindMs: 50 });
    const entry = log.record(replicasChange(2));
    expect(log.list()[0]?.id).toBe(entry.id);
    expect(announced).toEqual([entry.id]);
    expect(stored()).toHaveLength(0);
    vi.advanceTimersByTime(49);
    expect(stored()).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(stored()).toHaveLength(1);
  });

  it('writes a burst of changes once', () => {
    vi.useFakeTimers();
    const { store, writes } = countingStore();
    const log = createActivityLog(store, new EventBus(), { writeBehindMs: 50 });
    const first = log.record(replicasChange(2));
    log.record(replicasChange(3));
    log.settle(first.id, 'done', 'web runs 2 replicas.');
    expect(writes()).toBe(0);
    vi.advanceTimersByTime(50);
    expect(stored()).toHaveLength(2);
    expect(writes()).toBe(1);
    const reopened = createActivityLog(createConfStore(file), new EventBus());
    expect(reopened.get(first.id)?.result).toBe('done');
  });

  it('writes what is still unwritten when the process exits', async () => {
    const script = `
      import { createActivityLog } from './main/store/activity-log.ts';
      import { createConfStore } from './main/store/conf-store.ts';
      import { EventBus } from './main/transport/event-bus.ts';
      const log = createActivityLog(createConfStore(${JSON.stringify(file)}), new EventBus(), { writeBehindMs: 60_000 });
      log.record(${JSON.stringify(replicasChange(5))});
      process.exit(0);
    `;
    await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
    });
    expect(stored()).toMatchObject([{ to: 5, result: 'pending' }]);
  });
});
