import type { V1Container, V1ManagedFieldsEntry } from '@kubernetes/client-node';
import { RESTARTED_AT_ANNOTATION, type Pod, type WorkloadKind } from '../../shared/app-model';
import { formatBytes, plural } from '../../shared/format';
import { OOM_AFTER_CHANGE } from '../../shared/undo-offer';
import { processContainerIndex } from '../../shared/process-container';
import { rolloutOf, waitingForCluster } from '../../shared/rollout';
import { quantityBytes } from '../model/memory-limits';
import type { ChangeTarget } from '../store/activity-records';
import type { WorkloadObject } from '../model/workload';
import { countSetter, managerWords, type CountOwners } from './count-setter';
import { replicasIn } from './replicas';
import { workersIn } from './workers';

/**
 * The judgement of one change on the workloads it touched, and its wording: whether each has what
 * the change set (or what replaced it, and who set that), whether its rollout is done, and the
 * new pods that show it cannot succeed. Pure: the follower (rollout-progress.ts) and the reads of
 * the cluster (follow-from-cluster.ts) feed it what they found.
 */

export interface TrackedWorkload {
  process: string;
  kind: WorkloadKind;
  /** The workload's name (the process's `deployment`, whatever its kind). */
  deployment: string;
  /** The workload's metadata.generation our write produced, where the answer said. */
  generation: number | null;
  /** The replicas our write set (a scale answer carries no generation: this shows it landed). */
  replicas: number | null;
  /** Pods that existed when the change was sent: failures are looked for in the others. */
  podsBefore: ReadonlySet<string>;
}

export type Verdict =
  | { state: 'waiting'; progress: number; message: string }
  /** The copy read does not show the change: the model lags, or a later change replaced it. */
  | { state: 'not-shown'; progress: 0; message: string }
  | { state: 'complete' }
  | { state: 'failed'; message: string }
  | { state: 'superseded'; message: string };

/** What to look for on a workload: what the operation tracked and what the entry logged. */
function expectation(tracked: TrackedWorkload, target: ChangeTarget | undefined): ChangeTarget {
  const replicas = target?.replicas ?? tracked.replicas ?? undefined;
  return {
    process: tracked.process,
    kind: tracked.kind,
    deployment: tracked.deployment,
    ...(replicas === undefined ? {} : { replicas }),
    ...(target?.workers === undefined ? {} : { workers: target.workers }),
    ...(target?.restartedAt === undefined ? {} : { restartedAt: target.restartedAt }),
    ...(target?.memoryLimit === undefined ? {} : { memoryLimit: target.memoryLimit }),
  };
}

/** The process's container in the pod template: the one the model reads and ScaleDesk sets. */
function processContainer(workload: WorkloadObject): V1Container | undefined {
  const containers = workload.spec?.template?.spec?.containers ?? [];
  return containers[processContainerIndex(containers)];
}

/**
 * Where the container's own memory limit is not the one the change set: what it is instead.
 * Compared as bytes (the model's reading), so `1024Mi` where `1Gi` was set is still ours.
 */
function memoryLimitInstead(workload: WorkloadObject, target: ChangeTarget): string | null {
  if (target.memoryLimit === undefined) return null;
  const now = processContainer(workload)?.resources?.limits?.['memory'] ?? null;
  if (quantityBytes(now) === quantityBytes(target.memoryLimit)) return null;
  return now === null
    ? `${target.process} now has no memory limit of its own`
    : `${target.process} now has a memory limit of ${now} per replica`;
}

/** `fields[key]` of a managedFields entry's fieldsV1, where it is an object. */
function fieldSet(fields: unknown, key: string): unknown {
  return typeof fields === 'object' && fields !== null
    ? (fields as Record<string, unknown>)[key]
    : undefined;
}

function ownsMemoryLimit(entry: V1ManagedFieldsEntry, container: string): boolean {
  const path = [
    'f:spec',
    'f:template',
    'f:spec',
    'f:containers',
    `k:${JSON.stringify({ name: container })}`,
    'f:resources',
    'f:limits',
    'f:memory',
  ];
  return path.reduce<unknown>(fieldSet, entry.fieldsV1) !== undefined;
}

function timeOf(entry: V1ManagedFieldsEntry): number {
  const time = entry.time === undefined ? Number.NaN : new Date(entry.time).getTime();
  return Number.isNaN(time) ? 0 : time;
}

/**
 * Who set the container's memory limit that replaced ours, from the workload's managedFields
 * (a read from the cluster has them; the watches drop them): its newest manager. ScaleDesk's own
 * later change, or no managedFields, is "a later change" (null), as for workers.
 */
function memoryLimitSetter(workload: WorkloadObject): string | null {
  const container = processContainer(workload)?.name;
  if (!container) return null;
  let newest: V1ManagedFieldsEntry | null = null;
  for (const entry of workload.metadata?.managedFields ?? []) {
    if (!ownsMemoryLimit(entry, container)) continue;
    if (newest === null || timeOf(entry) >= timeOf(newest)) newest = entry;
  }
  return managerWords(newest?.manager ?? '');
}

/** Where the workload does not have what the change set: what it has instead; else null. */
export function differsFrom(workload: WorkloadObject, target: ChangeTarget): string | null {
  const name = target.process;
  if (target.replicas !== undefined) {
    const now = replicasIn(workload);
    if (now !== target.replicas) return `${name} now has ${plural(now, 'replica')}`;
  }
  if (target.workers !== undefined) {
    const now = workersIn(workload);
    if (now !== target.workers) {
      return now === null
        ? `${name} now has no worker count set (gunicorn's default)`
        : `${name} now runs ${plural(now, 'worker')}`;
    }
  }
  if (target.restartedAt !== undefined) {
    const now = workload.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION];
    if (now !== target.restartedAt) {
      return now ? `${name} was restarted again (at ${now})` : `${name}'s pod template was changed`;
    }
  }
  return memoryLimitInstead(workload, target);
}

/** `deployment`, `statefulset`: a workload's kind as the admin's kubectl names it. */
export function kindWord(kind: WorkloadKind): string {
  return kind.toLowerCase();
}

/** The kind of a logged target's workload: an entry logged without one was of a Deployment. */
export function kindOf(target: ChangeTarget): WorkloadKind {
  return target.kind ?? 'Deployment';
}

/**
 * One workload after our write. `fresh`: read from the cluster after the write was answered,
 * so a value other than ours was set after it (superseded); a copy from the watch may just not
 * have caught up (not-shown), unless its generation is already past our write's.
 */
export function rolloutVerdict(
  workload: WorkloadObject | undefined | null,
  tracked: TrackedWorkload,
  target?: ChangeTarget,
  fresh = false,
  owners: CountOwners = { autoscaler: null, managedBy: null },
): Verdict {
  const name = tracked.process;
  if (!workload) {
    return { state: 'failed', message: `The ${kindWord(tracked.kind)} of ${name} was deleted.` };
  }
  const reached =
    tracked.generation === null || (workload.metadata?.generation ?? 0) >= tracked.generation;
  const expected = expectation(tracked, target);
  const instead = differsFrom(workload, expected);
  if (instead !== null) {
    if (fresh || (tracked.generation !== null && reached)) {
      const now = replicasIn(workload);
      // Who set it is said where the count (count-setter.ts) or the memory limit is what changed
      // and it is known.
      const setter =
        expected.replicas !== undefined && now !== expected.replicas
          ? countSetter(now, workload.metadata?.managedFields, owners)
          : memoryLimitInstead(workload, expected) !== null
            ? memoryLimitSetter(workload)
            : null;
      return {
        state: 'superseded',
        message: `Superseded by ${setter ?? 'a later change'}: ${instead}.`,
      };
    }
    return { state: 'not-shown', progress: 0, message: waitingForCluster(name) };
  }
  if (!reached) return { state: 'waiting', progress: 0, message: waitingForCluster(name) };
  const rollout = rolloutOf(workload, name, tracked.kind);
  switch (rollout.state) {
    case 'complete':
      return { state: 'complete' };
    case 'failed':
      return { state: 'failed', message: rollout.message };
    case 'progressing':
      return { state: 'waiting', progress: rollout.progress, message: rollout.message };
  }
}

const IMAGE_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName']);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError']);

/**
 * A new pod that shows the change cannot succeed: image, crash loop, memory limit. One OOMKill
 * is enough: a replica that passed its limit once will again under the same load, and the admin
 * should hear it from the change that caused it (with Undo), not from a pager later.
 */
export function podFailure(process: string, pods: readonly Pod[]): string | null {
  for (const pod of pods) {
    const waiting = pod.waitingReason;
    if (pod.lastTermination?.reason === 'OOMKilled') {
      const limit = pod.memoryLimitBytes === null ? '' : ` of ${formatBytes(pod.memoryLimitBytes)}`;
      const loop = waiting === 'CrashLoopBackOff' ? ' and is restarting in a loop' : '';
      return `${OOM_AFTER_CHANGE}: ${process}'s new pod ${pod.name} was stopped by its memory limit${limit}${loop}.`;
    }
    if (waiting && IMAGE_REASONS.has(waiting)) {
      return `${process} cannot start: the cluster cannot pull its image (${waiting} on ${pod.name}).`;
    }
    if (waiting && CONFIG_REASONS.has(waiting)) {
      return `${process} cannot start: its container cannot be created (${waiting} on ${pod.name}).`;
    }
    if (waiting === 'CrashLoopBackOff') {
      const exit = pod.lastTermination?.exitCode;
      return `${process} is crash-looping: the new pod ${pod.name} keeps exiting${exit === null || exit === undefined ? '' : ` (exit code ${exit})`}.`;
    }
  }
  return null;
}

/** The verdicts of several workloads, as one: the first failure, else waiting, else the rest. */
export type Combined =
  | { state: 'failed' | 'superseded'; message: string }
  | { state: 'waiting'; progress: number; message: string; notShown: boolean }
  | { state: 'complete' };

export function combine(verdicts: readonly Verdict[]): Combined {
  let waiting: { progress: number; message: string } | null = null;
  let notShown = false;
  let superseded: string | null = null;
  let progressSum = 0;
  for (const verdict of verdicts) {
    switch (verdict.state) {
      case 'failed':
        return verdict;
      case 'not-shown':
      case 'waiting':
        notShown ||= verdict.state === 'not-shown';
        progressSum += verdict.progress;
        waiting ??= verdict;
        break;
      case 'superseded':
        superseded ??= verdict.message;
        progressSum += 1;
        break;
      case 'complete':
        progressSum += 1;
    }
  }
  if (waiting) {
    const progress = progressSum / Math.max(1, verdicts.length);
    return { state: 'waiting', progress, message: waiting.message, notShown };
  }
  if (superseded !== null) return { state: 'superseded', message: superseded };
  return { state: 'complete' };
}
