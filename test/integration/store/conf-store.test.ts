import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createConfStore,
  defaultDataDir,
  STALE_TEMP_FILE_MS,
  storeFileIn,
} from '../../../main/store/conf-store';

let dir: string;
beforeEach(() => void (dir = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-conf-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the conf-backed store of browser mode', () => {
  it('keeps values across instances, in the file it names', () => {
    const file = storeFileIn(dir);
    const first = createConfStore(file);
    first.set('settings', { theme: 'dark' });
    expect(first.path).toBe(file);
    expect(createConfStore(file).get('settings')).toEqual({ theme: 'dark' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ settings: { theme: 'dark' } });
  });

  it('takes dotted keys literally', () => {
    const store = createConfStore(storeFileIn(dir));
    store.set('window.state', { x: 1 });
    expect(store.get('window.state')).toEqual({ x: 1 });
    expect(store.get('window')).toBeUndefined();
  });

  it('deletes a key, also when set to undefined', () => {
    const store = createConfStore(storeFileIn(dir));
    store.set('a', 1);
    store.set('b', 2);
    store.delete('a');
    store.set('b', undefined);
    expect(store.get('a')).toBeUndefined();
    expect(store.get('b')).toBeUndefined();
  });

  it('reports a file broken by hand instead of emptying it', () => {
    const file = storeFileIn(dir);
    writeFileSync(file, '{ "settings": ');
    expect(() => createConfStore(file)).toThrow(`the settings file ${file} is not valid JSON`);
    expect(readFileSync(file, 'utf8')).toBe('{ "settings": ');
  });

  it('shares the desktop app’s data folder by default', () => {
    expect(defaultDataDir('linux', {}, '/home/ada')).toBe('/home/ada/.config/ScaleDesk');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/ada')).toBe('/x/ScaleDesk');
    expect(defaultDataDir('darwin', {}, '/Users/ada')).toBe(
      '/Users/ada/Library/Application Support/ScaleDesk',
    );
  });

  it('takes an empty XDG_CONFIG_HOME or APPDATA as unset, not as the current directory', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '' }, '/home/ada')).toBe(
      '/home/ada/.config/ScaleDesk',
    );
    expect(defaultDataDir('win32', { APPDATA: '' }, 'C:\\Users\\ada')).toBe(
      path.join('C:\\Users\\ada', 'AppData', 'Roaming', 'ScaleDesk'),
    );
  });
});

const modeOf = (target: string) => statSync(target).mode & 0o777;

/** Runs with the given umask (vitest runs tests in a forked process, where it may be set). */
function withUmask<T>(mask: number, run: () => T): T {
  const before = process.umask(mask);
  try {
    return run();
  } finally {
    process.umask(before);
  }
}

describe('the data folder and store file', () => {
  // 0o000 would leave what mkdir and open ask for, 0o022 is the usual one, 0o277 takes even
  // the owner's write bit: the modes must come out the same under each.
  it.each([0o000, 0o022, 0o277])('are 0700 and 0600 when made new, under umask %o', (mask) => {
    const folder = path.join(dir, 'ScaleDesk');
    const file = storeFileIn(folder);
    withUmask(mask, () => createConfStore(file).set('settings', { theme: 'dark' }));
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
    expect(createConfStore(file).get('settings')).toEqual({ theme: 'dark' });
  });

  it('are made private when an older version left them 0755 and 0644, before any write', () => {
    const folder = path.join(dir, 'ScaleDesk');
    mkdirSync(folder);
    chmodSync(folder, 0o755);
    const file = storeFileIn(folder);
    writeFileSync(file, JSON.stringify({ settings: { theme: 'dark' } }));
    chmodSync(file, 0o644);

    const store = createConfStore(file);
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
    store.set('activity', [{ id: 'a' }]);
    expect(modeOf(file)).toBe(0o600);
    expect(store.get('settings')).toEqual({ theme: 'dark' });
  });

  it('lose the temporary files of a killed write, and keep a fresh one and other files', () => {
    const file = storeFileIn(dir);
    writeFileSync(file, JSON.stringify({ settings: { theme: 'dark' } }));
    const old = new Date(Date.now() - STALE_TEMP_FILE_MS - 1_000);
    const killed = `${file}.tmp-1700000000abc123`;
    const alsoKilled = `${file}.tmp-1700000001def456`;
    const inProgress = `${file}.tmp-${Date.now().toString().slice(-10)}0a1b2c`;
    const otherStore = path.join(dir, 'viewer.json.tmp-1700000000abc123');
    for (const temp of [killed, alsoKilled, inProgress, otherStore]) {
      writeFileSync(temp, '{"settings": {"th');
    }
    for (const temp of [killed, alsoKilled, otherStore]) utimesSync(temp, old, old);

    expect(createConfStore(file).get('settings')).toEqual({ theme: 'dark' });
    expect(existsSync(killed)).toBe(false);
    expect(existsSync(alsoKilled)).toBe(false);
    // Another process (browser mode beside the desktop app) may be writing this one now.
    expect(existsSync(inProgress)).toBe(true);
    // Another store file's business.
    expect(existsSync(otherStore)).toBe(true);
  });
});
