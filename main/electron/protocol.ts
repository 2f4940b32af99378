import { protocol } from 'electron';
import { readRendererFile } from '../transport/renderer-files';

/**
 * The renderer is served from app://scaledesk/, not file://: a standard, secure scheme gives
 * the page a real origin of its own (so the CSP's 'self' and the IPC sender check mean
 * something) and lets main answer every request with the security headers.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'scaledesk';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/`;

/** Must run before the app is ready. corsEnabled stays off: no other origin may read app://. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    },
  ]);
}

/** Whether a URL is a page or file of the app itself. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Answers app:// requests with files of the built renderer. Anything but a GET of our own host
 * is refused; paths that would leave the renderer folder are refused by readRendererFile.
 */
export function createAppProtocolHandler(rendererDir: string) {
  return async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed.', { status: 405 });
    }
    if (!isAppUrl(request.url)) return new Response('Not found.', { status: 404 });
    const file = await readRendererFile(rendererDir, new URL(request.url).pathname);
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.body), {
      status: file.status,
      headers: file.headers,
    });
  };
}

/** After ready: serve the app scheme. */
export function serveAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
}
