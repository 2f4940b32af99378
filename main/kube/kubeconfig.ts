import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Context } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';

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
    server: kc.getCluster(ctx.cluster)?.server ?? '',
    user: ctx.user,
    namespace: ctx.namespace ?? null,
  }));
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
  const own = new KubeConfig();
  own.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users,
    contexts: kc.contexts,
    currentContext: contextName,
  });
  return own;
}
