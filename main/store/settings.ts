import {
  SettingsChangeSchema,
  SettingsSchema,
  type Settings,
  type SettingsChange,
} from '../../shared/contract';
import type { EventBus } from '../transport/event-bus';
import { invalidInput } from '../transport/dispatch';
import type { KeyValueStore } from './key-value-store';

/**
 * The admin's settings, kept in the store under one key and checked against the contract's
 * schema field by field: a value that fails (edited by hand, written by an older version) is
 * reported and replaced by its default, and every other setting is kept. Never a crash.
 * A save writes only the keys it carries.
 */

export const SETTINGS_KEY = 'settings';

export interface SettingsService {
  get(): Settings;
  /**
   * Validates, stores and announces (`settings` event) the keys given, leaving every other as it
   * was; throws INVALID_INPUT, storing nothing.
   */
  set(change: SettingsChange): Settings;
  /** What was wrong with the stored settings when they were read, one sentence each. */
  problems(): string[];
  /** The settings whose stored value failed its schema when read (their default is used). */
  refused(): Field[];
}

type Field = keyof Settings;
const fields = Object.keys(SettingsSchema.shape) as Field[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reads what is stored, keeping each valid field and reporting each invalid one. */
function load(store: KeyValueStore): { settings: Settings; problems: string[]; refused: Field[] } {
  const defaults = SettingsSchema.parse({});
  const stored = store.get(SETTINGS_KEY);
  if (stored === undefined) return { settings: defaults, problems: [], refused: [] };
  if (!isRecord(stored)) {
    return {
      settings: defaults,
      problems: [
        `The settings in ${store.path} are not an object (${describe(stored)}); the defaults are used.`,
      ],
      refused: [],
    };
  }
  const settings: Record<string, unknown> = { ...defaults };
  const problems: string[] = [];
  const refused: Field[] = [];
  for (const field of fields) {
    if (!Object.hasOwn(stored, field)) continue;
    const value = stored[field];
    const parsed = SettingsSchema.shape[field].safeParse(value);
    if (parsed.success) {
      settings[field] = parsed.data;
    } else {
      refused.push(field);
      const why = parsed.error.issues.map((issue) => issue.message).join('; ');
      problems.push(
        `The setting ${field} in ${store.path} is not valid (${describe(value)}: ${why}); the default ${describe(defaults[field])} is used.`,
      );
    }
  }
  return { settings: settings as Settings, problems, refused };
}

export function createSettings(store: KeyValueStore, bus: EventBus): SettingsService {
  const loaded = load(store);
  let current = loaded.settings;
  for (const problem of loaded.problems) console.warn(`scaledesk: ${problem}`);

  return {
    get: () => current,
    set(change) {
      const parsed = SettingsChangeSchema.safeParse(change);
      if (!parsed.success) throw invalidInput(parsed.error);
      // Keys given as undefined are left as they are, as in a form that sends only some fields.
      const changes = Object.fromEntries(
        Object.entries(parsed.data).filter(([, value]) => value !== undefined),
      ) as Partial<Settings>;
      // Written over what the file holds now, not over `current`: the keys not carried keep what
      // is stored for them, including a value that failed its schema at start (still reported
      // at the next start, not silently replaced by its default) and a key of a newer version.
      const stored = store.get(SETTINGS_KEY);
      store.set(SETTINGS_KEY, { ...(isRecord(stored) ? stored : {}), ...changes });
      current = { ...current, ...changes };
      bus.emit('settings', current);
      return current;
    },
    problems: () => [...loaded.problems],
    refused: () => [...loaded.refused],
  };
}
