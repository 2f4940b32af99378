import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * Which cluster a kubeconfig context talks to, as a short hash of its API server URL and the CA
 * it trusts. Not the context's name: two sandboxes (each makes its own CA) or two clusters that
 * happen to share a context name are different clusters, and the activity log must not show one's
 * changes, or offer to undo them, on the other. The same cluster reached through two contexts
 * (two users, say) is one cluster, which is what "what did we change there" asks about.
 */

export type ClusterIdentity = string;

const identities = new WeakMap<KubeConfig, ClusterIdentity>();

/** The CA as configured: its data, else the file's content, else nothing (system CAs). */
function caOf(cluster: { caData?: string; caFile?: string }): string {
  if (cluster.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8').trim();
  if (cluster.caFile) {
    try {
      return fs.readFileSync(cluster.caFile, 'utf8').trim();
    } catch {
      // Unreadable now: the path still tells this cluster from one with another CA file.
      return `file:${cluster.caFile}`;
    }
  }
  return '';
}

/** The identity of the current context's cluster (computed once per KubeConfig object). */
export function clusterIdentity(kubeConfig: KubeConfig): ClusterIdentity {
  const known = identities.get(kubeConfig);
  if (known !== undefined) return known;
  const cluster = kubeConfig.getCurrentCluster();
  const server = (cluster?.server ?? '').replace(/\/+$/, '');
  const hash = createHash('sha256')
    .update(server)
    .update('\n')
    .update(cluster ? caOf(cluster) : '')
    .digest('hex')
    .slice(0, 32);
  identities.set(kubeConfig, hash);
  return hash;
}
