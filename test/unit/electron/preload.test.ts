import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type ScaleDeskBridge } from '../../../shared/contract';

const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const ipcListeners = new Map<string, Array<(event: unknown, message: unknown) => void>>();
  return {
    exposed,
    ipcListeners,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, value: 'answer' }) as unknown),
      on: (channel: string, listener: (event: unknown, message: unknown) => void) => {
        ipcListeners.set(channel, [...(ipcListeners.get(channel) ?? []), listener]);
      },
    },
  };
});

vi.mock('electron', () => ({
  contextBridge: electron.contextBridge,
  ipcRenderer: electron.ipcRenderer,
}));

let bridge: ScaleDeskBridge;
const pushEvent = (message: unknown) =>
  electron.ipcListeners.get(EVENT_CHANNEL)?.forEach((listener) => listener({}, message));

beforeAll(async () => {
  await import('../../../main/electron/preload');
  bridge = electron.exposed.get('scaledesk') as ScaleDeskBridge;
});

describe('the preload', () => {
  it('exposes exactly invoke and subscribe on window.scaledesk, and no ipcRenderer', () => {
    expect([...electron.exposed.keys()]).toEqual(['scaledesk']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
    expect(Object.values(bridge)).not.toContain(electron.ipcRenderer);
  });

  it('invokes an operation over the contract’s invoke channel', async () => {
    await expect(bridge.invoke('app.info', {})).resolves.toEqual({ ok: true, value: 'answer' });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(INVOKE_CHANNEL, 'app.info', {});
  });

  it('turns a failed IPC call into a typed error instead of a rejection', async () => {
    electron.ipcRenderer.invoke.mockRejectedValueOnce(new Error('gone'));
    await expect(bridge.invoke('app.info', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });

  it('delivers the events of the subscribed stream only, until unsubscribed', () => {
    const settings = vi.fn();
    const activity = vi.fn();
    const offSettings = bridge.subscribe('settings', settings);
    bridge.subscribe('activity', activity);
    pushEvent({ event: 'settings', payload: { theme: 'dark' } });
    pushEvent({ event: 'apps', payload: { reset: true } });
    pushEvent('garbage');
    expect(settings).toHaveBeenCalledWith({ theme: 'dark' });
    expect(activity).not.toHaveBeenCalled();

    offSettings();
    pushEvent({ event: 'settings', payload: { theme: 'light' } });
    expect(settings).toHaveBeenCalledTimes(1);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const good = vi.fn();
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    bridge.subscribe('connection', () => {
      throw new Error('view bug');
    });
    bridge.subscribe('connection', good);
    pushEvent({ event: 'connection', payload: { state: 'live' } });
    expect(good).toHaveBeenCalledOnce();
    error.mockRestore();
  });

  it('listens on the one event channel of the contract, once', () => {
    expect([...electron.ipcListeners.keys()]).toEqual([EVENT_CHANNEL]);
    expect(electron.ipcListeners.get(EVENT_CHANNEL)).toHaveLength(1);
  });
});
