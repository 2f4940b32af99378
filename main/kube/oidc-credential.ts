import http from 'node:http';
import https from 'node:https';
import type { User } from '@kubernetes/client-node';
import { ScaleDeskError } from '../../shared/errors';
import type { Credential } from './exec-credential';

/**
 * The `oidc` auth provider of a kubeconfig, as kubectl's: the id-token is used while its JWT `exp`
 * is ahead; after that it is refreshed with the refresh-token at the issuer's token endpoint
 * (found through its discovery document). client-node's own provider passes the issuer as a
 * string where openid-client wants a URL, so every refresh failed as `"server" must be an
 * instance of URL`, and an issuer that does not answer was reported the same way.
 */

export interface OidcConfig {
  issuer: string | null;
  clientId: string | null;
  clientSecret: string | null;
  idToken: string | null;
  refreshToken: string | null;
  /** PEM, from idp-certificate-authority-data (base64), for an issuer with its own CA. */
  ca: string | null;
}

const ISSUER_TIMEOUT_MS = 15_000;

export function oidcConfigOf(user: User): OidcConfig | null {
  const provider = user.authProvider as { name?: unknown; config?: unknown } | undefined;
  if (provider?.name !== 'oidc') return null;
  const config = (
    typeof provider.config === 'object' && provider.config !== null ? provider.config : {}
  ) as Record<string, unknown>;
  const text = (key: string) =>
    typeof config[key] === 'string' && config[key] ? (config[key] as string) : null;
  const caData = text('idp-certificate-authority-data');
  return {
    issuer: text('idp-issuer-url'),
    clientId: text('client-id'),
    clientSecret: text('client-secret'),
    idToken: text('id-token'),
    refreshToken: text('refresh-token'),
    ca: caData ? Buffer.from(caData, 'base64').toString('utf8') : null,
  };
}

/** A JWT's `exp` in epoch ms; null where the token is no JWT or says nothing. */
export function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const exp = (
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }
    ).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

function unauthorized(message: string, issuer: string | null): ScaleDeskError {
  return new ScaleDeskError('UNAUTHORIZED', message, { issuer });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The refresh token (and a client secret) go to these URLs: over https only, but for an issuer on
 * this machine (a local login helper), so that no discovery document can send them in clear text.
 */
function requireSecure(url: URL, issuer: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return;
  throw unauthorized(
    `The OIDC issuer ${issuer} would have the refresh token sent to ${url.origin}, which is not https. Log in again with an https issuer, then reconnect.`,
    issuer,
  );
}

/** One JSON request to the issuer; a network failure is UNREACHABLE naming the issuer. */
function requestJson(
  url: URL,
  issuer: string,
  ca: string | null,
  body?: URLSearchParams,
): Promise<Record<string, unknown>> {
  requireSecure(url, issuer);
  const client = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: body ? 'POST' : 'GET',
        timeout: ISSUER_TIMEOUT_MS,
        headers: {
          Accept: 'application/json',
          ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(ca ? { ca } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON: said below by its status.
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300 && typeof parsed === 'object' && parsed !== null) {
            return resolve(parsed as Record<string, unknown>);
          }
          const said = (parsed as { error_description?: unknown; error?: unknown } | null) ?? {};
          const reason = String(said.error_description ?? said.error ?? `HTTP ${status}`);
          reject(
            unauthorized(
              `The OIDC issuer ${issuer} refused to refresh the login (${reason}). Log in again, then reconnect.`,
              issuer,
            ),
          );
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      reject(
        new ScaleDeskError(
          'UNREACHABLE',
          `The OIDC issuer ${issuer} did not answer (${code}), so the expired login could not be refreshed. Check the network or VPN, or log in again.`,
          { issuer, code },
        ),
      );
    });
    req.end(body?.toString());
  });
}

/** The id-token to send: the kubeconfig's while it is good, else a refreshed one. */
export async function oidcCredential(config: OidcConfig, now = Date.now()): Promise<Credential> {
  const expiresAt = config.idToken ? jwtExpiry(config.idToken) : null;
  if (config.idToken && (expiresAt === null || expiresAt > now)) {
    return { token: config.idToken, expiresAt };
  }
  const { issuer, clientId, refreshToken } = config;
  if (!issuer || !clientId || !refreshToken) {
    throw unauthorized(
      'The OIDC login of the kubeconfig has expired, and it holds no refresh token, client id and issuer to renew it. Log in again, then reconnect.',
      issuer,
    );
  }
  let base: URL;
  try {
    base = new URL(issuer.endsWith('/') ? issuer : `${issuer}/`);
  } catch {
    throw unauthorized(`The OIDC issuer "${issuer}" in the kubeconfig is not a URL.`, issuer);
  }
  const discovery = await requestJson(
    new URL('.well-known/openid-configuration', base),
    issuer,
    config.ca,
  );
  const endpoint = discovery['token_endpoint'];
  if (typeof endpoint !== 'string') {
    throw unauthorized(`The OIDC issuer ${issuer} names no token endpoint.`, issuer);
  }
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: clientId,
  });
  if (config.clientSecret) form.set('client_secret', config.clientSecret);
  const answer = await requestJson(new URL(endpoint), issuer, config.ca, form);
  const idToken = answer['id_token'];
  if (typeof idToken !== 'string' || idToken.length === 0) {
    throw unauthorized(
      `The OIDC issuer ${issuer} answered the refresh without an id_token.`,
      issuer,
    );
  }
  const expiresIn = answer['expires_in'];
  return {
    token: idToken,
    expiresAt:
      jwtExpiry(idToken) ?? (typeof expiresIn === 'number' ? now + expiresIn * 1000 : null),
  };
}
