import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The built renderer (dist/renderer) as both transports serve it: the desktop app through its
 * app:// protocol and browser mode over HTTP. One place decides which file a URL path names,
 * refuses any path that would leave the renderer folder, and sets the security headers, so the
 * two transports cannot drift apart.
 */

/**
 * No inline script, no eval, nothing fetched from anywhere but the app itself. Inline styles
 * stay forbidden too: React's `style` props go through the CSSOM, which the policy allows.
 * connect-src 'self' also covers the same-origin WebSocket of browser mode (CSP level 3).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every response of either transport, files and API alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `rootDir` that a URL path names, or null where the path is malformed or would
 * escape the folder (`..`, encoded `%2e%2e`, backslashes, NUL bytes, absolute paths).
 * `/` names index.html.
 */
export function resolveRendererPath(rootDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  // A backslash is a separator on Windows and never part of a file name we ship.
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (!decoded.startsWith('/')) decoded = `/${decoded}`;
  // Refuse rather than normalise: a URL with `..` in it is never one the renderer made.
  if (decoded.split('/').some((segment) => segment === '..')) return null;
  const relative = decoded === '/' || decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const root = path.resolve(rootDir);
  const candidate = path.resolve(root, `.${relative}`);
  const fromRoot = path.relative(root, candidate);
  if (fromRoot === '' || fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) return null;
  return candidate;
}

export interface RendererFileResponse {
  status: 200 | 400 | 404;
  headers: Record<string, string>;
  body: Buffer;
}

/** Reads the file a URL path names, with the headers to send it with. Never throws. */
export async function readRendererFile(
  rootDir: string,
  urlPath: string,
): Promise<RendererFileResponse> {
  const filePath = resolveRendererPath(rootDir, urlPath);
  if (filePath === null) return textResponse(400, 'Bad path.');
  try {
    if (!(await stat(filePath)).isFile()) return textResponse(404, 'Not found.');
    const body = await readFile(filePath);
    return {
      status: 200,
      headers: {
        ...SECURITY_HEADERS,
        'Content-Type': contentTypeOf(filePath),
        // Vite names assets by content hash; the page itself must be fetched anew each time.
        'Cache-Control': filePath.endsWith('.html') ? 'no-cache' : 'max-age=31536000, immutable',
      },
      body,
    };
  } catch {
    return textResponse(404, 'Not found.');
  }
}

function textResponse(status: 400 | 404, text: string): RendererFileResponse {
  return {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
    body: Buffer.from(text),
  };
}
