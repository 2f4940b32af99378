import { app, dialog, type BrowserWindow, type RenderProcessGoneDetails } from 'electron';

/**
 * What the window does when its page dies or hangs (Electron's security checklist: handle
 * `render-process-gone` and `unresponsive`). Main, the cluster connection and any change in
 * progress live on in the main process; only the page is lost, and it is reloaded rather than
 * leaving a blank window.
 */

/** A page that dies again this soon after a reload would die in a loop: the admin decides. */
export const CRASH_LOOP_MS = 60_000;

/** The `render-process-gone` that forcefullyCrashRenderer() causes, expected within this. */
const EXPECTED_KILL_MS = 10_000;

const REASONS: Readonly<Record<RenderProcessGoneDetails['reason'], string>> = {
  'clean-exit': 'its process exited',
  'abnormal-exit': 'its process exited with an error',
  killed: 'its process was killed',
  crashed: 'it crashed',
  oom: 'it ran out of memory',
  'launch-failed': 'its process could not be started',
  'integrity-failure': 'its code failed an integrity check',
  'memory-eviction': 'the system reclaimed its memory',
};

const UNHARMED =
  'ScaleDesk itself kept running: the cluster connection and any change in progress were not ' +
  'interrupted, and the activity log has every change made.';

export interface RendererRecoveryOptions {
  now?: () => number;
}

/**
 * A page that is gone is logged and reloaded, and the admin told why the window went blank;
 * gone again within CRASH_LOOP_MS, it is not reloaded by itself but the admin chooses between
 * reloading and quitting. A page that hangs is logged and the admin offered a reload (in a new
 * process, as a hung one cannot reload), an offer withdrawn if the page recovers on its own.
 */
export function recoverFromRendererFailures(
  window: BrowserWindow,
  { now = Date.now }: RendererRecoveryOptions = {},
): void {
  const contents = window.webContents;
  let lastReloadAt = -Infinity;
  let expectedKillUntil = -Infinity;
  let askingAfterLoop = false;
  let hangNotice: AbortController | undefined;

  const usable = () => !window.isDestroyed() && !contents.isDestroyed();

  contents.on('render-process-gone', (_event, details) => {
    if (!usable()) return;
    const why = REASONS[details.reason] ?? details.reason;
    console.error(
      `ScaleDesk: the window's page is gone: ${why} (${details.reason}, exit code ${details.exitCode}).`,
    );
    hangNotice?.abort();
    const at = now();
    if (at < expectedKillUntil) {
      // The admin chose to reload a hung page: this is that kill, and the reload is under way.
      expectedKillUntil = -Infinity;
      return;
    }
    if (at - lastReloadAt >= CRASH_LOOP_MS) {
      lastReloadAt = at;
      contents.reload();
      void dialog.showMessageBox(window, {
        type: 'warning',
        title: 'ScaleDesk',
        message: 'The ScaleDesk window stopped and was reloaded.',
        detail: `The page stopped because ${why}. ${UNHARMED}`,
        buttons: ['OK'],
      });
      return;
    }
    if (askingAfterLoop) return;
    askingAfterLoop = true;
    void dialog
      .showMessageBox(window, {
        type: 'error',
        title: 'ScaleDesk',
        message: 'The ScaleDesk window stopped again.',
        detail: `The page stopped because ${why}, within a minute of the last reload. ${UNHARMED}`,
        buttons: ['Reload', 'Quit'],
        defaultId: 0,
        cancelId: 1,
      })
      .then(({ response }) => {
        askingAfterLoop = false;
        if (!usable()) return;
        if (response !== 0) {
          app.quit();
          return;
        }
        lastReloadAt = now();
        contents.reload();
      });
  });

  contents.on('unresponsive', () => {
    if (!usable() || hangNotice) return;
    console.error("ScaleDesk: the window's page is not responding.");
    const notice = new AbortController();
    hangNotice = notice;
    void dialog
      .showMessageBox(window, {
        type: 'warning',
        title: 'ScaleDesk',
        message: 'The ScaleDesk window is not responding.',
        detail: `Wait for it, or reload it. ${UNHARMED}`,
        buttons: ['Reload', 'Wait'],
        defaultId: 1,
        cancelId: 1,
        // Closes the box, as if Wait were chosen, when the page recovers on its own.
        signal: notice.signal,
      })
      .then(({ response }) => {
        if (hangNotice === notice) hangNotice = undefined;
        if (response !== 0 || notice.signal.aborted || !usable()) return;
        expectedKillUntil = now() + EXPECTED_KILL_MS;
        lastReloadAt = now();
        contents.forcefullyCrashRenderer();
        contents.reload();
      });
  });

  contents.on('responsive', () => hangNotice?.abort());
}
