import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createConfStore } from '../../../main/store/conf-store';
import { EventBus } from '../../../main/transport/event-bus';
import { captureWarnings } from '../../fixtures/console-warnings';
import { useStoreFile } from '../../fixtures/store-file';
import { createSettings, SETTINGS_KEY, type SettingsService } from '../../../main/store/settings';
import { operations, SettingsSchema, type Settings } from '../../../shared/contract';
import { ScaleDeskError } from '../../../shared/errors';

const temp = useStoreFile('scaledesk-settings-');
captureWarnings();

/**
 * For each setting: a value stored before (not its default), a new value (neither), and one its
 * schema refuses. Typed over Settings, so a new setting without samples does not compile.
 */
const samples: {
  [K in keyof Settings]: { stored: Settings[K]; changed: Settings[K]; invalid: unknown };
} = {
  lastContext: { stored: 'prod', changed: 'staging', invalid: 42 },
  lastNamespace: { stored: 'shop', changed: 'blog', invalid: ['shop'] },
  metricsIntervalSeconds: { stored: 60, changed: 30, invalid: 0 },
  maxReplicas: { stored: 3, changed: 5, invalid: 'lots' },
  theme: { stored: 'dark', changed: 'light', invalid: 'neon' },
  groupingLabel: {
    stored: 'team.example.com/app',
    changed: 'app.kubernetes.io/instance',
    invalid: 'team.example.com/',
  },
  latencyThresholdMs: { stored: 800, changed: 250, invalid: -1 },
  recommendationHeadroom: { stored: 0.25, changed: 0.1, invalid: 2 },
  settleSeconds: { stored: 60, changed: 10, invalid: -5 },
  errorRateThreshold: { stored: 0.05, changed: 0.2, invalid: 2 },
  appUrls: {
    stored: { 'demo/sales-dash': 'https://sales.example.com/' },
    changed: { 'demo/blog': 'http://blog.example.com/' },
    invalid: { 'demo/sales-dash': 'file:///etc/passwd' },
  },
};
/** From the schema, not from the samples: a setting added to it is covered, or fails here. */
const keys = Object.keys(SettingsSchema.shape) as Array<keyof Settings>;
const defaults = SettingsSchema.parse({});
const storedSettings = Object.fromEntries(keys.map((key) => [key, samples[key].stored]));

/** A save as it arrives from either transport: checked against the contract's input first. */
function save(settings: SettingsService, change: Record<string, unknown>): Settings {
  return settings.set(operations['settings.set'].input.parse(change));
}

const storedInFile = () => JSON.parse(fs.readFileSync(temp.file, 'utf8'))[SETTINGS_KEY];

describe('settings', () => {
  it('starts from the defaults where nothing is stored', () => {
    const settings = createSettings(createConfStore(temp.file), new EventBus());
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
    createSettings(createConfStore(temp.file), bus).set({ maxReplicas: 20, theme: 'dark' });
    expect(seen).toHaveLength(1);
    const again = createSettings(createConfStore(temp.file), new EventBus());
    expect(again.get()).toMatchObject({
      maxReplicas: 20,
      theme: 'dark',
      metricsIntervalSeconds: 15,
    });
    expect(JSON.parse(fs.readFileSync(temp.file, 'utf8'))[SETTINGS_KEY].maxReplicas).toBe(20);
  });

  it('reports a stored value that fails the schema and uses its default, keeping the others', () => {
    fs.writeFileSync(
      temp.file,
      JSON.stringify({
        [SETTINGS_KEY]: { maxReplicas: 'lots', theme: 'dark', metricsIntervalSeconds: -5 },
      }),
    );
    const settings = createSettings(createConfStore(temp.file), new EventBus());
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
    fs.writeFileSync(temp.file, JSON.stringify({ [SETTINGS_KEY]: [1, 2] }));
    const settings = createSettings(createConfStore(temp.file), new EventBus());
    expect(settings.get().maxReplicas).toBe(10);
    expect(settings.problems()[0]).toContain('not an object');
  });

  it('refuses an invalid change with INVALID_INPUT and stores nothing', () => {
    const store = createConfStore(temp.file);
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
    const store = createConfStore(temp.file);
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

describe('a save of some settings', () => {
  it('has samples for exactly the settings of the schema, each valid, other than its default', () => {
    expect(Object.keys(samples).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const field = SettingsSchema.shape[key];
      expect(field.parse(samples[key].stored)).toEqual(samples[key].stored);
      expect(field.parse(samples[key].changed)).toEqual(samples[key].changed);
      expect(field.safeParse(samples[key].invalid).success).toBe(false);
      expect(samples[key].stored).not.toEqual(defaults[key]);
      expect(samples[key].changed).not.toEqual(samples[key].stored);
    }
  });

  it.each(keys)('of %s alone leaves every other setting as it was stored', (key) => {
    fs.writeFileSync(temp.file, JSON.stringify({ [SETTINGS_KEY]: storedSettings }));
    const settings = createSettings(createConfStore(temp.file), new EventBus());
    const expected = { ...storedSettings, [key]: samples[key].changed };

    expect(save(settings, { [key]: samples[key].changed })).toEqual(expected);
    expect(settings.get()).toEqual(expected);
    expect(storedInFile()).toEqual(expected);
    expect(createSettings(createConfStore(temp.file), new EventBus()).get()).toEqual(expected);
  });

  it('writes only the keys it carries over what is stored, never the defaults of the rest', () => {
    const settings = createSettings(createConfStore(temp.file), new EventBus());
    save(settings, { theme: 'dark' });
    expect(storedInFile()).toEqual({ theme: 'dark' });
  });

  it('keeps what the file holds for the other keys: a value it refused, and one it does not know', () => {
    fs.writeFileSync(
      temp.file,
      JSON.stringify({ [SETTINGS_KEY]: { maxReplicas: 'lots', fromANewerVersion: true } }),
    );
    const settings = createSettings(createConfStore(temp.file), new EventBus());
    save(settings, { theme: 'dark' });
    expect(settings.get().maxReplicas).toBe(defaults.maxReplicas);
    expect(storedInFile()).toEqual({ maxReplicas: 'lots', fromANewerVersion: true, theme: 'dark' });
  });
});

describe('a stored setting that fails its schema', () => {
  it.each(keys)('%s falls back to its default alone, and is reported', (key) => {
    fs.writeFileSync(
      temp.file,
      JSON.stringify({ [SETTINGS_KEY]: { ...storedSettings, [key]: samples[key].invalid } }),
    );
    const settings = createSettings(createConfStore(temp.file), new EventBus());

    expect(settings.get()).toEqual({ ...storedSettings, [key]: defaults[key] });
    expect(settings.problems()).toEqual([
      expect.stringMatching(new RegExp(`^The setting ${key} in .* is not valid`)),
    ]);
    expect(console.warn).toHaveBeenCalledTimes(1);
    expect(console.warn).toHaveBeenCalledWith(`scaledesk: ${settings.problems()[0]}`);
  });
});
