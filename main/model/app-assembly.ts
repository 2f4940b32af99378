import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import {
  COMPONENT_LABEL,
  WORKSPACE_COMPONENT,
  appId,
  type App,
  type EndpointHealth,
  type Permissions,
  type PodRoom,
  type Process,
} from '../../shared/app-model';
import { appStatus } from '../../shared/app-status';
import { lastChangeOf } from './last-change';
import { procfileOrder, processOf, type ProcessContext } from './process-model';

/**
 * One App of the contract, assembled from its Deployments and their pods: the processes in
 * Procfile order with the workspace apart, the app's memory, status and last change, and what the
 * rest of the model knows of its namespace.
 */

/** What building an app needs from the rest of the model, per namespace or app. */
export interface CatalogContext extends ProcessContext {
  podRoom(namespace: string): PodRoom;
  permissions(namespace: string): Permissions;
  endpoint(appId: string): EndpointHealth | null;
}

/** The app's maximum memory: every replica's limit, the workspace's included (DOMAIN.md). */
export function memoryMaxBytes(processes: readonly Process[], workspace: Process | null): number {
  let total = 0;
  for (const process of [...processes, ...(workspace ? [workspace] : [])]) {
    total += process.memoryLimit.bytes * process.replicas.desired;
  }
  return total;
}

/** Memory in use: the sum over processes and workspace; null where nothing was measured. */
export function memoryUsedBytes(
  processes: readonly Process[],
  workspace: Process | null,
): number | null {
  let total = 0;
  let known = false;
  for (const process of [...processes, ...(workspace ? [workspace] : [])]) {
    if (process.memoryUsedBytes === null) continue;
    total += process.memoryUsedBytes;
    known = true;
  }
  return known ? total : null;
}

/** One App of the contract from its Deployments and their pods. */
export function buildApp(
  namespace: string,
  name: string,
  deployments: readonly V1Deployment[],
  podsOf: (deployment: V1Deployment) => readonly V1Pod[],
  context: CatalogContext,
): App {
  const id = appId(namespace, name);
  const ordered = [...deployments].sort(procfileOrder);
  const workspaceDeployment = ordered.find(
    (d) => d.metadata?.labels?.[COMPONENT_LABEL] === WORKSPACE_COMPONENT,
  );
  const processes = ordered
    .filter((d) => d !== workspaceDeployment)
    .map((d) => processOf(d, podsOf(d), context));
  const workspace = workspaceDeployment
    ? processOf(workspaceDeployment, podsOf(workspaceDeployment), context)
    : null;
  let lastRestartAt: string | null = null;
  for (const process of [...processes, ...(workspace ? [workspace] : [])]) {
    if (
      process.lastRestartAt &&
      (lastRestartAt === null || process.lastRestartAt > lastRestartAt)
    ) {
      lastRestartAt = process.lastRestartAt;
    }
  }
  return {
    id,
    namespace,
    name,
    processes,
    workspace,
    memory: {
      usedBytes: memoryUsedBytes(processes, workspace),
      maxBytes: memoryMaxBytes(processes, workspace),
    },
    status: appStatus(processes, workspace),
    permissions: context.permissions(namespace),
    podRoom: context.podRoom(namespace),
    endpoint: context.endpoint(id),
    lastRestartAt,
    lastChangeAt: lastChangeOf(deployments, podsOf),
  };
}
