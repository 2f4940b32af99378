import type { Process, WorkloadKind } from './app-model';
import { quoteWord } from './procfile';

/**
 * The kubectl command that makes the same change from a terminal, shown beside every change and
 * kept in the activity log, so an admin can check what ScaleDesk did or do it without it.
 */

export interface KubectlTarget {
  /** The kubeconfig context; null leaves it to kubectl's current context. */
  context: string | null;
  namespace: string;
}

/** One JSON patch operation (RFC 6902), as `kubectl patch --type=json` takes them. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

/** The workload a command acts on: a Deployment or a StatefulSet, by name. */
export interface KubectlWorkload {
  kind: WorkloadKind;
  name: string;
}

/** The workload a process is, as the commands name it. */
export function workloadOf(process: Pick<Process, 'workloadKind' | 'deployment'>): KubectlWorkload {
  return { kind: process.workloadKind, name: process.deployment };
}

/** `deployment/web`, `statefulset/db`: kubectl's TYPE/NAME. */
function resource(workload: KubectlWorkload): string {
  return `${workload.kind.toLowerCase()}/${quoteWord(workload.name)}`;
}

function scope(target: KubectlTarget): string {
  const parts = ['-n', quoteWord(target.namespace)];
  if (target.context !== null) parts.push('--context', quoteWord(target.context));
  return parts.join(' ');
}

/** `kubectl scale deployment/web --replicas=3 -n NS --context C` (or `statefulset/db`) */
export function kubectlScale(
  target: KubectlTarget,
  workload: KubectlWorkload,
  replicas: number,
): string {
  return `kubectl scale ${resource(workload)} --replicas=${replicas} ${scope(target)}`;
}

/** `kubectl rollout restart deployment/web statefulset/db -n NS --context C` */
export function kubectlRolloutRestart(
  target: KubectlTarget,
  workloads: readonly KubectlWorkload[],
): string {
  return `kubectl rollout restart ${workloads.map(resource).join(' ')} ${scope(target)}`;
}

/** `kubectl set env deployment/web -c CONTAINER WEB_CONCURRENCY=4 -n NS --context C` */
export function kubectlSetEnv(
  target: KubectlTarget,
  workload: KubectlWorkload,
  container: string,
  variables: Record<string, string>,
): string {
  const pairs = Object.entries(variables)
    .map(([name, value]) => quoteWord(`${name}=${value}`))
    .join(' ');
  return `kubectl set env ${resource(workload)} -c ${quoteWord(container)} ${pairs} ${scope(target)}`;
}

/**
 * `kubectl set resources deployment/web -c CONTAINER --limits=memory=12Gi
 * [--requests=memory=12Gi] -n NS --context C`: a container's memory limit (and request), the
 * quantities as the admin typed them, as kubectl's own quantity parser reads them too.
 */
export function kubectlSetMemory(
  target: KubectlTarget,
  workload: KubectlWorkload,
  container: string,
  memory: { limit: string; request: string | null },
): string {
  const request =
    memory.request === null ? '' : ` ${quoteWord(`--requests=memory=${memory.request}`)}`;
  return `kubectl set resources ${resource(workload)} -c ${quoteWord(container)} ${quoteWord(`--limits=memory=${memory.limit}`)}${request} ${scope(target)}`;
}

/** `kubectl patch deployment/web --type=json -p '[...]' -n NS --context C` */
export function kubectlJsonPatch(
  target: KubectlTarget,
  workload: KubectlWorkload,
  operations: readonly JsonPatchOperation[],
): string {
  return `kubectl patch ${resource(workload)} --type=json -p ${quoteWord(JSON.stringify(operations))} ${scope(target)}`;
}

/** Several commands run one after the other, stopping at the first that fails. */
export function kubectlSequence(commands: readonly string[]): string {
  return commands.join(' && ');
}

/**
 * `kubectl patch hpa NAME --type=merge -p '{"spec":{"minReplicas":2,"maxReplicas":6}}' -n NS
 * --context C`: an autoscaler's range (count-owner.ts), `scaledobject` for KEDA's (whose fields
 * are minReplicaCount and maxReplicaCount).
 */
export function kubectlPatchAutoscaler(
  target: KubectlTarget,
  autoscaler: { kind: 'HorizontalPodAutoscaler' | 'ScaledObject'; name: string },
  range: { minReplicas: number; maxReplicas: number },
): string {
  const keda = autoscaler.kind === 'ScaledObject';
  const spec = keda
    ? { minReplicaCount: range.minReplicas, maxReplicaCount: range.maxReplicas }
    : { minReplicas: range.minReplicas, maxReplicas: range.maxReplicas };
  const type = keda ? 'scaledobject' : 'hpa';
  return `kubectl patch ${type} ${quoteWord(autoscaler.name)} --type=merge -p ${quoteWord(JSON.stringify({ spec }))} ${scope(target)}`;
}
