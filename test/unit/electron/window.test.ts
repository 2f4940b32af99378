import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createMainWindow,
  hardenWebContents,
  restorableState,
  WINDOW_STATE_KEY,
} from '../../../main/electron/window';
import type { KeyValueStore } from '../../../main/store/key-value-store';
import {
  FakeBrowserWindow,
  FakeWebContents,
  fakeEvent,
  fakeFrameNavigation,
  screen,
  shell,
} from '../../fixtures/fake-electron';

vi.mock('electron', async () =>
  (await import('../../fixtures/fake-electron')).fakeElectronModule(),
);

function memoryStore(initial: Record<string, unknown> = {}): KeyValueStore {
  const data = new Map(Object.entries(initial));
  return {
    get: (key) => data.get(key),
    set: (key, value) => void data.set(key, value),
    delete: (key) => void data.delete(key),
    path: ':memory:',
  };
}

beforeEach(() => {
  FakeBrowserWindow.created = [];
  shell.openExternal.mockClear();
  screen.workAreas = [{ x: 0, y: 0, width: 1920, height: 1080 }];
});

describe('the main window', () => {
  it('is created isolated, sandboxed, without Node, with web security and no experiments', () => {
    createMainWindow({
      store: memoryStore(),
      preloadPath: '/app/dist/main/preload.cjs',
      isDev: false,
    });
    const [window] = FakeBrowserWindow.created;
    expect(window?.options.webPreferences).toMatchObject({
      preload: '/app/dist/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(window?.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
  });

  it('loads the renderer from the app:// protocol, not from file://', () => {
    createMainWindow({ store: memoryStore(), preloadPath: '/p.cjs', isDev: false });
    expect(FakeBrowserWindow.created[0]?.loadedUrl).toBe('app://scaledesk/');
  });

  it('has the developer tools only in development', () => {
    createMainWindow({ store: memoryStore(), preloadPath: '/p.cjs', isDev: true });
    createMainWindow({ store: memoryStore(), preloadPath: '/p.cjs', isDev: false });
    const [dev, release] = FakeBrowserWindow.created;
    expect(dev?.options.webPreferences).toMatchObject({ devTools: true });
    expect(release?.options.webPreferences).toMatchObject({ devTools: false });
  });

  it('reopens where it was closed, maximised if it was', () => {
    const store = memoryStore({
      [WINDOW_STATE_KEY]: { x: 100, y: 50, width: 1000, height: 700, maximized: true },
    });
    createMainWindow({ store, preloadPath: '/p.cjs', isDev: false });
    const [window] = FakeBrowserWindow.created;
    expect(window?.options).toMatchObject({ x: 100, y: 50, width: 1000, height: 700 });
    expect(window?.maximized).toBe(true);
  });

  it('remembers its size and position when closed', () => {
    const store = memoryStore();
    createMainWindow({ store, preloadPath: '/p.cjs', isDev: false });
    const window = FakeBrowserWindow.created[0]!;
    window.normalBounds = { x: 30, y: 40, width: 1100, height: 750 };
    window.emit('close');
    expect(store.get(WINDOW_STATE_KEY)).toEqual({
      x: 30,
      y: 40,
      width: 1100,
      height: 750,
      maximized: false,
    });
  });

  it('reloads its page when the page is gone, rather than staying blank', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    createMainWindow({ store: memoryStore(), preloadPath: '/p.cjs', isDev: false });
    const window = FakeBrowserWindow.created[0]!;
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(window.webContents.reload).toHaveBeenCalledTimes(1);
    expect(window.webContents.listenerCount('unresponsive')).toBe(1);
    vi.mocked(console.error).mockRestore();
  });

  it('opens on the primary display when the saved position is on a display that is gone', () => {
    const store = memoryStore({
      [WINDOW_STATE_KEY]: { x: 2500, y: 100, width: 1000, height: 700, maximized: false },
    });
    createMainWindow({ store, preloadPath: '/p.cjs', isDev: false });
    expect(FakeBrowserWindow.created[0]?.options).not.toHaveProperty('x');
  });
});

describe('restorableState', () => {
  const primary = { x: 0, y: 0, width: 1920, height: 1080 };
  const state = { x: 100, y: 100, width: 1000, height: 700, maximized: false };

  it('keeps a window that is on a display', () => {
    expect(restorableState(state, [primary])).toEqual(state);
  });

  it('keeps a window on a second display left of the primary one', () => {
    const left = { x: -1600, y: 0, width: 1600, height: 900 };
    expect(restorableState({ ...state, x: -1200 }, [primary, left])).toEqual({
      ...state,
      x: -1200,
    });
  });

  it('drops a window whose title bar would be above or below every display', () => {
    expect(restorableState({ ...state, y: -300 }, [primary])).toBeUndefined();
    expect(restorableState({ ...state, y: 1070 }, [primary])).toBeUndefined();
  });

  it('drops a window with only a sliver on screen', () => {
    expect(restorableState({ ...state, x: 1900 }, [primary])).toBeUndefined();
  });

  it('ignores a saved value that is not a window state', () => {
    expect(restorableState('big', [primary])).toBeUndefined();
    expect(restorableState({ ...state, width: 10 }, [primary])).toBeUndefined();
  });
});

describe('the page', () => {
  it('cannot navigate the window anywhere, and an https link goes to the system browser', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never);
    const toSite = fakeEvent();
    contents.emit('will-navigate', toSite, 'https://kubernetes.io/docs/');
    expect(toSite.defaultPrevented).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledWith('https://kubernetes.io/docs/');

    const toFile = fakeEvent();
    contents.emit('will-navigate', toFile, 'file:///etc/passwd');
    expect(toFile.defaultPrevented).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);

    const toApp = fakeEvent();
    contents.emit('will-navigate', toApp, 'app://scaledesk/other.html');
    expect(toApp.defaultPrevented).toBe(true);
  });

  it('cannot navigate any frame; only a main-frame https link goes to the system browser', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never);
    const main = fakeFrameNavigation('https://kubernetes.io/docs/', true);
    contents.emit('will-frame-navigate', main);
    expect(main.defaultPrevented).toBe(true);
    expect(shell.openExternal.mock.calls).toEqual([['https://kubernetes.io/docs/']]);

    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://scaledesk/x.html']) {
      const inFrame = fakeFrameNavigation(url, false);
      contents.emit('will-frame-navigate', inFrame);
      expect(inFrame.defaultPrevented).toBe(true);
    }
    const toFile = fakeFrameNavigation('file:///etc/passwd', true);
    contents.emit('will-frame-navigate', toFile);
    expect(toFile.defaultPrevented).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('cannot open windows; https links open in the system browser, others nowhere', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never);
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({
      action: 'deny',
    });
    expect(contents.windowOpenHandler?.({ url: 'http://example.org/' })).toEqual({
      action: 'deny',
    });
    expect(contents.windowOpenHandler?.({ url: 'app://scaledesk/' })).toEqual({ action: 'deny' });
    expect(shell.openExternal.mock.calls).toEqual([['https://example.org/']]);
  });

  it('cannot attach a webview', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never);
    const attach = fakeEvent();
    contents.emit('will-attach-webview', attach, {}, {});
    expect(attach.defaultPrevented).toBe(true);
  });

  it('cannot be redirected off the app', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never);
    const redirect = fakeEvent();
    contents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.defaultPrevented).toBe(true);
  });
});
