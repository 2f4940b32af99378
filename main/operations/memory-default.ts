import { randomUUID } from 'node:crypto';
import type { App, Permission } from '../../shared/app-model';
import type { ActivityEntry, OperationResult, ParsedInput } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import {
  runsOnNamespaceDefault,
  type AppOnDefault,
  type NamespaceMemoryDefaults,
} from '../../shared/namespace-memory-defaults';
import { quantityBytes } from '../model/memory-limits';
import { notAskedYet, type Check } from '../model/rbac-permissions';
import { inScope } from '../store/activity-log';
import { clusterIdentity } from './cluster-identity';
import type { OperationContext } from './index';
import { requireSession } from './preconditions';
import {
  commandFor,
  readDefaultRange,
  SCALEDESK_LIMIT_RANGE,
  write,
  type DefaultRange,
  type Target,
} from './limit-range-writes';
import { judge } from './write-guard';

/**
 * The namespace's default memory limit: its LimitRange's `default` (and `defaultRequest`) memory
 * for containers, read from the cluster when asked (`namespace.memoryDefaults`) and changed with
 * a guarded update (`namespace.setMemoryDefault`). A new default reaches only pods created after
 * it (admission fills it in), so nothing rolls out: the entry is done once the cluster accepted
 * the write, and the apps running on the default say they run the old one until their pods are
 * replaced (Restart, or Start). Where the namespace has no LimitRange, one named
 * `scaledesk-defaults` is created (limit-range-writes.ts).
 */

/** Updates refused with 409 and judged again before the refusal is the operation's CONFLICT. */
const MAX_JUDGEMENTS = 4;

/** The namespace's apps that run on its default, with the limit their pods have now. */
export function appsOnDefault(apps: readonly App[], namespace: string): AppOnDefault[] {
  const found: AppOnDefault[] = [];
  for (const app of apps) {
    if (app.namespace !== namespace) continue;
    const all = [...app.processes, ...(app.workspace ? [app.workspace] : [])];
    const processes = all.filter(runsOnNamespaceDefault);
    const first = processes[0];
    if (!first) continue;
    found.push({
      app: app.name,
      processes: processes.map((p) => p.name),
      runningBytes: first.memoryLimit.bytes,
    });
  }
  return found.sort((a, b) => a.app.localeCompare(b.app));
}

async function permissionFor(target: Target, check: Check): Promise<Permission> {
  const permissions = target.session.permissions;
  return permissions?.requireCheck
    ? permissions.requireCheck(target.namespace, check)
    : notAskedYet(target.namespace, check);
}

function checkFor(range: DefaultRange | null): Check {
  return { verb: range ? 'update' : 'create', resource: 'limitranges' };
}

export async function memoryDefaults(
  ctx: OperationContext,
  input: ParsedInput<'namespace.memoryDefaults'>,
): Promise<NamespaceMemoryDefaults> {
  const session = requireSession(ctx, 'read the namespace default memory limit');
  const target = { session, namespace: input.namespace };
  const found = await readDefaultRange(target);
  return {
    namespace: input.namespace,
    limitRange: found?.range.metadata?.name ?? null,
    resourceVersion: found?.range.metadata?.resourceVersion ?? null,
    defaultBytes: found?.defaultBytes ?? null,
    defaultRequestBytes: found?.defaultRequestBytes ?? null,
    permission: await permissionFor(target, checkFor(found)),
    appsOnDefault: appsOnDefault(session.listApps?.() ?? [], input.namespace),
  };
}

/** A quantity read with Kubernetes' rules (client-node's parser): whole bytes, more than 0. */
function bytesOf(quantity: string, what: string): number {
  const bytes = quantityBytes(quantity);
  if (bytes === null || bytes <= 0 || !Number.isInteger(bytes)) {
    throw new ScaleDeskError(
      'INVALID',
      `${what} "${quantity}" is not a memory quantity above 0 in whole bytes (such as 12Gi or 512Mi).`,
      { quantity },
    );
  }
  return bytes;
}

function conflict(namespace: string, now: DefaultRange | null, yours: string): ScaleDeskError {
  const current = now?.defaultBytes ?? null;
  return new ScaleDeskError(
    'CONFLICT',
    `The default memory limit of namespace "${namespace}" was changed to ${current === null ? 'none' : formatBytes(current)} by someone else; yours was ${yours}. Nothing was written.`,
    { current, yours },
  );
}

/** ScaleDesk's own last write of each namespace's default (write-guard's rule for a retry). */
const ownWrites = new WeakMap<OperationContext, Map<string, { from: number | null; to: number }>>();

function ownWritesOf(ctx: OperationContext): Map<string, { from: number | null; to: number }> {
  let writes = ownWrites.get(ctx);
  if (!writes) {
    writes = new Map();
    ownWrites.set(ctx, writes);
  }
  return writes;
}

export async function setMemoryDefault(
  ctx: OperationContext,
  input: ParsedInput<'namespace.setMemoryDefault'>,
  undoOf: string | null = null,
): Promise<OperationResult> {
  const session = requireSession(ctx, 'set the namespace default memory limit');
  const target = { session, namespace: input.namespace };
  const limitBytes = bytesOf(input.limit, 'The default memory limit');
  const asked = input.request === undefined ? null : bytesOf(input.request, 'The default request');
  const warnings: string[] = [];

  let found = await readDefaultRange(target);
  const permission = await permissionFor(target, checkFor(found));
  if (permission.state === 'denied') {
    throw new ScaleDeskError(
      'FORBIDDEN',
      permission.reason ?? `You may not change the limitranges of namespace "${input.namespace}".`,
      { verb: checkFor(found).verb, resource: 'limitranges', namespace: input.namespace },
    );
  }
  // The request is kept at or below the limit: the API server refuses a default request above
  // the default limit. An existing request above the new limit is lowered with it.
  const requestFor = (range: DefaultRange | null): string | null => {
    if (asked !== null) return asked > limitBytes ? input.limit : (input.request ?? null);
    const current = range?.defaultRequestBytes ?? null;
    return current !== null && current > limitBytes ? input.limit : null;
  };
  if (asked !== null && asked > limitBytes) {
    warnings.push(`The default request was lowered to the limit, ${input.limit}.`);
  } else if (asked === null && (found?.defaultRequestBytes ?? 0) > limitBytes) {
    warnings.push(`The default request was above ${input.limit}: it is lowered to it.`);
  }

  const key = [session.contextName, input.namespace].join('\n');
  const own = ownWritesOf(ctx).get(key);
  const force = input.force ?? false;
  const judged = (range: DefaultRange | null) =>
    judge(range?.defaultBytes ?? null, input.expectedDefaultBytes, force, own);
  if (judged(found) === 'conflict') throw conflict(input.namespace, found, input.limit);

  const doneMessage = `New pods in ${input.namespace} get ${input.limit} by default; running pods keep theirs until they are replaced.`;
  const entry = ctx.log.begin(
    {
      context: session.contextName,
      namespace: input.namespace,
      // The namespace's, not one app's: shown with every app of the namespace.
      app: '',
      process: null,
      kind: 'memory-default',
      from: found?.defaultQuantity ?? null,
      to: input.limit,
      command: commandFor(target, found, input.limit, requestFor(found)),
      undoOf,
    },
    { cluster: clusterIdentity(session.kubeConfig), targets: [], doneMessage },
  );
  try {
    for (let judgements = 1; ; judgements++) {
      try {
        await write(target, found, input.limit, requestFor(found), force);
        break;
      } catch (error) {
        const again = error instanceof ScaleDeskError && error.code === 'CONFLICT';
        if (!again || judgements >= MAX_JUDGEMENTS) throw error;
        // 409 (or, where none existed, one created meanwhile): read and judged again.
        found = await readDefaultRange(target);
        if (judged(found) === 'conflict') throw conflict(input.namespace, found, input.limit);
      }
    }
  } catch (error) {
    // Refused or not answered: a default not in force changes no pod, so nothing is kept.
    ctx.log.withdraw(entry.id);
    throw error;
  }
  const replaced = found?.defaultBytes ?? null;
  if (replaced !== limitBytes) ownWritesOf(ctx).set(key, { from: replaced, to: limitBytes });
  const update = {
    from: found?.defaultQuantity ?? null,
    command: commandFor(target, found, input.limit, requestFor(found)),
  };
  const accepted = ctx.log.accept(entry.id, update);
  const activity: ActivityEntry = ctx.log.settle(entry.id, 'done', doneMessage) ??
    accepted ?? { ...entry, ...update };
  const waiting = appsOnDefault(session.listApps?.() ?? [], input.namespace);
  if (waiting.length > 0) {
    warnings.push(
      `${waiting.map((a) => a.app).join(', ')} ${waiting.length === 1 ? 'runs' : 'run'} on the default: the new one applies when ${waiting.length === 1 ? 'its' : 'their'} pods are replaced (Restart, or Start).`,
    );
  }
  return { operationId: randomUUID(), activity, warnings };
}

/** Undoes a `memory-default` entry: back to the default it replaced, guarded by the one it set. */
export async function undoMemoryDefault(
  ctx: OperationContext,
  entry: ActivityEntry,
): Promise<OperationResult> {
  const undoneBy = ctx.log.undoneBy(entry.id);
  if (undoneBy) {
    throw new ScaleDeskError('INVALID_INPUT', `This change was already undone at ${undoneBy.at}.`, {
      id: entry.id,
      undoneBy: undoneBy.id,
    });
  }
  const session = requireSession(ctx, 'undo');
  const logged = ctx.log.change(entry.id);
  const here = { cluster: clusterIdentity(session.kubeConfig), context: session.contextName };
  if (logged && !inScope(logged, here)) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `This change was made on context "${entry.context}"; connect to that cluster to undo it.`,
      { id: entry.id, context: entry.context },
    );
  }
  if (typeof entry.from !== 'string' || typeof entry.to !== 'string') {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `Before this change namespace "${entry.namespace}" had no default memory limit, so there is none to go back to: remove it with kubectl delete limitrange ${SCALEDESK_LIMIT_RANGE} -n ${entry.namespace} where ScaleDesk created it.`,
      { id: entry.id },
    );
  }
  return setMemoryDefault(
    ctx,
    {
      namespace: entry.namespace,
      limit: entry.from,
      expectedDefaultBytes: quantityBytes(entry.to),
    },
    entry.id,
  );
}
