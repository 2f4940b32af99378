import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConfStore } from '../../../main/store/conf-store';
import { EventBus } from '../../../main/transport/event-bus';
import { createSettings, SETTINGS_KEY } from '../../../main/store/settings';
import { ScaleDeskError } from '../../../shared/errors';

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-settings-'));
  file = path.join(dir, 'config.json');
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('settings', () => {
  it('starts from the defaults where nothing is stored', () => {
    const settings = createSettings(createConfStore(file), new EventBus());
    expect(settings.get()).toMatchObject({
      maxReplicas: 10,
      metricsIntervalSeconds: 15,
      theme: 'system',
      latencyThresholdMs: 500,
      errorRateThreshold: 0.01,
      lastContext: null,
    });
    expect(settings.problems()).toEqual([]);
  });

  it('stores a change in the file, announces it, and reads it back after a restart', () => {
    const bus = new EventBus();
    const seen: unknown[] = [];
    bus.on('settings', (s) => seen.push(s));
    createSettings(createConfStore(file), bus).set({ maxReplicas: 20, theme: 'dark' });
    expect(seen).toHaveLength(1);
    const again = createSettings(createConfStore(file), new EventBus());
    expect(again.get()).toMatchObject({
      maxReplicas: 20,
      theme: 'dark',
      metricsIntervalSeconds: 15,
    });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))[SETTINGS_KEY].maxReplicas).toBe(20);
  });

  it('reports a stored value that fails the schema and uses its default, keeping the others', () => {
    fs.writeFileSync(
      file,
      JSON.stringify({
        [SETTINGS_KEY]: { maxReplicas: 'lots', theme: 'dark', metricsIntervalSeconds: -5 },
      }),
    );
    const settings = createSettings(createConfStore(file), new EventBus());
    expect(settings.get()).toMatchObject({
      maxReplicas: 10,
      theme: 'dark',
      metricsIntervalSeconds: 15,
    });
    expect(settings.problems()).toHaveLength(2);
    const problem = settings.problems().find((p) => p.startsWith('The setting maxReplicas in'));
    expect(problem).toContain('"lots"');
    expect(problem).toContain('the default 10 is used');
    expect(console.warn).toHaveBeenCalledTimes(2);
  });

  it('survives settings that are not an object at all', () => {
    fs.writeFileSync(file, JSON.stringify({ [SETTINGS_KEY]: [1, 2] }));
    const settings = createSettings(createConfStore(file), new EventBus());
    expect(settings.get().maxReplicas).toBe(10);
    expect(settings.problems()[0]).toContain('not an object');
  });

  it('refuses an invalid change with INVALID_INPUT and stores nothing', () => {
    const store = createConfStore(file);
    const settings = createSettings(store, new EventBus());
    for (const bad of [{ maxReplicas: 0 }, { maxReplicas: 2.5 }, { theme: 'neon' }, { nope: 1 }]) {
      let error: unknown;
      try {
        settings.set(bad as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScaleDeskError);
      expect((error as ScaleDeskError).code).toBe('INVALID_INPUT');
    }
    expect(store.get(SETTINGS_KEY)).toBeUndefined();
    expect(settings.get().maxReplicas).toBe(10);
  });

  it('takes only http and https addresses as an app URL, which main will fetch', () => {
    const store = createConfStore(file);
    const settings = createSettings(store, new EventBus());
    for (const url of ['file:///etc/passwd', 'data:text/plain,hi', 'ftp://example.com/', 'nope']) {
      expect(() => settings.set({ appUrls: { 'demo/sales-dash': url } })).toThrow(
        /http:\/\/ or https:\/\//,
      );
    }
    expect(store.get(SETTINGS_KEY)).toBeUndefined();
    const saved = settings.set({ appUrls: { 'demo/sales-dash': 'https://sales.example.com/' } });
    expect(saved.appUrls).toEqual({ 'demo/sales-dash': 'https://sales.example.com/' });
  });
});
