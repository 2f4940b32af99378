import { BrowserWindow, screen, type Rectangle, type WebContents } from 'electron';
import { z } from 'zod';
import type { KeyValueStore } from '../store/key-value-store';
import { openExternalIfSafe } from './external-links';
import { APP_URL, isAppUrl } from './protocol';
import { recoverFromRendererFailures } from './renderer-recovery';

/** The one window of the app: its options, where it opens, and what its page may not do. */

export const WINDOW_STATE_KEY = 'window.state';
const DEFAULT_SIZE = { width: 1280, height: 820 };
const MIN_SIZE = { minWidth: 900, minHeight: 600 };

export const WindowStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(MIN_SIZE.minWidth),
  height: z.number().int().min(MIN_SIZE.minHeight),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

/**
 * The saved bounds, where at least a usable part of the window (the title bar's width and
 * height enough to grab it) would fall on a display that is there now; else undefined and the
 * window opens centred on the primary display. A monitor unplugged since must not leave the
 * window somewhere nobody can see.
 */
export function restorableState(saved: unknown, workAreas: Rectangle[]): WindowState | undefined {
  const parsed = WindowStateSchema.safeParse(saved);
  if (!parsed.success) return undefined;
  const state = parsed.data;
  const visible = workAreas.some((area) => {
    const overlapWidth =
      Math.min(state.x + state.width, area.x + area.width) - Math.max(state.x, area.x);
    const titleBarOnScreen = state.y >= area.y && state.y + 40 <= area.y + area.height;
    return overlapWidth >= 100 && titleBarOnScreen;
  });
  return visible ? state : undefined;
}

/**
 * Applied to every WebContents the app creates: the page can neither navigate away from the
 * app, in its main frame or in any frame within it, nor open windows, nor embed a webview. A
 * link to an https page goes to the system browser instead.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openExternalIfSafe(url);
  });
  // Emitted before will-navigate, for every frame; cancelled here, a main-frame navigation
  // never reaches will-navigate, so its link goes to the system browser from here. A frame's
  // own navigation opens nothing: it may come from no click of the admin.
  contents.on('will-frame-navigate', (details) => {
    details.preventDefault();
    if (details.isMainFrame) openExternalIfSafe(details.url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfSafe(url);
    return { action: 'deny' };
  });
}

export interface MainWindowOptions {
  store: KeyValueStore;
  preloadPath: string;
  isDev: boolean;
}

export function createMainWindow({ store, preloadPath, isDev }: MainWindowOptions): BrowserWindow {
  const state = restorableState(
    store.get(WINDOW_STATE_KEY),
    screen.getAllDisplays().map((display) => display.workArea),
  );
  // One literal, not built elsewhere: security scanners (electronegativity) read it here.
  const window = new BrowserWindow({
    ...(state
      ? { x: state.x, y: state.y, width: state.width, height: state.height }
      : DEFAULT_SIZE),
    ...MIN_SIZE,
    title: 'ScaleDesk',
    show: false,
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // A middle click would ask for a new window; denied anyway, but never even asked.
      disableBlinkFeatures: 'Auxclick',
      safeDialogs: true,
      spellcheck: false,
      devTools: isDev,
    },
  });
  if (state?.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  recoverFromRendererFailures(window);

  // The normal (not maximised) bounds are what a restore needs; written when the window closes
  // rather than on every pixel of a drag.
  window.on('close', () => {
    const bounds = window.getNormalBounds();
    store.set(WINDOW_STATE_KEY, {
      x: Math.round(bounds.x),
      y: Math.round(bounds.y),
      width: Math.max(MIN_SIZE.minWidth, Math.round(bounds.width)),
      height: Math.max(MIN_SIZE.minHeight, Math.round(bounds.height)),
      maximized: window.isMaximized(),
    } satisfies WindowState);
  });

  void window.loadURL(APP_URL);
  return window;
}
