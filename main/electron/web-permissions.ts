import type { Session } from 'electron';
import { isAppUrl } from './protocol';

/**
 * The page needs no camera, notifications, geolocation, devices or anything else a permission
 * guards: every request and every check is denied. The one exception is writing text to the
 * clipboard from the app's own page (a "copy the kubectl command" button); reading it is not.
 */
export function isPermissionGranted(permission: string, requestingUrl: string): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl);
}

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin) =>
    isPermissionGranted(permission, requestingOrigin),
  );
  session.setDevicePermissionHandler(() => false);
  // An empty set of streams is Electron's way to refuse a screen-capture request.
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
}
