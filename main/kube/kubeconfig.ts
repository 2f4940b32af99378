import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  KubeConfig,
  type ApiConstructor,
  type ApiType,
  type RequestContext,
  type User,
} from '@kubernetes/client-node';
import type { Context } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { isNamespaceName, NAMESPACE_NAME_RULE } from '../../shared/kube-names';
import { withoutUserinfo } from '../transport/redaction';
import { markCredentialPluginFailure } from './cluster-errors';
import type { Credential } from './exec-credential';
import type { CredentialCache } from './credential-cache';
import {
  credentialCacheOf,
  observeAnswers,
  refusalRetrying,
  userWithCredential,
} from './kubeconfig-credentials';
import { retryingApiClient } from './request-retry';

/**
 * Reading kubeconfig files as kubectl does: the explicit path if given, else every path of
 * `KUBECONFIG` (missing ones skipped, as kubectl skips them), else `~/.kube/config`. Each file is
 * parsed by client-node (so exec plugins, OIDC, client certificates and tokens keep working), then
 * merged with kubectl's rule: the first file to define a name or a current-context wins.
 * client-node's own `loadFromDefault` throws on a name defined twice and lets the last file's
 * current-context win, which is not what an admin with several files expects.
 */

export interface KubeconfigLocation {
  explicitPath?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * The files to watch for a fresh login: those {@link kubeconfigPaths} reads, and also those that
 * do not exist yet (a KUBECONFIG entry, ~/.kube/config before the first login).
 */
export function kubeconfigWatchPaths(location: KubeconfigLocation = {}): string[] {
  if (location.explicitPath) return [path.resolve(location.explicitPath)];
  const fromEnv = (location.env ?? process.env)['KUBECONFIG'];
  if (fromEnv && fromEnv.length > 0) {
    return [...new Set(fromEnv.split(path.delimiter).filter((p) => p.length > 0))].map((p) =>
      path.resolve(p),
    );
  }
  return [path.join(location.home ?? os.homedir(), '.kube', 'config')];
}

/** The files to read, in merge order; empty where there is no kubeconfig at all. */
export function kubeconfigPaths(location: KubeconfigLocation = {}): string[] {
  if (location.explicitPath) return [path.resolve(location.explicitPath)];
  const env = location.env ?? process.env;
  const fromEnv = env['KUBECONFIG'];
  if (fromEnv && fromEnv.length > 0) {
    const unique = [...new Set(fromEnv.split(path.delimiter).filter((p) => p.length > 0))];
    return unique.map((p) => path.resolve(p)).filter((p) => fs.existsSync(p));
  }
  const home = location.home ?? os.homedir();
  const defaultPath = path.join(home, '.kube', 'config');
  return fs.existsSync(defaultPath) ? [defaultPath] : [];
}

function loadOne(file: string): KubeConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'the file does not exist'
        : (error as Error).message;
    throw new ScaleDeskError('KUBECONFIG', `Cannot read the kubeconfig ${file}: ${reason}.`, {
      file,
      problem: reason,
    });
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
    if (text.trim().length > 0 && (kc.clusters === undefined || kc.contexts === undefined)) {
      throw new Error('it is not a kubeconfig (no clusters, users or contexts)');
    }
    kc.makePathsAbsolute(path.dirname(file));
  } catch (error) {
    const problem = (error as Error).message.split('\n')[0] ?? String(error);
    throw new ScaleDeskError('KUBECONFIG', `The kubeconfig ${file} is malformed: ${problem}`, {
      file,
      problem,
    });
  }
  return kc;
}

/** Reads and merges the files; throws KUBECONFIG naming the file and the problem. */
export function loadKubeconfig(paths: readonly string[]): KubeConfig {
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: '' });
  for (const file of paths) {
    const kc = loadOne(file);
    if (!merged.currentContext && kc.currentContext) merged.currentContext = kc.currentContext;
    for (const cluster of kc.clusters ?? []) {
      if (!merged.clusters.some((c) => c.name === cluster.name)) merged.clusters.push(cluster);
    }
    for (const user of kc.users ?? []) {
      if (!merged.users.some((u) => u.name === user.name)) merged.users.push(user);
    }
    for (const context of kc.contexts ?? []) {
      if (!merged.contexts.some((c) => c.name === context.name)) merged.contexts.push(context);
    }
  }
  return merged;
}

/** Every context with the cluster, server, user and default namespace it names. */
export function listContexts(kc: KubeConfig): Context[] {
  return kc.getContexts().map((ctx) => ({
    name: ctx.name,
    cluster: ctx.cluster,
    // A user and password in the server URL are credentials, not the cluster's address.
    server: withoutUserinfo(kc.getCluster(ctx.cluster)?.server ?? ''),
    user: ctx.user,
    namespace: ctx.namespace ?? null,
  }));
}

/** The password of a URL's userinfo (`https://user:password@host`), decoded; none: null. */
function userinfoPassword(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const { password } = new URL(url);
    return password ? decodeURIComponent(password) : null;
  } catch {
    return null;
  }
}

/** The auth-provider config keys that hold a credential (`id-token`, `client-secret`...). */
const SECRET_CONFIG_KEY = /token|secret|password|key/i;

/**
 * Every credential value a kubeconfig holds: tokens, passwords (of users, and in server and proxy
 * URLs), client keys and certificates, the env values handed to exec plugins, the secrets of auth
 * providers. redaction.ts is given them (rememberSecrets) so that a message quoting one bare,
 * without a `token=` before it, does not carry it to the renderer.
 */
export function kubeconfigSecrets(kc: KubeConfig): string[] {
  const secrets: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string' && value.length > 0) secrets.push(value);
  };
  for (const user of kc.users ?? []) {
    add(user.token);
    add(user.password);
    add(user.keyData);
    add(user.certData);
    const exec: unknown = user.exec;
    const env = (exec as { env?: unknown } | null | undefined)?.env;
    if (Array.isArray(env)) for (const entry of env) add((entry as { value?: unknown })?.value);
    const config = (user.authProvider as { config?: unknown } | null | undefined)?.config;
    if (typeof config === 'object' && config !== null) {
      for (const [key, value] of Object.entries(config)) {
        if (SECRET_CONFIG_KEY.test(key)) add(value);
      }
    }
  }
  for (const cluster of kc.clusters ?? []) {
    add(userinfoPassword(cluster.server));
    add(userinfoPassword(cluster.proxyUrl));
  }
  return secrets;
}

function usesCredentialPlugin(user: User | null): boolean {
  if (!user) return false;
  const provider = user.authProvider as { name?: unknown; config?: { exec?: unknown } } | undefined;
  return Boolean(user.exec) || provider?.name === 'exec' || Boolean(provider?.config?.exec);
}

/**
 * A KubeConfig that applies the credentials of exec plugins and OIDC itself (credential-cache.ts:
 * once per lifetime, single flight, back-off after a failure) instead of client-node's
 * authenticators, and marks a plugin's failures as such (cluster-errors.ts), for client-node
 * reports one as a bare Error of its stderr. These methods are the ones every client-node
 * request goes through: applyToFetchOptions (Watch, Metrics) calls applyToHTTPSOptions;
 * applySecurityAuthentication serves the typed API clients.
 */
class PluginAwareKubeConfig extends KubeConfig {
  /** The credential being applied, seen by client-node through getCurrentUser. */
  private applying: Credential | null = null;

  /** The credential each typed API request was sent with, for a 401 to renew it once. */
  private readonly sentWith = new WeakMap<
    RequestContext,
    { cache: CredentialCache; credential: Credential }
  >();

  /**
   * Typed API clients send through the retrying library (request-retry.ts: 429 and 503), over
   * one that renews a credential refused with 401 once (kubeconfig-credentials.ts).
   */
  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    return retryingApiClient(this, apiClientType, { inner: refusalRetrying(this) });
  }

  appliedTo(request: RequestContext): { cache: CredentialCache; credential: Credential } | null {
    return this.sentWith.get(request) ?? null;
  }

  /**
   * The user without its plugin (client-node must not run it), carrying the credential being
   * applied. client-node reads the user synchronously within each apply call, which is when
   * `applying` is set.
   */
  override getCurrentUser(): User | null {
    const user = super.getCurrentUser();
    if (!user || !credentialCacheOf(user)) return user;
    return userWithCredential(user, this.applying);
  }

  override async applyToFetchOptions(
    opts: Parameters<KubeConfig['applyToFetchOptions']>[0],
  ): ReturnType<KubeConfig['applyToFetchOptions']> {
    return this.marking(() => super.applyToFetchOptions(opts));
  }

  override async applyToHTTPSOptions(
    opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0],
  ): Promise<void> {
    return this.marking(async () => {
      const watch = await this.withCredential(() => super.applyToHTTPSOptions(opts));
      watch(opts.agent);
    });
  }

  override async applySecurityAuthentication(
    context: Parameters<KubeConfig['applySecurityAuthentication']>[0],
  ): Promise<void> {
    return this.marking(async () => {
      const watch = await this.withCredential(() => super.applySecurityAuthentication(context));
      watch(context.getAgent(), context);
    });
  }

  /**
   * Obtains the credential (from its cache), applies it, and returns how to follow the answers
   * to the request it is applied to (a 401 refuses it).
   */
  private async withCredential(
    apply: () => Promise<void>,
  ): Promise<(agent: unknown, request?: RequestContext) => void> {
    const cache = credentialCacheOf(super.getCurrentUser());
    const credential = cache ? await cache.get() : null;
    this.applying = credential;
    let applied: Promise<void>;
    try {
      applied = apply();
    } finally {
      this.applying = null;
    }
    await applied;
    return (agent, request) => {
      if (!cache || !credential) return;
      observeAnswers(agent, (status) => cache.answered(credential, status));
      if (request) this.sentWith.set(request, { cache, credential });
    };
  }

  private async marking<T>(apply: () => Promise<T>): Promise<T> {
    try {
      return await apply();
    } catch (error) {
      if (usesCredentialPlugin(super.getCurrentUser())) markCredentialPluginFailure(error);
      throw error;
    }
  }
}

/**
 * A kubeconfig of its own for one context, so a session never sees another session switch the
 * current context under it. Throws NOT_FOUND or KUBECONFIG where the context cannot be used.
 */
export function kubeConfigForContext(
  kc: KubeConfig,
  contextName: string,
  paths: readonly string[],
): KubeConfig {
  const context = kc.getContextObject(contextName);
  const where = paths.length > 0 ? paths.join(', ') : 'the kubeconfig';
  if (!context) {
    throw new ScaleDeskError('NOT_FOUND', `There is no context "${contextName}" in ${where}.`, {
      context: contextName,
    });
  }
  if (!kc.getCluster(context.cluster)) {
    throw new ScaleDeskError(
      'KUBECONFIG',
      `The context "${contextName}" names the cluster "${context.cluster}", which ${where} does not define.`,
      { file: where, problem: `cluster "${context.cluster}" is missing`, context: contextName },
    );
  }
  if (context.user && !kc.getUser(context.user)) {
    throw new ScaleDeskError(
      'KUBECONFIG',
      `The context "${contextName}" names the user "${context.user}", which ${where} does not define.`,
      { file: where, problem: `user "${context.user}" is missing`, context: contextName },
    );
  }
  const own = new PluginAwareKubeConfig();
  own.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users,
    contexts: kc.contexts,
    currentContext: contextName,
  });
  return own;
}

/**
 * The namespace a context sets in the kubeconfig, else `default` (as kubectl). It goes into URL
 * paths like any other: one that is no namespace name (`..` would be another path) is refused,
 * as kubectl refuses it.
 */
export function contextNamespace(merged: KubeConfig, context: string, paths: string[]): string {
  const own = merged.getContextObject(context)?.namespace;
  if (!own) return 'default';
  if (isNamespaceName(own)) return own;
  throw new ScaleDeskError(
    'KUBECONFIG',
    `The context "${context}" in ${paths.join(', ')} sets the namespace ${JSON.stringify(own)}, which is not a namespace name. ${NAMESPACE_NAME_RULE}`,
    { file: paths.join(', '), problem: 'invalid namespace' },
  );
}
