import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * The kubeconfig a client needs to reach the sandbox: one cluster with the CA embedded
 * (certificate-authority-data, so TLS is verified), the users `admin` and `viewer` with their
 * bearer tokens, and the contexts `sandbox` (admin, current) and `sandbox-viewer`.
 */
export const ADMIN_CONTEXT = 'sandbox';
export const VIEWER_CONTEXT = 'sandbox-viewer';
export const SANDBOX_CLUSTER = 'sandbox';
export const DEFAULT_NAMESPACE = 'demo';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  tokens: { admin: string; viewer: string };
}

export function buildKubeConfig(input: KubeconfigInput): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: SANDBOX_CLUSTER,
        server: input.server,
        caData: Buffer.from(input.caPem).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [
      { name: 'admin', token: input.tokens.admin },
      { name: 'viewer', token: input.tokens.viewer },
    ],
    contexts: [
      {
        name: ADMIN_CONTEXT,
        cluster: SANDBOX_CLUSTER,
        user: 'admin',
        namespace: DEFAULT_NAMESPACE,
      },
      {
        name: VIEWER_CONTEXT,
        cluster: SANDBOX_CLUSTER,
        user: 'viewer',
        namespace: DEFAULT_NAMESPACE,
      },
    ],
    currentContext: ADMIN_CONTEXT,
  });
  return kc;
}

/** Writes the kubeconfig (JSON, which is YAML too and what client-node exports), owner-only. */
export function writeKubeconfigFile(path: string, input: KubeconfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, buildKubeConfig(input).exportConfig() + '\n', { mode: 0o600 });
}
