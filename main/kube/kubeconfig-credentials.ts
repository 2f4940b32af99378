import type { ClientRequest, IncomingMessage } from 'node:http';
import {
  IsomorphicFetchHttpLibrary,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
  type User,
} from '@kubernetes/client-node';
import { rememberSecrets } from '../transport/redaction';
import { sharedCredentialCache, type CredentialCache } from './credential-cache';
import { execConfigOf, runExecPlugin, type Credential } from './exec-credential';
import { oidcConfigOf, oidcCredential } from './oidc-credential';

/**
 * What the KubeConfig of kubeconfig.ts needs to apply credentials of its own instead of
 * client-node's authenticators: the cache for a user's plugin or OIDC login, the user as
 * client-node should see it (the credential in place of the plugin, so client-node never runs
 * it), and the answers to requests sent with it (a 401 means the credential was refused).
 */

/** The credential cache of a user who logs in through an exec plugin or OIDC; else null. */
export function credentialCacheOf(user: User | null): CredentialCache | null {
  if (!user) return null;
  const exec = execConfigOf(user);
  if (exec) {
    return sharedCredentialCache(`exec:${JSON.stringify(exec)}`, () =>
      remembered(runExecPlugin(exec)),
    );
  }
  const oidc = oidcConfigOf(user);
  if (oidc) {
    return sharedCredentialCache(`oidc:${JSON.stringify(oidc)}`, () =>
      remembered(oidcCredential(oidc)),
    );
  }
  return null;
}

/** A fresh credential is a secret like those in the kubeconfig: never quoted to the renderer. */
async function remembered(obtaining: Promise<Credential>): Promise<Credential> {
  const credential = await obtaining;
  const values = [credential.token, credential.clientKeyData, credential.clientCertificateData];
  rememberSecrets(values.filter((v): v is string => typeof v === 'string'));
  return credential;
}

/**
 * The user as client-node should apply it: no exec section or auth provider (so none of its
 * authenticators runs anything), and the credential, where one is being applied, as a plain
 * token or client certificate.
 */
export function userWithCredential(user: User, credential: Credential | null): User {
  const { exec: _exec, authProvider: _authProvider, ...plain } = user;
  if (!credential) return plain;
  const pem = (text: string) => Buffer.from(text).toString('base64');
  const cert = credential.clientCertificateData;
  const key = credential.clientKeyData;
  return {
    ...plain,
    ...(credential.token ? { token: credential.token } : {}),
    ...(cert && key
      ? { certData: pem(cert), keyData: pem(key), certFile: undefined, keyFile: undefined }
      : {}),
  };
}

/**
 * Tells `onAnswer` the HTTP status of each request made through this agent. client-node makes a
 * new agent for each request it applies credentials to, and node's ClientRequest hands itself to
 * its agent's addRequest: the one place where the API client, Watch and Metrics all pass.
 */
export function observeAnswers(agent: unknown, onAnswer: (status: number) => void): void {
  if (typeof agent !== 'object' || agent === null) return;
  const target = agent as { addRequest?: (req: ClientRequest, options: unknown) => void };
  const original = target.addRequest;
  if (typeof original !== 'function') return;
  target.addRequest = function addRequest(this: unknown, req: ClientRequest, options: unknown) {
    req.once('response', (res: IncomingMessage) => onAnswer(res.statusCode ?? 0));
    return original.call(this, req, options);
  };
}

/** What {@link refusalRetrying} needs of the KubeConfig: apply the credential to a request again. */
export interface CredentialApplier {
  applySecurityAuthentication(request: RequestContext): Promise<void>;
  /** The credential last applied to this request, and its cache; null: none of a plugin. */
  appliedTo(request: RequestContext): { cache: CredentialCache; credential: Credential } | null;
}

/**
 * The typed API's http library, sending a request refused with 401 once more with a fresh
 * credential, where the refused one carried no expiry (the server is the only one to say it
 * ended) and may be renewed at once: so a login that ended is renewed without the request
 * failing. A fresh credential refused again is not retried: that 401 is UNAUTHORIZED.
 */
export function refusalRetrying(
  kubeConfig: CredentialApplier,
  inner: HttpLibrary = new IsomorphicFetchHttpLibrary(),
): HttpLibrary {
  return wrapHttpLibrary({
    async send(request) {
      const response = await inner.send(request).toPromise();
      const applied = kubeConfig.appliedTo(request);
      const body = request.getBody();
      const resendable = body === undefined || typeof body === 'string' || Buffer.isBuffer(body);
      if (
        response.httpStatusCode !== 401 ||
        !applied ||
        !resendable ||
        !applied.cache.renewsAfterRefusal(applied.credential)
      ) {
        return response;
      }
      await response.body.text().catch(() => '');
      await kubeConfig.applySecurityAuthentication(request);
      return inner.send(request).toPromise();
    },
  });
}
