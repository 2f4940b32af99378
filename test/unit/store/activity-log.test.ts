import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { activityFileFor } from '../../../main/store/activity-file';
import { ACTIVITY_KEY, createActivityLog } from '../../../main/store/activity-log';
import type { ChangeTarget } from '../../../main/store/activity-records';
import { replicasChange } from '../../fixtures/activity';
import { createConfStore } from '../../../main/store/conf-store';
import { EventBus } from '../../../main/transport/event-bus';
import { captureWarnings } from '../../fixtures/console-warnings';
import { useStoreFile } from '../../fixtures/store-file';
import type { ActivityEntry } from '../../../shared/contract';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

const temp = useStoreFile('scaledesk-activity-');
captureWarnings();

const SANDBOX = { cluster: 'cluster-a', context: 'sandbox' };
const target = (replicas: number): ChangeTarget => ({
  process: 'web',
  deployment: 'shop-web',
  replicas,
});
const about = (replicas: number, cluster = SANDBOX.cluster) => ({
  cluster,
  targets: [target(replicas)],
  doneMessage: `web runs ${replicas} replicas.`,
});

/** The log's records on disk, as another process would read them. */
function records(): Array<Record<string, unknown>> {
  const logFile = activityFileFor(temp.file);
  if (!fs.existsSync(logFile)) return [];
  return fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const open = (bus = new EventBus(), cap?: number) =>
  createActivityLog(createConfStore(temp.file), bus, cap === undefined ? {} : { cap });

describe('activity log', () => {
  it('has the change on disk before it is sent, lists it once accepted, and settles it', () => {
    const bus = new EventBus();
    const events: ActivityEntry[] = [];
    bus.on('activity', (e) => events.push(e));
    const log = open(bus);
    const first = log.begin(replicasChange(2), about(2));
    expect(first).toMatchObject({ result: 'pending', message: null, undoOf: null });
    expect(records()).toMatchObject([{ put: { entry: { id: first.id }, sent: false } }]);
    // Not sent yet: a refusal would withdraw it, so nothing shows it.
    expect(log.list(SANDBOX)).toEqual([]);
    expect(events).toEqual([]);

    log.accept(first.id, { from: 1 });
    const second = log.begin(replicasChange(3), about(3));
    log.accept(second.id);
    log.settle(first.id, 'done', 'web runs 2 replicas.');
    expect(log.list(SANDBOX).map((e) => e.to)).toEqual([3, 2]);
    expect(log.get(first.id)).toMatchObject({ result: 'done', message: 'web runs 2 replicas.' });
    expect(events.map((e) => [e.id, e.result])).toEqual([
      [first.id, 'pending'],
      [second.id, 'pending'],
      [first.id, 'done'],
    ]);
    expect(open().get(first.id)).toMatchObject({ result: 'done', from: 1 });
  });

  it('forgets a change the cluster refused, on disk too', () => {
    const log = open();
    const refused = log.begin(replicasChange(2), about(2));
    log.withdraw(refused.id);
    expect(log.get(refused.id)).toBeUndefined();
    expect(open().get(refused.id)).toBeUndefined();
  });

  it('keeps a pending change across restarts, to be judged from its cluster', () => {
    const log = open();
    const sent = log.begin(replicasChange(4), about(4));
    log.accept(sent.id);
    const unanswered = log.begin(replicasChange(5), about(5));
    const reopened = open();
    expect(reopened.get(sent.id)).toMatchObject({ result: 'pending', message: null });
    expect(reopened.pending(SANDBOX).map((c) => [c.entry.id, c.sent, c.targets])).toEqual([
      [unanswered.id, false, [target(5)]],
      [sent.id, true, [target(4)]],
    ]);
    // An answer never seen: listed after a restart, pending until judged.
    expect(reopened.list(SANDBOX).map((e) => e.id)).toEqual([unanswered.id, sent.id]);
  });

  it('lists each cluster its own changes, whatever its context is called', () => {
    const log = open();
    const a = log.begin(replicasChange(2), about(2, 'cluster-a'));
    log.accept(a.id);
    const b = log.begin(replicasChange(3), about(3, 'cluster-b'));
    log.accept(b.id);
    expect(log.list({ cluster: 'cluster-a', context: 'sandbox' }).map((e) => e.id)).toEqual([a.id]);
    expect(log.list({ cluster: 'cluster-b', context: 'sandbox' }).map((e) => e.id)).toEqual([b.id]);
    expect(log.pending({ cluster: 'cluster-c', context: 'sandbox' })).toEqual([]);
    // No cluster connected yet in this process: nothing, rather than some other cluster's.
    expect(log.list(null)).toEqual([]);
  });

  it('moves the entries an earlier version kept in the store into its own file', () => {
    const store = createConfStore(temp.file);
    const old = (id: string, result: ActivityEntry['result']): ActivityEntry => ({
      ...replicasChange(2),
      id,
      at: '2026-01-01T10:00:00Z',
      result,
      message: null,
      undoOf: null,
    });
    store.set(ACTIVITY_KEY, [old('old-done', 'done'), old('old-pending', 'pending'), { id: 7 }]);
    const log = open();
    expect(createConfStore(temp.file).get(ACTIVITY_KEY)).toBeUndefined();
    expect(records()).toHaveLength(2);
    // Logged by context name, before clusters were told apart: listed for that context.
    expect(log.list({ cluster: 'any', context: 'sandbox' }).map((e) => e.id)).toEqual([
      'old-pending',
      'old-done',
    ]);
    expect(log.list({ cluster: 'any', context: 'prod' })).toEqual([]);
    expect(log.get('old-pending')).toMatchObject({
      result: 'failed',
      message: 'Not followed to the end: ScaleDesk was closed before the rollout finished.',
    });
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('1 entries'));
  });

  it('keeps only the newest entries past the cap, in memory and on disk', () => {
    const log = open(new EventBus(), 3);
    for (let i = 1; i <= 5; i++) log.accept(log.begin(replicasChange(i), about(i)).id);
    expect(log.list(SANDBOX).map((e) => e.to)).toEqual([5, 4, 3]);
    expect(log.list(SANDBOX, 2).map((e) => e.to)).toEqual([5, 4]);
    const reopened = open(new EventBus(), 3);
    expect(reopened.list(SANDBOX).map((e) => e.to)).toEqual([5, 4, 3]);
    // Opening rewrote the file down to what it holds.
    expect(records()).toHaveLength(3);
  });

  it('rewrites the file once it has grown well past what it holds', async () => {
    const log = open(new EventBus(), 5);
    for (let i = 1; i <= 20; i++) {
      const entry = log.begin(replicasChange(i), about(i));
      log.accept(entry.id);
      log.settle(entry.id, 'done', 'ok');
    }
    // The rewrite is queued behind the operation that appended.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(records().length).toBeLessThanOrEqual(5 + 5 + 3);
    expect(
      open(new EventBus(), 5)
        .list(SANDBOX)
        .map((e) => e.to),
    ).toEqual([20, 19, 18, 17, 16]);
  });

  it('reads past a record a crash cut short, and says so', () => {
    const log = open();
    const entry = log.begin(replicasChange(2), about(2));
    log.accept(entry.id);
    fs.appendFileSync(activityFileFor(temp.file), '{"put":{"entry":{"id":"x","at":');
    const reopened = open();
    expect(reopened.get(entry.id)).toMatchObject({ result: 'pending' });
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('1 records'));
    // The torn line is gone, so the next append starts on a line of its own.
    reopened.settle(entry.id, 'done', 'ok');
    expect(open().get(entry.id)).toMatchObject({ result: 'done' });
  });

  it('finds the entry that undid another', () => {
    const log = open();
    const original = log.begin(replicasChange(3), about(3));
    const undo = log.begin({ ...replicasChange(2), undoOf: original.id }, about(2));
    expect(log.undoneBy(original.id)?.id).toBe(undo.id);
    expect(log.undoneBy(undo.id)).toBeUndefined();
  });

  it('keeps its file private to the user', () => {
    open().begin(replicasChange(2), about(2));
    expect(fs.statSync(activityFileFor(temp.file)).mode & 0o777).toBe(0o600);
  });
});

describe('activity log and a process killed at once', () => {
  it('has the change logged before sending, and the answer, after a kill -9', async () => {
    const script = `
      import { createActivityLog } from './main/store/activity-log.ts';
      import { createConfStore } from './main/store/conf-store.ts';
      import { EventBus } from './main/transport/event-bus.ts';
      const log = createActivityLog(createConfStore(${JSON.stringify(temp.file)}), new EventBus());
      const about = ${JSON.stringify(about(5))};
      const sent = log.begin(${JSON.stringify(replicasChange(5))}, about);
      log.accept(sent.id, { from: 3 });
      log.begin(${JSON.stringify(replicasChange(6))}, about);
      process.kill(process.pid, 'SIGKILL');
    `;
    await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
    }).catch((error: { signal?: string }) => {
      if (error.signal !== 'SIGKILL') throw error;
    });
    const reopened = open();
    expect(reopened.pending(SANDBOX).map((c) => [c.entry.to, c.entry.from, c.sent])).toEqual([
      [6, 5, false],
      [5, 3, true],
    ]);
  });
});
