import type { App, BrowserWindow } from 'electron';

/**
 * One ScaleDesk at a time: two would write the same settings file and watch the same cluster
 * twice. A second launch focuses the first window and quits. Returns false in the second one.
 */
export function claimSingleInstance(app: App, getWindow: () => BrowserWindow | null): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const window = getWindow();
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  return true;
}
