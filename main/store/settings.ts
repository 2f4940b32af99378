import { SettingsSchema, type Settings } from '../../shared/contract';
import type { EventBus } from '../transport/event-bus';
import { invalidInput } from '../transport/dispatch';
import type { KeyValueStore } from './key-value-store';

/**
 * The admin's settings, kept in the store under one key and checked against the contract's
 * schema field by field: a value that fails (edited by hand, written by an older version) is
 * reported and replaced by its default, and every other setting is kept. Never a crash.
 */

export const SETTINGS_KEY = 'settings';

export interface SettingsService {
  get(): Settings;
  /** Validates, stores and announces (`settings` event); throws INVALID_INPUT, storing nothing. */
  set(partial: Partial<Settings>): Settings;
  /** What was wrong with the stored settings when they were read, one sentence each. */
  problems(): string[];
}

type Field = keyof Settings;
const fields = Object.keys(SettingsSchema.shape) as Field[];
const PartialSettingsSchema = SettingsSchema.partial().strict();

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reads what is stored, keeping each valid field and reporting each invalid one. */
function load(store: KeyValueStore): { settings: Settings; problems: string[] } {
  const defaults = SettingsSchema.parse({});
  const stored = store.get(SETTINGS_KEY);
  if (stored === undefined) return { settings: defaults, problems: [] };
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    return {
      settings: defaults,
      problems: [
        `The settings in ${store.path} are not an object (${describe(stored)}); the defaults are used.`,
      ],
    };
  }
  const settings: Record<string, unknown> = { ...defaults };
  const problems: string[] = [];
  for (const field of fields) {
    if (!Object.hasOwn(stored, field)) continue;
    const value = (stored as Record<string, unknown>)[field];
    const parsed = SettingsSchema.shape[field].safeParse(value);
    if (parsed.success) {
      settings[field] = parsed.data;
    } else {
      const why = parsed.error.issues.map((issue) => issue.message).join('; ');
      problems.push(
        `The setting ${field} in ${store.path} is not valid (${describe(value)}: ${why}); the default ${describe(defaults[field])} is used.`,
      );
    }
  }
  return { settings: settings as Settings, problems };
}

export function createSettings(store: KeyValueStore, bus: EventBus): SettingsService {
  const loaded = load(store);
  let current = loaded.settings;
  for (const problem of loaded.problems) console.warn(`scaledesk: ${problem}`);

  return {
    get: () => current,
    set(partial) {
      const parsed = PartialSettingsSchema.safeParse(partial);
      if (!parsed.success) throw invalidInput(parsed.error);
      // Keys given as undefined are left as they are, as in a form that sends only some fields.
      const changes = Object.fromEntries(
        Object.entries(parsed.data).filter(([, value]) => value !== undefined),
      ) as Partial<Settings>;
      current = SettingsSchema.parse({ ...current, ...changes });
      store.set(SETTINGS_KEY, current);
      bus.emit('settings', current);
      return current;
    },
    problems: () => [...loaded.problems],
  };
}
