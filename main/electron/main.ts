import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EventBus } from '../transport/event-bus';
import { createServices, type Services } from '../services';
import { createElectronStore } from './electron-store';
import { registerIpc } from './ipc';
import { installMenu } from './menu';
import { denyPermissions } from './web-permissions';
import { registerAppScheme, serveAppScheme } from './protocol';
import { claimSingleInstance } from './single-instance';
import { createMainWindow, hardenWebContents } from './window';

/**
 * The desktop app's entry (bundled to dist/main/main.cjs). Glue only: it builds the services
 * (main/services.ts), hands their handlers to the IPC transport, and opens the window. Every
 * decision worth testing lives in the modules it wires.
 */

let mainWindow: BrowserWindow | null = null;
const getWindow = () => mainWindow;

// Both must precede 'ready'. The sandbox for every renderer the app has, not only the window
// created with `sandbox: true`: a WebContents made any other way is sandboxed all the same.
app.enableSandbox();
registerAppScheme();

if (claimSingleInstance(app, getWindow)) {
  // Every WebContents, including any the page might get created, gets the same guards.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  start().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    dialog.showErrorBox('ScaleDesk could not start', message);
    app.exit(1);
  });
}

/** `--kubeconfig PATH` and `--context NAME`, as in browser mode; Chromium's own switches pass. */
function commandLineOptions(): { kubeconfigPath?: string; context?: string } {
  const { values } = parseArgs({
    args: process.argv.slice(app.isPackaged ? 1 : 2),
    options: { kubeconfig: { type: 'string' }, context: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  return {
    ...(typeof values.kubeconfig === 'string' && {
      kubeconfigPath: path.resolve(values.kubeconfig),
    }),
    ...(typeof values.context === 'string' && { context: values.context }),
  };
}

async function start(): Promise<void> {
  await app.whenReady();
  const isDev = !app.isPackaged;
  denyPermissions(session.defaultSession);
  // main.cjs and preload.cjs sit in dist/main, the renderer in dist/renderer.
  serveAppScheme(path.join(__dirname, '..', 'renderer'));
  installMenu({ isDev, isMac: process.platform === 'darwin' });

  const store = createElectronStore();
  const bus = new EventBus();
  const services = await createServices({
    store,
    bus,
    mode: 'desktop',
    version: app.getVersion(),
    ...commandLineOptions(),
  });
  registerIpc({ ipcMain, handlers: services.handlers, bus, getWindow });
  stopServicesBeforeQuit(services);

  const openWindow = () => {
    mainWindow = createMainWindow({
      store,
      preloadPath: path.join(__dirname, 'preload.cjs'),
      isDev,
    });
    mainWindow.on('closed', () => (mainWindow = null));
  };
  openWindow();
  app.on('activate', () => mainWindow ?? openWindow()); // macOS: the dock icon reopens it
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

/** Watches and timers stop before the process goes; a hung cluster gets 5 seconds, no more. */
function stopServicesBeforeQuit(services: Services): void {
  let stopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5_000));
    Promise.race([services.stop(), timeout])
      .catch((error: unknown) => console.error('ScaleDesk: stopping failed', error))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
}
