import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { oidcCredential, type OidcConfig } from '../../../main/kube/oidc-credential';

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}

const NOW = Date.parse('2030-01-01T00:00:00Z');
const inSeconds = (s: number) => Math.floor(NOW / 1000) + s;

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** An issuer on 127.0.0.1: its discovery document and a token endpoint that answers `token`. */
async function issuer(
  token: (form: URLSearchParams) => { status: number; body: object },
  tokenEndpoint?: string,
) {
  const forms: URLSearchParams[] = [];
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const base = `http://127.0.0.1:${(server?.address() as AddressInfo).port}/realm`;
      if (req.url === '/realm/.well-known/openid-configuration') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ issuer: base, token_endpoint: tokenEndpoint ?? `${base}/token` }));
        return;
      }
      const form = new URLSearchParams(text);
      forms.push(form);
      const answer = token(form);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realm`;
  return { url, forms };
}

function config(overrides: Partial<OidcConfig>): OidcConfig {
  return {
    issuer: null,
    clientId: 'scaledesk',
    clientSecret: null,
    idToken: null,
    refreshToken: 'refresh-1',
    ca: null,
    ...overrides,
  };
}

describe('an OIDC login', () => {
  it('sends the id-token while its exp is ahead, asking no one', async () => {
    const idToken = jwt({ exp: inSeconds(600) });
    expect(await oidcCredential(config({ idToken }), NOW)).toEqual({
      token: idToken,
      expiresAt: inSeconds(600) * 1000,
    });
  });

  it("refreshes an expired id-token at the issuer's token endpoint", async () => {
    const fresh = jwt({ exp: inSeconds(3600) });
    const idp = await issuer(() => ({ status: 200, body: { id_token: fresh } }));
    const credential = await oidcCredential(
      config({ issuer: idp.url, idToken: jwt({ exp: inSeconds(-5) }) }),
      NOW,
    );
    expect(credential).toEqual({ token: fresh, expiresAt: inSeconds(3600) * 1000 });
    expect(Object.fromEntries(idp.forms[0] ?? [])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: 'scaledesk',
    });
  });

  it('never sends the refresh token in clear text to a token endpoint off this machine', async () => {
    const idp = await issuer(
      () => ({ status: 200, body: { id_token: jwt({ exp: inSeconds(3600) }) } }),
      'http://idp.example.com/token',
    );
    await expect(
      oidcCredential(config({ issuer: idp.url, idToken: jwt({ exp: inSeconds(-5) }) }), NOW),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('http://idp.example.com, which is not https'),
    });
    expect(idp.forms).toHaveLength(0);
  });

  it("is UNAUTHORIZED in the issuer's words where it refuses the refresh", async () => {
    const idp = await issuer(() => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Token is not active' },
    }));
    await expect(
      oidcCredential(config({ issuer: idp.url, idToken: jwt({ exp: inSeconds(-5) }) }), NOW),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(
        `The OIDC issuer ${idp.url} refused to refresh the login (Token is not active)`,
      ),
    });
  });

  it('is UNAUTHORIZED, saying what is missing, where an expired login cannot be refreshed', async () => {
    await expect(
      oidcCredential(config({ idToken: jwt({ exp: inSeconds(-5) }), refreshToken: null }), NOW),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('holds no refresh token'),
    });
  });
});
