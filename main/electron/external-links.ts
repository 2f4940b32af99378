import { shell } from 'electron';

/**
 * Links out of the app (documentation, an app's own URL) go to the system browser, never into
 * the app's window. Only plain https URLs qualify: no http, no file:, no custom schemes that
 * could start a local program, no credentials in the URL.
 */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** Opens a safe URL in the system browser; returns whether it did. */
export function openExternalIfSafe(url: string): boolean {
  if (!isSafeExternalUrl(url)) return false;
  shell.openExternal(url).catch((error: unknown) => {
    console.error('ScaleDesk: could not open a link in the system browser', error);
  });
  return true;
}
