import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { TOKEN_PROTOCOL_PREFIX } from '../../shared/browser-mode-access';

/**
 * Who may talk to the browser-mode server. It listens on loopback, but any web page the admin
 * visits can make the browser send requests there, so every request must prove:
 * - its Host header is the loopback address and our port (a DNS-rebinding page would send its
 *   own host name);
 * - it comes from our own origin (Origin header, Sec-Fetch-Site) and not another site's page;
 * - for an operation or the event stream, it carries the access token printed with the URL, in
 *   `Authorization: Bearer` or (WebSocket handshake only) a subprotocol. Never a cookie: a
 *   cookie for 127.0.0.1 goes to every port of it (shared/browser-mode-access.ts).
 * The renderer's files need no token: they are the public build, with no secret in them, and
 * a browser navigating to the page cannot add a header anyway.
 */

export function createAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

export type AccessRefusal =
  | { status: 401; reason: 'token-missing' | 'token-wrong' }
  | { status: 403; reason: 'host' | 'origin' | 'cross-site' };

export interface AccessPolicy {
  port: number;
  token: string;
}

/** The hosts a loopback browser tab can use to reach us. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * Checks Host and Origin: null where the request may go on to the token check. The origin must
 * be the one of the host the request was sent to, exactly.
 */
export function checkOrigin(
  policy: AccessPolicy,
  headers: IncomingHttpHeaders,
): AccessRefusal | null {
  const host = headers.host;
  if (host === undefined || !allowedHosts(policy.port).includes(host)) {
    return { status: 403, reason: 'host' };
  }
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return { status: 403, reason: 'origin' };
  // Browsers send this on every request; a subresource of another site's page (even another
  // port of 127.0.0.1, which is the same site) says cross-site or same-site.
  const fetchSite = headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return { status: 403, reason: 'cross-site' };
  }
  return null;
}

/** Where a request may present the token: a WebSocket handshake also has its subprotocols. */
export type Channel = 'http' | 'websocket';

/** The token the request presents, or null where it presents none. */
export function presentedToken(headers: IncomingHttpHeaders, channel: Channel): string | null {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    // Some other scheme is a wrong token, not a missing one.
    return match?.[1] ?? '';
  }
  if (channel === 'websocket') {
    for (const protocol of (headers['sec-websocket-protocol'] ?? '').split(',')) {
      const trimmed = protocol.trim();
      if (trimmed.startsWith(TOKEN_PROTOCOL_PREFIX)) {
        return trimmed.slice(TOKEN_PROTOCOL_PREFIX.length);
      }
    }
  }
  return null;
}

/** Constant-time: both sides are hashed to the same length before the comparison. */
export function tokenMatches(expected: string, presented: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(presented));
}

/** The full check of an operation or of the event stream's handshake. */
export function checkAccess(
  policy: AccessPolicy,
  headers: IncomingHttpHeaders,
  channel: Channel,
): AccessRefusal | null {
  const originRefusal = checkOrigin(policy, headers);
  if (originRefusal) return originRefusal;
  const token = presentedToken(headers, channel);
  if (token === null) return { status: 401, reason: 'token-missing' };
  if (!tokenMatches(policy.token, token)) return { status: 401, reason: 'token-wrong' };
  return null;
}

export function refusalMessage(refusal: AccessRefusal): string {
  switch (refusal.reason) {
    case 'token-missing':
      return 'This browser tab has no ScaleDesk access token: open the URL that "npm run web" printed.';
    case 'token-wrong':
      return 'The access token is not this server\'s: open the URL that "npm run web" printed.';
    case 'host':
      return 'Refused: ScaleDesk answers only to 127.0.0.1 or localhost on its own port.';
    case 'origin':
    case 'cross-site':
      return 'Refused: requests from other sites are not allowed.';
  }
}
