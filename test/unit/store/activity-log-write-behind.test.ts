import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIVITY_KEY, createActivityLog } from '../../../main/store/activity-log';
import { replicasChange } from '../../fixtures/activity';
import { createConfStore } from '../../../main/store/conf-store';
import { EventBus } from '../../../main/transport/event-bus';
import type { KeyValueStore } from '../../../main/store/key-value-store';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-activity-wb-'));
  file = path.join(dir, 'config.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

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
  it('serves and announces a change at once, and writes it to disk a moment later', async () => {
    const bus = new EventBus();
    const announced: string[] = [];
    bus.on('activity', (entry) => announced.push(entry.id));
    const { store } = countingStore();
    const log = createActivityLog(store, bus, { writeBehindMs: 50 });
    const entry = log.record(replicasChange(2));
    expect(log.list()[0]?.id).toBe(entry.id);
    expect(announced).toEqual([entry.id]);
    expect(stored()).toHaveLength(0);
    await expect.poll(() => stored().length, { timeout: 2_000 }).toBe(1);
  });

  it('writes a burst of changes once', async () => {
    const { store, writes } = countingStore();
    const log = createActivityLog(store, new EventBus(), { writeBehindMs: 50 });
    const first = log.record(replicasChange(2));
    log.record(replicasChange(3));
    log.settle(first.id, 'done', 'web runs 2 replicas.');
    await expect.poll(() => stored().length, { timeout: 2_000 }).toBe(2);
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
