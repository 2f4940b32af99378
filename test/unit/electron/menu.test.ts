import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { menuTemplate } from '../../../main/electron/menu';

vi.mock('electron', async () =>
  (await import('../../fixtures/fake-electron')).fakeElectronModule(),
);

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

describe('the application menu', () => {
  it('has the usual edit, zoom, full-screen and quit shortcuts', () => {
    const all = roles(menuTemplate({ isDev: false, isMac: false }));
    for (const role of [
      'undo',
      'redo',
      'cut',
      'copy',
      'paste',
      'selectAll',
      'quit',
      'zoomIn',
      'zoomOut',
      'resetZoom',
      'togglefullscreen',
    ]) {
      expect(all).toContain(role);
    }
  });

  it('offers reload and the developer tools only in development', () => {
    const release = roles(menuTemplate({ isDev: false, isMac: false }));
    expect(release).not.toContain('reload');
    expect(release).not.toContain('forceReload');
    expect(release).not.toContain('toggleDevTools');
    const dev = roles(menuTemplate({ isDev: true, isMac: false }));
    expect(dev).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('has the macOS application menu on macOS only', () => {
    expect(roles(menuTemplate({ isDev: false, isMac: true }))).toContain('appMenu');
    expect(roles(menuTemplate({ isDev: false, isMac: false }))).not.toContain('appMenu');
  });
});
