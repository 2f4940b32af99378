import type { V1Container } from '@kubernetes/client-node';
import type { App, Process } from '../../shared/app-model';
import { ScaleDeskError } from '../../shared/errors';
import { formatBytes, plural } from '../../shared/format';
import { kubectlSetMemory, workloadOf, type KubectlTarget } from '../../shared/kubectl-command';
import type { MemoryLimitPlan } from '../../shared/memory-limit-plan';
import { quantityBytes } from '../model/memory-limits';
import type { MemoryRoomFacts, QuotaMemory } from '../model/memory-room';

/**
 * The rules of a memory limit change, worked out before anything is sent: the quantity read with
 * Kubernetes' rules (client-node's parser, never by hand) and bounded, the request lowered with
 * the limit where it would pass it, the app's new maximum, whether a replica still fits on a node
 * and under the namespace quota, the pods replaced, and whether the replicas are predicted to
 * pass the new limit. `process.planMemoryLimit` shows it; `process.setMemoryLimit` refuses by it.
 */

/** The facts one plan is worked out from (read by memory-limit.ts from the session). */
export interface MemoryLimitFacts {
  app: App;
  process: Process;
  /** The process's own container in the pod template (process-container.ts picks it). */
  container: V1Container;
  /** The pod template's other containers: they keep their limits and requests. */
  others: readonly V1Container[];
  room: MemoryRoomFacts | null;
  /** The highest memory of one replica in the history kept; null: none recorded. */
  peakPerReplicaBytes: number | null;
  target: KubectlTarget;
}

function invalid(process: Process, message: string): ScaleDeskError {
  return new ScaleDeskError('INVALID_INPUT', message, { process: process.name, field: 'limit' });
}

/** The limit's bytes by client-node's parser, refused where it is not a whole positive number of bytes. */
export function memoryLimitBytes(limit: string, process: Process): number {
  const bytes = quantityBytes(limit);
  if (bytes === null) {
    // client-node's parser takes a decimal only without a unit: 1.5Gi is 1536Mi.
    throw invalid(
      process,
      `"${limit}" is not a memory quantity ScaleDesk can read: use a whole number before a unit (1536Mi rather than 1.5Gi), such as 12Gi, 512Mi or 8G.`,
    );
  }
  if (bytes <= 0) throw invalid(process, `A memory limit must be more than 0; got "${limit}".`);
  if (!Number.isInteger(bytes)) {
    throw invalid(
      process,
      `"${limit}" is ${bytes} bytes: a memory limit is a whole number of bytes.`,
    );
  }
  return bytes;
}

/** A container's own limit (or request) of memory; null: not set in the template. */
export function containerMemory(
  container: V1Container,
  field: 'limits' | 'requests',
): number | null {
  const bytes = quantityBytes(container.resources?.[field]?.['memory']);
  return bytes !== null && bytes > 0 ? bytes : null;
}

/**
 * What a replica reserves on a node: each container's request, else its limit (the API server
 * sets a missing request to the limit), else the namespace default.
 */
function replicaRequest(
  containers: readonly { limit: number | null; request: number | null }[],
  namespaceDefault: number | null,
): number {
  let bytes = 0;
  for (const c of containers) bytes += c.request ?? c.limit ?? namespaceDefault ?? 0;
  return bytes;
}

function liveCount(process: Process): number {
  return process.pods.filter((pod) => !pod.terminating).length;
}

/**
 * The quota entry the change is judged by: the first it would pass, else the one with the least
 * left after it; null where no quota bounds memory.
 */
function quotaAfter(
  quotas: readonly QuotaMemory[],
  ours: Record<QuotaMemory['resource'], { now: number; after: number }>,
): MemoryLimitPlan['quota'] {
  let chosen: MemoryLimitPlan['quota'] = null;
  for (const quota of quotas) {
    const { now, after } = ours[quota.resource];
    const afterBytes = Math.max(0, quota.usedBytes - now + after);
    const entry = {
      resource: quota.resource,
      usedBytes: quota.usedBytes,
      hardBytes: quota.hardBytes,
      afterBytes,
      fits: afterBytes <= quota.hardBytes || after <= now,
    };
    if (
      chosen === null ||
      (chosen.fits && !entry.fits) ||
      (chosen.fits === entry.fits &&
        entry.hardBytes - entry.afterBytes < chosen.hardBytes - chosen.afterBytes)
    ) {
      chosen = entry;
    }
  }
  return chosen;
}

export function planMemoryLimitChange(limit: string, facts: MemoryLimitFacts): MemoryLimitPlan {
  const { app, process, container, others, room } = facts;
  const bytes = memoryLimitBytes(limit, process);
  const namespaceDefault = room?.limitRangeDefault ?? null;
  const otherContainers = others.map((c) => ({
    limit: containerMemory(c, 'limits'),
    request: containerMemory(c, 'requests'),
  }));
  const otherLimits = otherContainers.reduce(
    (sum, c) => sum + (c.limit ?? namespaceDefault ?? 0),
    0,
  );
  const perReplicaAfter = bytes + otherLimits;

  const nodes = room?.nodes ?? null;
  const largestNode =
    nodes && nodes.length > 0 ? Math.max(...nodes.map((n) => n.allocatableBytes)) : null;
  if (largestNode !== null && perReplicaAfter > largestNode) {
    throw invalid(
      process,
      `${limit} per replica is more than any node has: the largest node has ${formatBytes(largestNode)} of allocatable memory, so no replica could ever start.`,
    );
  }

  const requestNow = containerMemory(container, 'requests');
  const requestLowered = requestNow !== null && requestNow > bytes;
  const requestBytes = requestLowered ? bytes : requestNow;
  const requestAfter = replicaRequest(
    [{ limit: bytes, request: requestBytes }, ...otherContainers],
    namespaceDefault,
  );

  const currentBytes = process.memoryLimit.bytes;
  const desired = process.replicas.desired;
  const replacesPods = liveCount(process);
  const appMaxBytes = Math.max(0, app.memory.maxBytes + desired * (perReplicaAfter - currentBytes));

  // A replica's own pods are replaced: the room they hold on their node is theirs to reuse.
  const ownPods = new Set(process.pods.map((pod) => `${app.namespace}/${pod.name}`));
  let fitsNode: MemoryLimitPlan['fitsNode'] = null;
  if (nodes !== null && nodes.length > 0) {
    let largestFreeBytes = 0;
    for (const node of nodes) {
      let ours = 0;
      for (const [key, requested] of node.requestedByPod) if (ownPods.has(key)) ours += requested;
      const free = Math.max(0, node.allocatableBytes - node.requestedBytes + ours);
      largestFreeBytes = Math.max(largestFreeBytes, free);
    }
    fitsNode = { fits: largestFreeBytes >= requestAfter, largestFreeBytes };
  }

  const requestPerReplicaNow = process.memoryLimit.requestBytes ?? currentBytes;
  const limitsNow = process.pods
    .filter((pod) => !pod.terminating)
    .reduce((sum, pod) => sum + (pod.memoryLimitBytes ?? currentBytes), 0);
  const quota = quotaAfter(room?.quotas ?? [], {
    'limits.memory': { now: limitsNow, after: desired * perReplicaAfter },
    'requests.memory': {
      now: replacesPods * requestPerReplicaNow,
      after: desired * requestAfter,
    },
  });

  const measured = process.pods.reduce<number | null>(
    (max, pod) => (pod.memoryBytes === null ? max : Math.max(max ?? 0, pod.memoryBytes)),
    null,
  );
  const peak = facts.peakPerReplicaBytes;
  const predictedOverLimit =
    (measured !== null && measured > perReplicaAfter) || (peak !== null && peak > perReplicaAfter);

  const notes: string[] = [];
  const ownLimit = containerMemory(container, 'limits');
  if (ownLimit === bytes && !requestLowered) {
    notes.push(`${process.name} already has a limit of ${limit} per replica: nothing changes.`);
  }
  if (requestLowered) {
    notes.push(
      `The memory request (${formatBytes(requestNow)}) would pass the new limit, so it is lowered to ${limit} with it.`,
    );
  }
  if (process.memoryLimit.source !== 'container') {
    notes.push(
      `${process.name} runs on the ${process.memoryLimit.source === 'limitrange' ? 'namespace default' : 'built-in default'} limit now; this gives it a limit of its own, which a later change of the namespace default does not reach.`,
    );
  }
  if (predictedOverLimit) {
    const seen = [
      measured === null ? null : `${formatBytes(measured)} now`,
      peak === null ? null : `a peak of ${formatBytes(peak)} in the history kept`,
    ].filter((part) => part !== null);
    notes.push(
      `A replica of ${process.name} uses more than ${limit} (${seen.join(', ')}): with this limit it would be OOMKilled.`,
    );
  }
  if (fitsNode === null) {
    notes.push('The nodes cannot be read: whether a replica still fits on one is not known.');
  } else if (!fitsNode.fits) {
    notes.push(
      `No node has room for a replica: it reserves ${formatBytes(requestAfter)} and the most free on a node is ${formatBytes(fitsNode.largestFreeBytes)} (allocatable less what is requested there). It would stay Pending.`,
    );
  }
  if (quota && !quota.fits) {
    notes.push(
      `The namespace quota on ${quota.resource} allows ${formatBytes(quota.hardBytes)}; with this change ${app.namespace} would use ${formatBytes(quota.afterBytes)}.`,
    );
  }
  if (replacesPods > 0) {
    notes.push(
      `Saving replaces the ${plural(replacesPods, 'pod')} of ${process.name}, ${process.workloadKind === 'StatefulSet' ? 'one at a time, in order' : 'as a rolling update'}.`,
    );
  } else {
    notes.push(`${process.name} runs no pod now: the new limit applies when it starts.`);
  }

  return {
    limit,
    limitBytes: bytes,
    currentBytes,
    requestBytes,
    requestLowered,
    appMaxBytes,
    replacesPods,
    fitsNode,
    quota,
    predictedOverLimit,
    notes,
    command: kubectlSetMemory(facts.target, workloadOf(process), container.name ?? '', {
      limit,
      request: requestLowered ? limit : null,
    }),
  };
}
