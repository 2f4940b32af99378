import type { V1Container } from '@kubernetes/client-node';
import type { Process } from '../../shared/app-model';
import type { OperationResult, ParsedInput } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import {
  kubectlJsonPatch,
  kubectlSetEnv,
  workloadOf,
  type JsonPatchOperation,
  type KubectlTarget,
  type KubectlWorkload,
} from '../../shared/kubectl-command';
import { isGunicorn } from '../../shared/gunicorn-command';
import { parseWorkers } from '../../shared/gunicorn-workers';
import { containerCommand, processContainerIndex } from '../../shared/process-container';
import { removeContainerWorkers, setContainerWorkers } from '../../shared/workers-edit';
import { plural } from '../../shared/format';
import { planWorkers } from '../../shared/worker-plan';
import { acceptChange, beginChange } from './accept-change';
import type { WorkloadObject } from '../model/workload';
import { jsonPatchWorkload } from './cluster-writes';
import type { OperationContext } from './index';
import { requireApp, requirePermission, requireProcess, requireSession } from './preconditions';
import { kubectlTarget, podNames, workloadRef } from './workload-ref';

/**
 * Set the gunicorn workers of one process: the worker count in its container's command, args or
 * environment is edited and nothing else, by a JSON patch of exactly those paths of its
 * Deployment's or StatefulSet's pod template, guarded by the count the admin saw. The new pod
 * template rolls the process over (the redeploy).
 */

/**
 * The process's container (see processContainerIndex, which the model reads it from too), with
 * its index in the pod template; null where it does not run gunicorn.
 */
export function gunicornContainer(
  workload: WorkloadObject,
): { index: number; container: V1Container } | null {
  const containers = workload.spec?.template.spec?.containers ?? [];
  const index = processContainerIndex(containers);
  const container = containers[index];
  if (!container) return null;
  const { command, args } = containerCommand(container);
  return isGunicorn([...command, ...args]) ? { index, container } : null;
}

/** A workload's worker count as the model reads it; null: not set (gunicorn's default). */
export function workersIn(workload: WorkloadObject): number | null {
  const found = gunicornContainer(workload);
  if (!found) return null;
  const { command, args, env } = containerCommand(found.container);
  return parseWorkers([...command, ...args], env)?.count ?? null;
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return (a ?? []).length === b.length && (a ?? []).every((word, i) => word === b[i]);
}

/** A count to set, or the `--workers N` ScaleDesk added to remove (Undo: the config file decides). */
export type WorkersEdit = number | { remove: number };

/** The JSON patch that sets the count, and the env variables it changed (for kubectl set env). */
export function workersPatch(
  index: number,
  container: V1Container,
  workers: WorkersEdit,
): { operations: JsonPatchOperation[]; envChanges: Record<string, string> } {
  const now = containerCommand(container);
  const next =
    typeof workers === 'number'
      ? setContainerWorkers(now, workers)
      : removeContainerWorkers(now, workers.remove);
  const base = `/spec/template/spec/containers/${index}`;
  // Patching by index: check first that the index still names the same container.
  const operations: JsonPatchOperation[] = [
    { op: 'test', path: `${base}/name`, value: container.name },
  ];
  for (const field of ['command', 'args'] as const) {
    if (!sameList(container[field], next[field])) {
      operations.push({
        op: container[field] === undefined ? 'add' : 'replace',
        path: `${base}/${field}`,
        value: next[field],
      });
    }
  }
  const envChanges: Record<string, string> = {};
  for (const [envIndex, variable] of (container.env ?? []).entries()) {
    const value = next.env[variable.name];
    if (variable.valueFrom === undefined && value !== undefined && value !== variable.value) {
      operations.push({ op: 'replace', path: `${base}/env/${envIndex}/value`, value });
      envChanges[variable.name] = value;
    }
  }
  return { operations, envChanges };
}

/** The patch as an admin would make it from a terminal: `kubectl set env` where it is only that. */
function workersCommand(
  target: KubectlTarget,
  workload: KubectlWorkload,
  patch: ReturnType<typeof workersPatch>,
  container: string,
): string {
  const { operations, envChanges } = patch;
  const onlyEnv = operations.length - 1 === Object.keys(envChanges).length;
  return onlyEnv
    ? kubectlSetEnv(target, workload, container, envChanges)
    : kubectlJsonPatch(
        target,
        workload,
        operations.filter((op) => op.op !== 'test'),
      );
}

export async function setWorkers(
  ctx: OperationContext,
  input: ParsedInput<'process.setWorkers'>,
  undoOf: string | null = null,
): Promise<OperationResult> {
  return changeWorkers(ctx, input, input.workers, undoOf);
}

/**
 * Undo of a worker change made where nothing on the command line set the count (a config file
 * decides it, or gunicorn's default): the `--workers N` ScaleDesk added is removed, and nothing
 * else, guarded by the count that change set (`added`).
 */
export async function removeAddedWorkers(
  ctx: OperationContext,
  ref: { namespace: string; app: string; process: string },
  added: number,
  undoOf: string,
): Promise<OperationResult> {
  return changeWorkers(ctx, { ...ref, expectedWorkers: added }, { remove: added }, undoOf);
}

/** What the count was before a write: the number, null where nothing set it, or unknown. */
function countBefore(workload: WorkloadObject): number | null | 'unknown' {
  const found = gunicornContainer(workload);
  if (!found) return null;
  const { command, args, env } = containerCommand(found.container);
  const parsed = parseWorkers([...command, ...args], env);
  // A flag or variable whose value is not known here: not "nothing set", which Undo would remove.
  if (parsed && parsed.count === null && parsed.spelling !== null) return 'unknown';
  return parsed?.count ?? null;
}

async function changeWorkers(
  ctx: OperationContext,
  input: Omit<ParsedInput<'process.setWorkers'>, 'workers'>,
  edit: WorkersEdit,
  undoOf: string | null,
): Promise<OperationResult> {
  const session = requireSession(ctx, 'set workers');
  const app = requireApp(session, input.namespace, input.app);
  const process = requireProcess(app, input.process);
  const wanted = typeof edit === 'number' ? edit : null;
  const result = wanted === null ? null : planWorkers(process, wanted);
  if (result && !result.ok) {
    throw new ScaleDeskError(result.code, result.message, {
      namespace: app.namespace,
      app: app.name,
      process: process.name,
    });
  }
  // A count predicted to pass the limit goes only with the admin's say-so (the slider's
  // acknowledgement); an Undo asks its own confirmation and puts back a count that ran before.
  if (result?.plan.overLimit && !input.acknowledgeRisk && undoOf === null) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `ScaleDesk predicts ${process.name} at ${wanted} workers will pass its memory limit (${result.plan.warnings.find((w) => w.kind === 'over-limit')?.message ?? 'over the limit'}). Acknowledge it to save anyway.`,
      { namespace: app.namespace, app: app.name, process: process.name, field: 'acknowledgeRisk' },
    );
  }
  await requirePermission(session, app, [process], 'patch', `set the workers of ${process.name}`);
  const ref = workloadRef(session, app.namespace, process);
  const workload = session.getWorkload(ref.kind, app.namespace, process.deployment);
  const notGunicorn = () =>
    new ScaleDeskError(
      'INVALID_INPUT',
      `${process.name} does not run gunicorn in a container command ScaleDesk can see, so it has no workers to set.`,
      { namespace: app.namespace, app: app.name, process: process.name },
    );
  const planned = workload ? gunicornContainer(workload) : null;
  if (!planned) throw notGunicorn();
  const where = kubectlTarget(session, app.namespace);
  const configFile = process.workers?.configFile ?? null;
  const doneMessage =
    wanted !== null
      ? `${process.name} runs ${plural(wanted, 'worker')} per replica.`
      : configFile !== null
        ? `${process.name}'s worker count is set by its config file (${configFile}) again.`
        : `${process.name} runs gunicorn's default worker count again.`;
  // Logged before it is sent, with the patch as made from the model's copy, until the write says.
  const change = beginChange(
    ctx,
    session,
    app,
    {
      process: process.name,
      kind: 'workers',
      from: wanted === null ? (input.expectedWorkers ?? null) : (process.workers?.count ?? null),
      to: wanted,
      command: workersCommand(
        where,
        workloadOf(process),
        workersPatch(planned.index, planned.container, edit),
        planned.container.name,
      ),
      undoOf,
    },
    [
      {
        process: process.name,
        kind: process.workloadKind,
        deployment: process.deployment,
        workers: wanted,
      },
    ],
    doneMessage,
  );

  const { result: written, replaced } = await change.send(() =>
    ctx.guard.write({
      ref,
      field: 'workers',
      valueIn: workersIn,
      expected: input.expectedWorkers,
      force: input.force ?? false,
      wanted,
      cached: workload,
      // The patch names paths by index: made from the very object it is sent against.
      write: async (current, version) => {
        const target = gunicornContainer(current);
        if (!target) throw notGunicorn();
        const before = countBefore(current);
        const patch = workersPatch(target.index, target.container, edit);
        const guarded: JsonPatchOperation[] =
          version === null
            ? patch.operations
            : [
                { op: 'replace', path: '/metadata/resourceVersion', value: version },
                ...patch.operations,
              ];
        const patched = await jsonPatchWorkload(ref, guarded);
        return { workload: patched, patch, container: target.container.name, before };
      },
      conflict: (now) => conflict(now, process, wanted),
    }),
  );

  const warnings = result?.ok ? result.plan.warnings.map((warning) => warning.message) : [];
  if (wanted !== null && replaced === null && configFile !== null) {
    warnings.push(
      `--workers ${wanted} on the command line now overrides the count in ${configFile}; Undo removes it again.`,
    );
  }
  return acceptChange(
    ctx,
    change,
    {
      // What the write replaced, which the model may not have shown yet.
      from: replaced === null && written.before === 'unknown' ? 'unknown' : replaced,
      command: workersCommand(where, workloadOf(process), written.patch, written.container),
    },
    [
      {
        process: process.name,
        kind: process.workloadKind,
        deployment: process.deployment,
        generation: written.workload.metadata?.generation ?? null,
        replicas: null,
        podsBefore: podNames(process),
      },
    ],
    warnings,
  );
}

/** Says what the other change left, from the workload as the guard read it. */
function conflict(
  now: WorkloadObject | null,
  process: Pick<Process, 'name' | 'workloadKind'>,
  yours: number | null,
): ScaleDeskError {
  const current = now ? workersIn(now) : null;
  const replicas = now?.spec?.replicas ?? null;
  const parts = [
    current === null ? null : plural(current, 'worker'),
    replicas === null ? null : plural(replicas, 'replica'),
  ].filter((part) => part !== null);
  const workload = process.workloadKind === 'StatefulSet' ? 'StatefulSet' : 'deployment';
  const message = `The ${workload} of ${process.name} was changed by someone else since you read it${parts.length > 0 ? ` (it now has ${parts.join(' and ')})` : ''}; yours was ${yours === null ? 'to remove the --workers flag ScaleDesk added' : plural(yours, 'worker')}. Nothing was written.`;
  return new ScaleDeskError('CONFLICT', message, {
    current,
    replicas,
    yours,
    resourceVersion: now?.metadata?.resourceVersion ?? null,
  });
}
