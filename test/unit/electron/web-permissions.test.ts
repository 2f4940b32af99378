import type { Session } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { denyPermissions, isPermissionGranted } from '../../../main/electron/web-permissions';

vi.mock('electron', async () =>
  (await import('../../fixtures/fake-electron')).fakeElectronModule(),
);

function fakeSession() {
  const handlers: Record<string, (...args: never[]) => unknown> = {};
  const session = {
    setPermissionRequestHandler: (h: never) => (handlers.request = h),
    setPermissionCheckHandler: (h: never) => (handlers.check = h),
    setDevicePermissionHandler: (h: never) => (handlers.device = h),
    setDisplayMediaRequestHandler: (h: never) => (handlers.displayMedia = h),
  };
  return {
    session: session as unknown as Session,
    handlers: handlers as Record<string, (...args: unknown[]) => unknown>,
  };
}

describe('permissions', () => {
  it.each([
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'openExternal',
    'fullscreen',
    'hid',
    'usb',
  ])('denies a request for %s, even from the app page', (permission) => {
    const { session, handlers } = fakeSession();
    denyPermissions(session);
    const callback = vi.fn();
    handlers.request?.({}, permission, callback, { requestingUrl: 'app://scaledesk/' });
    expect(callback).toHaveBeenCalledWith(false);
    expect(handlers.check?.({}, permission, 'app://scaledesk', {})).toBe(false);
  });

  it('lets only the app page write text to the clipboard', () => {
    expect(isPermissionGranted('clipboard-sanitized-write', 'app://scaledesk/')).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(isPermissionGranted('clipboard-read', 'app://scaledesk/')).toBe(false);
  });

  it('denies devices and screen capture', () => {
    const { session, handlers } = fakeSession();
    denyPermissions(session);
    expect(handlers.device?.({})).toBe(false);
    const callback = vi.fn();
    handlers.displayMedia?.({}, callback);
    expect(callback).toHaveBeenCalledWith({});
  });
});
