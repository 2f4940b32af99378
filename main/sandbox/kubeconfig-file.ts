import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXEC_CONTEXT, EXEC_USER, execPluginUser } from './exec-plugin';

/**
 * The kubeconfig a client needs to reach the sandbox: one cluster with the CA embedded
 * (certificate-authority-data, so TLS is verified), the users `admin`, `viewer` and `view` with their
 * bearer tokens, and the contexts `sandbox` (admin, current), `sandbox-viewer` and `sandbox-view`.
 * With an exec plugin (exec-plugin.ts), also the user `exec-plugin`, who runs it, and its context
 * `sandbox-exec`.
 */
export const ADMIN_CONTEXT = 'sandbox';
export const VIEWER_CONTEXT = 'sandbox-viewer';
/** User `view`: the rights of the real `view` ClusterRole (authorization.ts). */
export const VIEW_CONTEXT = 'sandbox-view';
export const SANDBOX_CLUSTER = 'sandbox';
export const DEFAULT_NAMESPACE = 'demo';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  tokens: { admin: string; viewer: string; view: string };
  /** The exec credential plugin the user of `sandbox-exec` runs (exec-plugin.ts); none: no such context. */
  execScriptPath?: string;
}

/**
 * The kubeconfig as client-node's `exportConfig()` writes it, field for field. Written here
 * rather than through client-node's KubeConfig, which would bring the whole client (some 900 KB)
 * into the sandbox's bundle, dist/main/sandbox.cjs, for one JSON object.
 */
function kubeconfigDocument(input: KubeconfigInput): object {
  const context = (name: string, user: string) => ({
    name,
    context: { name, cluster: SANDBOX_CLUSTER, user, namespace: DEFAULT_NAMESPACE },
  });
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: SANDBOX_CLUSTER,
        cluster: {
          server: input.server,
          'certificate-authority-data': Buffer.from(input.caPem).toString('base64'),
          'insecure-skip-tls-verify': false,
        },
      },
    ],
    users: [
      { name: 'admin', user: { token: input.tokens.admin } },
      { name: 'viewer', user: { token: input.tokens.viewer } },
      { name: 'view', user: { token: input.tokens.view } },
      ...(input.execScriptPath ? [execPluginUser(input.execScriptPath)] : []),
    ],
    contexts: [
      context(ADMIN_CONTEXT, 'admin'),
      context(VIEWER_CONTEXT, 'viewer'),
      context(VIEW_CONTEXT, 'view'),
      ...(input.execScriptPath ? [context(EXEC_CONTEXT, EXEC_USER)] : []),
    ],
    preferences: {},
    'current-context': ADMIN_CONTEXT,
  };
}

/** Writes the kubeconfig (JSON, which is YAML too and what client-node exports), owner-only. */
export function writeKubeconfigFile(path: string, input: KubeconfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(kubeconfigDocument(input)) + '\n', { mode: 0o600 });
}
