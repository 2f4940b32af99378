import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import {
  PROCFILE_INDEX_ANNOTATION,
  REPLICAS_BEFORE_STOP_ANNOTATION,
  RESTARTED_AT_ANNOTATION,
  type Pod,
  type Process,
} from '../../shared/app-model';
import { knownWorkerCount, parseWorkers } from '../../shared/gunicorn-workers';
import { containerCommand, processContainerIndex } from '../../shared/process-container';
import { procfileLine } from '../../shared/procfile';
import { rolloutOf } from '../../shared/rollout';
import type { Autoscaler } from '../../shared/count-owner';
import { managedByOf } from './gitops';
import { podMemorySpec, processMemoryLimit } from './memory-limits';
import { objectKey } from '../kube/object-key';
import type { Workload } from './workload';

/**
 * A process of the contract from its workload (a Deployment or a StatefulSet) and pods, named as
 * its app names it (app-grouping's processNames), the pods as the contract shows them, and the
 * Procfile order the processes of an app are listed in.
 */

/** What a process needs from the rest of the model. */
export interface ProcessContext {
  /** The LimitRange default memory of the namespace; null where none. */
  limitDefault(namespace: string): number | null;
  /** The LimitRange default memory request; absent or null: its default limit (as the API server fills it in). */
  limitDefaultRequest?(namespace: string): number | null;
  /** Memory in use by the pod (`namespace/name`), where metrics have it. */
  memory(podKey: string): number | undefined;
  /** The autoscaler that sets the workload's count (model/autoscalers.ts); absent: none known. */
  autoscaler?(kind: string, namespace: string, name: string): Autoscaler | null;
}

function isoOf(value: Date | string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return String(value);
}

function terminationOf(status: V1ContainerStatus): Pod['lastTermination'] {
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  if (!terminated) return null;
  return {
    reason: terminated.reason ?? (terminated.exitCode === 0 ? 'Completed' : 'Error'),
    exitCode: terminated.exitCode ?? null,
    finishedAt: isoOf(terminated.finishedAt),
  };
}

export function podOf(pod: V1Pod, memoryBytes: number | null): Pod {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  let waitingReason: string | null = null;
  let lastTermination: Pod['lastTermination'] = null;
  let restarts = 0;
  for (const status of statuses) {
    restarts += status.restartCount ?? 0;
    waitingReason ??= status.state?.waiting?.reason ?? null;
    lastTermination ??= terminationOf(status);
  }
  return {
    name: pod.metadata?.name ?? '',
    node: pod.spec?.nodeName ?? null,
    memoryLimitBytes: podMemorySpec(pod).limitBytes,
    phase: pod.status?.phase ?? 'Unknown',
    ready,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    restarts,
    waitingReason,
    lastTermination,
    memoryBytes,
    createdAt: isoOf(pod.metadata?.creationTimestamp),
  };
}

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return null;
  const value = Number(text);
  return value > 0 ? value : null;
}

export function processOf(
  workload: Workload,
  name: string,
  pods: readonly V1Pod[],
  context: ProcessContext,
): Process {
  const { kind, object } = workload;
  const namespace = object.metadata?.namespace ?? '';
  const containers = object.spec?.template?.spec?.containers ?? [];
  const containerIndex = processContainerIndex(containers);
  const container = containers[containerIndex];
  const { command, args, env } = containerCommand(container ?? {});
  const argv = [...command, ...args];
  const workers = argv.length > 0 ? parseWorkers(argv, env) : null;
  const modelPods = pods
    .map((pod) => podOf(pod, context.memory(objectKey(pod)) ?? null))
    .sort((a, b) => a.name.localeCompare(b.name));
  let used = 0;
  let measured = 0;
  for (const pod of modelPods) {
    if (pod.memoryBytes === null) continue;
    used += pod.memoryBytes;
    measured++;
  }
  const memoryUsedBytes = measured > 0 ? used : null;
  // Only where the count is known: a config file's count is not guessed (gunicorn-workers.ts).
  const workerCount = workers ? knownWorkerCount(workers) : null;
  const memoryPerWorkerBytes =
    workerCount !== null && memoryUsedBytes !== null
      ? memoryUsedBytes / measured / workerCount
      : null;
  const status = object.status ?? {};
  const rollout = rolloutOf(object, undefined, kind);
  const limitDefault = context.limitDefault(namespace);
  return {
    name,
    workloadKind: kind,
    deployment: object.metadata?.name ?? '',
    command: procfileLine(argv),
    resourceVersion: object.metadata?.resourceVersion ?? '',
    replicas: {
      desired: object.spec?.replicas ?? 1,
      ready: status.readyReplicas ?? 0,
      updated: status.updatedReplicas ?? 0,
      available: status.availableReplicas ?? 0,
    },
    replicasBeforeStop: positiveInt(
      object.metadata?.annotations?.[REPLICAS_BEFORE_STOP_ANNOTATION],
    ),
    pods: modelPods,
    workers,
    memoryLimit: processMemoryLimit({
      template: object.spec?.template?.spec,
      containerIndex,
      pods,
      namespace: {
        limitBytes: limitDefault,
        requestBytes: context.limitDefaultRequest?.(namespace) ?? limitDefault,
      },
      rollingOut: rollout.state !== 'complete',
    }),
    memoryUsedBytes,
    memoryPerWorkerBytes,
    rollout,
    lastRestartAt: object.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION] ?? null,
    autoscaler: context.autoscaler?.(kind, namespace, object.metadata?.name ?? '') ?? null,
    managedBy: managedByOf(object.metadata),
  };
}

/**
 * Procfile order: the procfile-index annotation where set, else web first, then by process name
 * (`names`: each workload's process name in its app, app-grouping's processNames).
 */
export function procfileOrder(
  names: ReadonlyMap<Workload, string>,
): (a: Workload, b: Workload) => number {
  const index = ({ object }: Workload) => {
    const text = object.metadata?.annotations?.[PROCFILE_INDEX_ANNOTATION];
    const value = text === undefined ? Number.NaN : Number(text);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  const name = (workload: Workload) => names.get(workload) ?? '';
  return (a, b) => {
    const byIndex = index(a) - index(b);
    if (byIndex !== 0 && !Number.isNaN(byIndex)) return byIndex;
    const webA = name(a) === 'web' ? 0 : 1;
    const webB = name(b) === 'web' ? 0 : 1;
    if (webA !== webB) return webA - webB;
    return name(a).localeCompare(name(b));
  };
}
