import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { handleInvoke, registerIpc } from '../../../main/electron/ipc';
import { EventBus } from '../../../main/transport/event-bus';
import { EVENT_CHANNEL, INVOKE_CHANNEL, SettingsSchema } from '../../../shared/contract';
import { FakeBrowserWindow, FakeFrame } from '../../fixtures/fake-electron';
import { fakeHandlers } from '../../fixtures/handlers';

vi.mock('electron', async () =>
  (await import('../../fixtures/fake-electron')).fakeElectronModule(),
);

function setup() {
  const window = new FakeBrowserWindow({});
  const handlers = fakeHandlers();
  const getWindow = () => window as unknown as BrowserWindow;
  const fromFrame = (frame: FakeFrame | null, sender: unknown = window.webContents) =>
    ({ sender, senderFrame: frame }) as unknown as IpcMainInvokeEvent;
  return { window, handlers, getWindow, fromFrame };
}

describe('the IPC invoke handler', () => {
  it('runs the operation for the app page in the main frame of the window', async () => {
    const { window, handlers, getWindow, fromFrame } = setup();
    const result = await handleInvoke(
      { handlers, getWindow },
      fromFrame(window.webContents.mainFrame),
      'app.info',
      {},
    );
    expect(result).toEqual({
      ok: true,
      value: { name: 'ScaleDesk', version: '9.9.9', mode: 'desktop', platform: 'linux' },
    });
    expect(handlers['app.info']).toHaveBeenCalledOnce();
  });

  it('refuses input that fails its schema with INVALID_INPUT, without calling the service', async () => {
    const { window, handlers, getWindow, fromFrame } = setup();
    const result = await handleInvoke(
      { handlers, getWindow },
      fromFrame(window.webContents.mainFrame),
      'process.setReplicas',
      { namespace: 'shop', app: 'shop', process: 'web', replicas: 'four' },
    );
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'replicas must be a whole number from 0 to 100; got "four"',
      },
    });
    expect(handlers['process.setReplicas']).not.toHaveBeenCalled();
  });

  it('refuses an unknown operation with INVALID_INPUT', async () => {
    const { window, handlers, getWindow, fromFrame } = setup();
    const result = await handleInvoke(
      { handlers, getWindow },
      fromFrame(window.webContents.mainFrame),
      'cluster.delete',
      {},
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it.each([
    ['a subframe of the window', () => new FakeFrame('app://scaledesk/', 1, 2)],
    ['the main frame showing another site', () => new FakeFrame('https://evil.example/', 1, 1)],
    ['the main frame showing a file', () => new FakeFrame('file:///tmp/page.html', 1, 1)],
    ['no frame at all (it was destroyed)', () => null],
  ])('refuses %s with SENDER_REFUSED, without calling the service', async (_name, frame) => {
    const { window, handlers, getWindow, fromFrame } = setup();
    const sender = frame();
    if (sender && sender.routingId === 1) window.webContents.mainFrame = sender;
    const result = await handleInvoke({ handlers, getWindow }, fromFrame(sender), 'app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'SENDER_REFUSED' } });
    expect(handlers['app.info']).not.toHaveBeenCalled();
  });

  it('refuses another window’s page, even one showing the app', async () => {
    const { handlers, getWindow, fromFrame } = setup();
    const other = new FakeBrowserWindow({});
    const result = await handleInvoke(
      { handlers, getWindow },
      fromFrame(other.webContents.mainFrame, other.webContents),
      'app.info',
      {},
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'SENDER_REFUSED' } });
    expect(handlers['app.info']).not.toHaveBeenCalled();
  });

  it('refuses everything once the window is gone', async () => {
    const { window, handlers, fromFrame } = setup();
    const result = await handleInvoke(
      { handlers, getWindow: () => null },
      fromFrame(window.webContents.mainFrame),
      'app.info',
      {},
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'SENDER_REFUSED' } });
  });

  it('checks the sender before the input: a foreign frame with bad input is refused as a sender', async () => {
    const { handlers, getWindow, fromFrame } = setup();
    const result = await handleInvoke(
      { handlers, getWindow },
      fromFrame(new FakeFrame('https://evil.example/', 9, 9)),
      'process.setReplicas',
      { replicas: -1 },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'SENDER_REFUSED' } });
  });

  it('returns a service failure as its typed error', async () => {
    const { window, handlers, getWindow, fromFrame } = setup();
    const result = await handleInvoke(
      { handlers, getWindow },
      fromFrame(window.webContents.mainFrame),
      'apps.list',
      {},
    );
    expect(result).toEqual({
      ok: false,
      error: { code: 'NOT_CONNECTED', message: 'apps.list: not connected.' },
    });
  });
});

describe('registerIpc', () => {
  it('handles the invoke channel and forwards every bus event to the window', async () => {
    const { window, handlers, getWindow, fromFrame } = setup();
    const registered = new Map<string, (...args: unknown[]) => unknown>();
    const ipcMain = {
      handle: (channel: string, listener: (...args: unknown[]) => unknown) =>
        registered.set(channel, listener),
      removeHandler: (channel: string) => registered.delete(channel),
    } as unknown as IpcMain;
    const bus = new EventBus();
    const unregister = registerIpc({ ipcMain, handlers, bus, getWindow });

    const invoke = registered.get(INVOKE_CHANNEL)!;
    await expect(
      invoke(fromFrame(window.webContents.mainFrame), 'app.info', {}),
    ).resolves.toMatchObject({ ok: true });

    const activity = {
      id: 'a1',
      at: '2026-01-01T00:00:00Z',
      context: 'sandbox',
      namespace: 'shop',
      app: 'shop',
      process: 'web',
      kind: 'replicas' as const,
      from: 2,
      to: 4,
      result: 'done' as const,
      message: null,
      command: 'kubectl scale …',
      undoOf: null,
    };
    bus.emit('activity', activity);
    expect(window.webContents.sent).toEqual([
      [EVENT_CHANNEL, { event: 'activity', payload: activity }],
    ]);

    unregister();
    bus.emit('activity', activity);
    expect(window.webContents.sent).toHaveLength(1);
    expect(registered.has(INVOKE_CHANNEL)).toBe(false);
  });

  it('drops events while the window is closed', () => {
    const { handlers } = setup();
    const ipcMain = { handle: vi.fn(), removeHandler: vi.fn() } as unknown as IpcMain;
    const bus = new EventBus();
    registerIpc({ ipcMain, handlers, bus, getWindow: () => null });
    expect(() => bus.emit('settings', SettingsSchema.parse({}))).not.toThrow();
  });
});
