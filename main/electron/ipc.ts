import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import type { EventBus } from '../transport/event-bus';
import { dispatch, type Handlers } from '../transport/dispatch';
import { outboundResult } from '../transport/redaction';
import { isAppUrl } from './protocol';

/**
 * The desktop transport of the contract: one invoke channel, one event channel. Before any
 * work, an invocation must come from the main frame of our window showing our own app://
 * page; anything else (an iframe, another window, a page navigated elsewhere) is refused with
 * SENDER_REFUSED and reaches no service. Input is then validated by dispatch().
 */

export function isAppFrame(event: IpcMainInvokeEvent, window: BrowserWindow | null): boolean {
  if (!window || window.isDestroyed()) return false;
  const contents = window.webContents;
  const frame = event.senderFrame;
  if (event.sender !== contents || frame === null) return false;
  const mainFrame = contents.mainFrame;
  const isMainFrame =
    frame === mainFrame ||
    (frame.processId === mainFrame.processId && frame.routingId === mainFrame.routingId);
  return isMainFrame && isAppUrl(frame.url);
}

export interface IpcOptions {
  ipcMain: IpcMain;
  handlers: Handlers;
  bus: EventBus;
  /** The window whose page may call; looked up on each call, it may be re-created. */
  getWindow: () => BrowserWindow | null;
}

export function handleInvoke(
  options: Pick<IpcOptions, 'handlers' | 'getWindow'>,
  event: IpcMainInvokeEvent,
  operation: unknown,
  input: unknown,
): Promise<Result<unknown>> {
  if (!isAppFrame(event, options.getWindow())) {
    // Not through dispatch, so through its exit: the sender's URL may carry userinfo.
    return Promise.resolve(
      outboundResult({
        ok: false,
        error: {
          code: 'SENDER_REFUSED',
          message: 'Refused: only the ScaleDesk window may call ScaleDesk operations.',
          details: { senderUrl: event.senderFrame?.url ?? null },
        },
      }),
    );
  }
  return dispatch(options.handlers, operation, input);
}

/** Wires both channels; returns what undoes it. */
export function registerIpc(options: IpcOptions): () => void {
  options.ipcMain.handle(INVOKE_CHANNEL, (event, operation: unknown, input: unknown) =>
    handleInvoke(options, event, operation, input),
  );
  const offBus = options.bus.onAny((event, payload) => {
    const window = options.getWindow();
    if (!window || window.isDestroyed() || window.webContents.isDestroyed()) return;
    window.webContents.send(EVENT_CHANNEL, { event, payload });
  });
  return () => {
    options.ipcMain.removeHandler(INVOKE_CHANNEL);
    offBus();
  };
}
