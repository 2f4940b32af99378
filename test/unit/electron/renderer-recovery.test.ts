import type { BrowserWindow } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CRASH_LOOP_MS,
  recoverFromRendererFailures,
} from '../../../main/electron/renderer-recovery';
import { app, dialog, FakeBrowserWindow } from '../../fixtures/fake-electron';

vi.mock('electron', async () =>
  (await import('../../fixtures/fake-electron')).fakeElectronModule(),
);

let clock: number;
let window: FakeBrowserWindow;

/** Lets the message boxes' promises and what follows them run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function gone(reason = 'crashed', exitCode = 139) {
  window.webContents.emit('render-process-gone', {}, { reason, exitCode });
}

beforeEach(() => {
  clock = 1_000_000;
  dialog.boxes = [];
  dialog.showMessageBox.mockClear();
  app.quit.mockClear();
  window = new FakeBrowserWindow({});
  recoverFromRendererFailures(window as unknown as BrowserWindow, { now: () => clock });
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe('a window whose page is gone', () => {
  it('logs why, reloads the page and tells the admin it did', () => {
    gone('oom', 0);
    expect(console.error).toHaveBeenCalledWith(expect.stringContaining('ran out of memory (oom'));
    expect(window.webContents.reload).toHaveBeenCalledTimes(1);
    expect(dialog.boxes).toHaveLength(1);
    expect(dialog.boxes[0]?.window).toBe(window);
    expect(dialog.boxes[0]?.options.message).toBe('The ScaleDesk window stopped and was reloaded.');
    expect(dialog.boxes[0]?.options.detail).toContain('ran out of memory');
  });

  it('reloads again after a crash more than a minute after the last reload', () => {
    gone();
    clock += CRASH_LOOP_MS;
    gone();
    expect(window.webContents.reload).toHaveBeenCalledTimes(2);
  });

  it('does not reload in a loop: gone again within a minute, the admin chooses', async () => {
    gone();
    clock += CRASH_LOOP_MS - 1;
    gone();
    gone(); // a third time while the admin is asked: still one question
    expect(window.webContents.reload).toHaveBeenCalledTimes(1);
    expect(dialog.boxes).toHaveLength(2);
    const ask = dialog.boxes[1]!;
    expect(ask.options.buttons).toEqual(['Reload', 'Quit']);

    ask.answer(0);
    await settle();
    expect(window.webContents.reload).toHaveBeenCalledTimes(2);
    expect(app.quit).not.toHaveBeenCalled();
  });

  it('quits when the admin chooses Quit after a loop', async () => {
    gone();
    gone();
    dialog.boxes[1]!.answer(1);
    await settle();
    expect(app.quit).toHaveBeenCalledTimes(1);
    expect(window.webContents.reload).toHaveBeenCalledTimes(1);
  });
});

describe('a window whose page hangs', () => {
  it('logs it and offers a reload, in a new process, which the admin may take', async () => {
    window.webContents.emit('unresponsive');
    window.webContents.emit('unresponsive'); // Electron repeats it: one question
    expect(console.error).toHaveBeenCalledWith(expect.stringContaining('not responding'));
    expect(dialog.boxes).toHaveLength(1);
    expect(dialog.boxes[0]?.options.buttons).toEqual(['Reload', 'Wait']);

    dialog.boxes[0]!.answer(0);
    await settle();
    expect(window.webContents.forcefullyCrashRenderer).toHaveBeenCalledTimes(1);
    expect(window.webContents.reload).toHaveBeenCalledTimes(1);

    // The kill that causes is no crash to announce or reload a second time.
    gone('killed', 9);
    expect(window.webContents.reload).toHaveBeenCalledTimes(1);
    expect(dialog.boxes).toHaveLength(1);
  });

  it('leaves the page alone when the admin waits', async () => {
    window.webContents.emit('unresponsive');
    dialog.boxes[0]!.answer(1);
    await settle();
    expect(window.webContents.forcefullyCrashRenderer).not.toHaveBeenCalled();
    expect(window.webContents.reload).not.toHaveBeenCalled();
  });

  it('withdraws the offer when the page responds again by itself', async () => {
    window.webContents.emit('unresponsive');
    window.webContents.emit('responsive');
    await settle();
    expect(dialog.boxes[0]?.closedBySignal).toBe(true);
    expect(window.webContents.forcefullyCrashRenderer).not.toHaveBeenCalled();
    expect(window.webContents.reload).not.toHaveBeenCalled();

    window.webContents.emit('unresponsive'); // a later hang asks anew
    expect(dialog.boxes).toHaveLength(2);
  });
});
