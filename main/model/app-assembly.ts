import type { V1Pod } from '@kubernetes/client-node';
import {
  DEFAULT_MEMORY_LIMIT_BYTES,
  WORKSPACE_COMPONENT,
  appId,
  type App,
  type EndpointHealth,
  type Grouping,
  type Permissions,
  type PodRoom,
  type Process,
  type WorkloadKind,
} from '../../shared/app-model';
import { appStatus } from '../../shared/app-status';
import { processNames } from './app-grouping';
import { lastChangeOf } from './last-change';
import { procfileOrder, processOf, type ProcessContext } from './process-model';
import type { Workload } from './workload';

/**
 * One App of the contract, assembled from its workloads (Deployments and StatefulSets) and their
 * pods: the processes, named uniquely (app-grouping), in Procfile order with the workspace apart,
 * the app's memory, status and last change, and what the rest of the model knows of its namespace.
 */

/** What building an app needs from the rest of the model, per namespace or app. */
export interface CatalogContext extends ProcessContext {
  podRoom(namespace: string): PodRoom;
  /** What may be changed in the namespace, for an app of these workload kinds. */
  permissions(namespace: string, kinds: readonly WorkloadKind[]): Permissions;
  endpoint(appId: string): EndpointHealth | null;
}

/**
 * A process's share of the app's maximum: the limit each of its wanted replicas really runs. The
 * newest pods (those a rollout keeps) count with their own limit, up to the replicas wanted; a
 * replica not created yet counts with what a new one would get.
 */
export function processMaxBytes(process: Process): number {
  const wanted = process.replicas.desired;
  const { bytes, next } = process.memoryLimit;
  const pods = process.pods
    .filter((pod) => !pod.terminating)
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))
    .slice(0, wanted);
  let total = 0;
  for (const pod of pods) total += pod.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
  return total + (wanted - pods.length) * (next?.bytes ?? bytes);
}

/** The app's maximum memory: every replica's limit, the workspace's included (DOMAIN.md). */
export function memoryMaxBytes(processes: readonly Process[], workspace: Process | null): number {
  let total = 0;
  for (const process of [...processes, ...(workspace ? [workspace] : [])]) {
    total += processMaxBytes(process);
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

/**
 * One App of the contract from its workloads and their pods. The workspace is the process named
 * `workspace` (its component, or what its workload's name adds to the app's).
 */
export function buildApp(
  namespace: string,
  name: string,
  groupedBy: Grouping,
  workloads: readonly Workload[],
  podsOf: (workload: Workload) => readonly V1Pod[],
  context: CatalogContext,
): App {
  const id = appId(namespace, name);
  const names = processNames(name, workloads);
  const ordered = [...workloads].sort(procfileOrder(names));
  const toProcess = (workload: Workload) =>
    processOf(workload, names.get(workload) ?? '', podsOf(workload), context);
  const workspaceWorkload = ordered.find((w) => names.get(w) === WORKSPACE_COMPONENT);
  const processes = ordered.filter((w) => w !== workspaceWorkload).map(toProcess);
  const workspace = workspaceWorkload ? toProcess(workspaceWorkload) : null;
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
    groupedBy,
    processes,
    workspace,
    memory: {
      usedBytes: memoryUsedBytes(processes, workspace),
      maxBytes: memoryMaxBytes(processes, workspace),
    },
    status: appStatus(processes, workspace),
    permissions: context.permissions(namespace, [
      ...new Set([...processes, ...(workspace ? [workspace] : [])].map((p) => p.workloadKind)),
    ]),
    podRoom: context.podRoom(namespace),
    endpoint: context.endpoint(id),
    lastRestartAt,
    lastChangeAt: lastChangeOf(workloads, podsOf),
  };
}
