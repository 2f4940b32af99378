/**
 * How a browser-mode page proves it holds the access token, agreed between the server
 * (main/web/access.ts) and the page's bridge (renderer/src/bridge.ts).
 *
 * No cookie carries it: a cookie is scoped by host, not port, so the browser would hand it to
 * every other server on 127.0.0.1. The printed URL brings the token in its fragment, which a
 * browser never sends anywhere; the page keeps it in sessionStorage (per origin, so per port)
 * and presents it itself, on each request, to this server only:
 * - an operation: `Authorization: Bearer <token>`;
 * - the event stream: a WebSocket cannot carry headers from a page, so the token travels as one
 *   of the subprotocols offered in the handshake, next to EVENTS_PROTOCOL, the one the server
 *   picks (the token is never echoed back).
 */

/** The fragment parameter of the printed URL: `http://127.0.0.1:PORT/#token=...`. */
export const TOKEN_FRAGMENT_PARAM = 'token';

/** The subprotocol of the event stream; the server answers with this one. */
export const EVENTS_PROTOCOL = 'scaledesk.events';

/**
 * Base64url, the alphabet of the tokens, is all valid in a subprotocol name (an HTTP token).
 */
export const TOKEN_PROTOCOL_PREFIX = 'scaledesk.token.';

export function tokenProtocol(token: string): string {
  return `${TOKEN_PROTOCOL_PREFIX}${token}`;
}
