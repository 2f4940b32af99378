import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfStore, defaultDataDir, storeFileIn } from '../../../main/store/conf-store';

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
});
