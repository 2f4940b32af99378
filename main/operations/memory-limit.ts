import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import type { App, Process } from '../../shared/app-model';
import type { OperationResult, ParsedInput } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { kubectlSetMemory, kubectlJsonPatch, workloadOf } from '../../shared/kubectl-command';
import type { MemoryLimitPlan } from '../../shared/memory-limit-plan';
import { processContainerIndex } from '../../shared/process-container';
import { memoryLimitOf } from '../model/memory-limits';
import type { WorkloadObject } from '../model/workload';
import { acceptChange, beginChange } from './accept-change';
import {
  containerMemoryPatch,
  jsonPatchWorkload,
  type ContainerMemoryChange,
} from './cluster-writes';
import type { OperationContext } from './index';
import { containerMemory, planMemoryLimitChange, type MemoryLimitFacts } from './memory-limit-plan';
import { requireApp, requirePermission, requireProcess, requireSession } from './preconditions';
import type { SessionPort } from './session-port';
import { kubectlTarget, podNames, workloadRef } from './workload-ref';

/**
 * A process's memory limit per replica: planned (`process.planMemoryLimit`, shown live in the
 * editor) and set (`process.setMemoryLimit`): a guarded JSON patch of exactly that container's
 * memory limit (and its request, lowered with it where it would pass it), judged by the write
 * guard against the limit per replica the admin saw, logged as a `memory-limit` entry and followed
 * like a workers change (the new pod template rolls the process over), undone by {@link undoMemoryLimit}.
 */

/** The process's container in its workload's pod template, the others, and its index. */
function templateContainers(workload: WorkloadObject | undefined): {
  index: number;
  container: V1Container;
  others: V1Container[];
} | null {
  const containers = workload?.spec?.template.spec?.containers ?? [];
  const index = processContainerIndex(containers);
  const container = containers[index];
  if (!container) return null;
  return { index, container, others: containers.filter((_, i) => i !== index) };
}

/** The highest memory of one replica in the history kept: the process's peak over its replicas now. */
function historyPeak(session: SessionPort, app: App, process: Process): number | null {
  const samples = session.history?.window(app.id, 'all', 500) ?? [];
  let peak: number | null = null;
  for (const sample of samples) {
    const bytes = sample.memoryByProcess[process.name];
    if (bytes !== undefined) peak = Math.max(peak ?? 0, bytes);
  }
  // The history keeps a process's total: shared over the replicas it has now.
  return peak === null ? null : peak / Math.max(1, process.replicas.desired);
}

interface Prepared {
  session: SessionPort;
  app: App;
  process: Process;
  workload: WorkloadObject | undefined;
  /** The index of the process's container in the pod template. */
  index: number;
  facts: MemoryLimitFacts;
}

async function prepare(
  ctx: OperationContext,
  input: { namespace: string; app: string; process: string },
  doing: string,
): Promise<Prepared> {
  const session = requireSession(ctx, doing);
  // Node memory is judged from placements at most 30 s old (a one-namespace session reads them).
  await session.podRoom?.fresh();
  const app = requireApp(session, input.namespace, input.app);
  const process = requireProcess(app, input.process);
  const workload = session.getWorkload(process.workloadKind, app.namespace, process.deployment);
  const found = templateContainers(workload);
  if (!found) {
    throw new ScaleDeskError(
      'NOT_FOUND',
      `The ${process.workloadKind === 'StatefulSet' ? 'StatefulSet' : 'deployment'} of ${process.name} has no container ScaleDesk can see.`,
      { namespace: app.namespace, app: app.name, process: process.name },
    );
  }
  return {
    session,
    app,
    process,
    workload,
    index: found.index,
    facts: {
      app,
      process,
      container: found.container,
      others: found.others,
      room: session.memoryRoom?.of(app.namespace) ?? null,
      peakPerReplicaBytes: historyPeak(session, app, process),
      target: kubectlTarget(session, app.namespace),
    },
  };
}

export async function planMemoryLimit(
  ctx: OperationContext,
  input: ParsedInput<'process.planMemoryLimit'>,
): Promise<MemoryLimitPlan> {
  const { facts } = await prepare(ctx, input, 'plan a memory limit');
  return planMemoryLimitChange(input.limit, facts);
}

/** A replica's limit as a new pod of the workload would get it (what the model shows as `next`). */
function templateLimitIn(namespaceDefault: number | null) {
  return (workload: WorkloadObject): number =>
    memoryLimitOf(workload.spec?.template.spec, namespaceDefault).bytes;
}

/** Refused before anything is sent: what the plan says cannot work. */
function refuse(
  plan: MemoryLimitPlan,
  process: Process,
  input: { force?: boolean; acknowledgeRisk?: boolean },
): void {
  if (plan.quota && !plan.quota.fits) {
    // The quota is enforced at pod creation: a forced write would leave a rollout that cannot go on.
    throw new ScaleDeskError(
      'QUOTA_EXCEEDED',
      `The namespace quota on ${plan.quota.resource} allows ${formatBytes(plan.quota.hardBytes)}; ${process.name} with ${plan.limit} per replica would bring it to ${formatBytes(plan.quota.afterBytes)}. Nothing was sent.`,
      { ...plan.quota, limit: plan.limit },
    );
  }
  if (plan.fitsNode && !plan.fitsNode.fits && !input.force) {
    throw new ScaleDeskError(
      'QUOTA_EXCEEDED',
      `No node has room for a replica of ${process.name} with ${plan.limit}: the most free on a node is ${formatBytes(plan.fitsNode.largestFreeBytes)}. Nothing was sent.`,
      { largestFreeBytes: plan.fitsNode.largestFreeBytes, limit: plan.limit },
    );
  }
  if (plan.predictedOverLimit && !input.acknowledgeRisk) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `A replica of ${process.name} already uses more than ${plan.limit}: with it the replicas are predicted to be OOMKilled. Confirm that you accept this risk to save it.`,
      { field: 'acknowledgeRisk', limit: plan.limit },
    );
  }
}

/** What the entry logs for a limit: the quantity, or where none is set, where it comes from. */
function shownLimit(quantity: string | null, process: Process): string {
  if (quantity !== null) return quantity;
  const source =
    process.memoryLimit.source === 'limitrange' ? 'namespace default' : 'built-in default';
  return `${formatBytes(process.memoryLimit.bytes)} (${source})`;
}

export interface MemoryWrite {
  /** The container's limit to write; null: removed (the namespace default applies). */
  limit: string | null;
  request?: string | null;
  /** Bytes per replica the write leaves in the template, for the guard. */
  perReplicaBytes: number;
  expectedLimitBytes: number | undefined;
  force: boolean;
  doneMessage: string;
  warnings: string[];
}

/** The guarded write, logged and followed: shared by a change and its Undo. */
export async function writeMemoryLimit(
  ctx: OperationContext,
  prepared: Prepared,
  write: MemoryWrite,
  undoOf: string | null,
): Promise<OperationResult> {
  const { session, app, process, workload, facts } = prepared;
  await requirePermission(
    session,
    app,
    [process],
    'patch',
    `set the memory limit of ${process.name}`,
  );
  const ref = workloadRef(session, app.namespace, process);
  const change: ContainerMemoryChange = {
    limit: write.limit,
    ...(write.request === undefined ? {} : { request: write.request }),
  };
  const containerName = facts.container.name ?? '';
  // `kubectl set resources` sets; removing a limit or request is a JSON patch from a terminal too.
  const command =
    change.limit === null || change.request === null
      ? kubectlJsonPatch(
          facts.target,
          workloadOf(process),
          containerMemoryPatch(prepared.index, facts.container, change, null).filter(
            (op) => op.op !== 'test',
          ),
        )
      : kubectlSetMemory(facts.target, workloadOf(process), containerName, {
          limit: change.limit,
          request: change.request ?? null,
        });
  const notAContainer = () =>
    new ScaleDeskError(
      'NOT_FOUND',
      `The container of ${process.name} is gone from its pod template.`,
      {
        process: process.name,
      },
    );
  const before = {
    limit: facts.container.resources?.limits?.['memory'] ?? null,
    request: facts.container.resources?.requests?.['memory'] ?? null,
  };
  const inFlight = beginChange(
    ctx,
    session,
    app,
    {
      process: process.name,
      kind: 'memory-limit',
      from: shownLimit(before.limit, process),
      to: shownLimit(write.limit, process),
      command,
      undoOf,
    },
    [
      {
        process: process.name,
        kind: process.workloadKind,
        deployment: process.deployment,
        memoryLimit: write.limit,
        memoryBefore: { ...before, requestLowered: write.request !== undefined },
      },
    ],
    write.doneMessage,
  );
  const valueIn = templateLimitIn(facts.room?.limitRangeDefault ?? null);
  const { result: written } = await inFlight.send(() =>
    ctx.guard.write({
      ref,
      field: 'memory-limit',
      valueIn,
      expected: write.expectedLimitBytes,
      force: write.force,
      wanted: write.perReplicaBytes,
      cached: workload,
      // The patch names paths by index: made from the very object it is sent against.
      write: async (current, version) => {
        const target = templateContainers(current);
        if (!target || target.container.name !== facts.container.name) throw notAContainer();
        return jsonPatchWorkload(
          ref,
          containerMemoryPatch(target.index, target.container, change, version),
        );
      },
      conflict: (now) => conflict(now, process, valueIn, write),
    }),
  );
  return acceptChange(
    ctx,
    inFlight,
    {},
    [
      {
        process: process.name,
        kind: process.workloadKind,
        deployment: process.deployment,
        generation: written.metadata?.generation ?? null,
        replicas: null,
        podsBefore: podNames(process),
      },
    ],
    write.warnings,
  );
}

function conflict(
  now: WorkloadObject | null,
  process: Process,
  valueIn: (workload: WorkloadObject) => number,
  write: MemoryWrite,
): ScaleDeskError {
  const current = now ? valueIn(now) : null;
  const yours = write.limit ?? 'the namespace default';
  const message = `The memory limit of ${process.name} was changed by someone else since you read it${current === null ? '' : ` (it is now ${formatBytes(current)} per replica)`}; yours was ${yours}. Nothing was written.`;
  return new ScaleDeskError('CONFLICT', message, {
    current,
    yours,
    resourceVersion: now?.metadata?.resourceVersion ?? null,
  });
}

export async function setMemoryLimit(
  ctx: OperationContext,
  input: ParsedInput<'process.setMemoryLimit'>,
): Promise<OperationResult> {
  const prepared = await prepare(ctx, input, 'set a memory limit');
  const { process, facts } = prepared;
  const plan = planMemoryLimitChange(input.limit, facts);
  if (containerMemory(facts.container, 'limits') === plan.limitBytes && !plan.requestLowered) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `${process.name} already has a memory limit of ${input.limit} per replica: nothing to change.`,
      { field: 'limit' },
    );
  }
  refuse(plan, process, input);
  return writeMemoryLimit(
    ctx,
    prepared,
    {
      limit: plan.limit,
      ...(plan.requestLowered ? { request: plan.limit } : {}),
      perReplicaBytes: templatePerReplica(facts, plan.limit),
      expectedLimitBytes: input.expectedLimitBytes,
      force: input.force ?? false,
      doneMessage: `${process.name} runs with a memory limit of ${plan.limit} per replica.`,
      // Saved over ScaleDesk's own prediction: said again beside the change.
      warnings: plan.predictedOverLimit
        ? [`${process.name}'s replicas are predicted to pass ${plan.limit} and be OOMKilled.`]
        : [],
    },
    null,
  );
}

/**
 * Bytes per replica a new pod of the template gets once the container's limit is `limit` (null:
 * none of its own), read by the model's own rule (memoryLimitOf), so the guard compares like with like.
 */
export function templatePerReplica(facts: MemoryLimitFacts, limit: string | null): number {
  const { limits, ...resources } = facts.container.resources ?? {};
  const ownLimits = { ...limits };
  if (limit === null) delete ownLimits['memory'];
  else ownLimits['memory'] = limit;
  const spec: V1PodSpec = {
    containers: [
      { ...facts.container, resources: { ...resources, limits: ownLimits } },
      ...facts.others,
    ],
  };
  return memoryLimitOf(spec, facts.room?.limitRangeDefault ?? null).bytes;
}

export {
  prepare as prepareMemoryChange,
  refuse as refuseMemoryPlan,
  type Prepared as PreparedMemoryChange,
};
