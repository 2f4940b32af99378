import { randomUUID } from 'node:crypto';
import {
  AutoscalingV1Api,
  AutoscalingV2Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1HorizontalPodAutoscaler,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { ActivityEntry, OperationResult, ParsedInput } from '../../shared/contract';
import {
  autoscalerName,
  parseRange,
  planRange,
  rangeText,
  type Autoscaler,
} from '../../shared/count-owner';
import { ScaleDeskError } from '../../shared/errors';
import { kubectlPatchAutoscaler } from '../../shared/kubectl-command';
import { toClusterError, withTimeout } from '../kube/cluster-errors';
import { HPA_V1 } from '../model/autoscalers';
import { beginChange } from './accept-change';
import type { OperationContext } from './index';
import { requireApp, requireProcess, requireSession } from './preconditions';
import { judge, type OwnWrite } from './write-guard';
import { kubectlTarget } from './workload-ref';

/**
 * Set the minimum and maximum of the HorizontalPodAutoscaler that owns a process's replica
 * count: what the replica editor changes instead of the count where an autoscaler sets it (a
 * count written to the workload is put back at the autoscaler's next sync). Guarded as replicas
 * are, by the range the admin saw, with write-guard's judgement applied to each bound; written
 * as a merge patch at the HPA's resourceVersion, judged once more on a 409 (the HPA's status
 * moves at every sync). Logged as an `autoscaler` activity entry (`2–5` → `2–6`), done once the
 * cluster accepted it: there is no rollout to follow, the autoscaler moves the count itself.
 *
 * A KEDA ScaledObject is not edited here (KEDA would put its HPA back): refused with the kubectl
 * command that changes it.
 */

interface Range {
  minReplicas: number;
  maxReplicas: number;
}

interface HpaRef {
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
  name: string;
  apiVersion: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** ScaleDesk's own last write of each autoscaler's range, per set of operations. */
const ownWrites = new WeakMap<OperationContext, Map<string, { from: Range; to: Range }>>();

function ownWritesOf(ctx: OperationContext): Map<string, { from: Range; to: Range }> {
  let writes = ownWrites.get(ctx);
  if (!writes) {
    writes = new Map();
    ownWrites.set(ctx, writes);
  }
  return writes;
}

async function call<T>(ref: HpaRef, verb: string, request: () => Promise<T>): Promise<T> {
  try {
    return await withTimeout(request(), REQUEST_TIMEOUT_MS);
  } catch (error) {
    const server = ref.kubeConfig.getCurrentCluster()?.server;
    throw toClusterError(error, {
      verb,
      resource: 'horizontalpodautoscalers',
      namespace: ref.namespace,
      name: ref.name,
      context: ref.context,
      ...(server ? { server } : {}),
    });
  }
}

/** The HPA's range and resourceVersion as the cluster has it now. */
async function readRange(ref: HpaRef): Promise<Range & { resourceVersion: string | null }> {
  const args = { name: ref.name, namespace: ref.namespace };
  const hpa = await call<V1HorizontalPodAutoscaler | V2HorizontalPodAutoscaler>(ref, 'get', () =>
    ref.apiVersion === HPA_V1
      ? ref.kubeConfig.makeApiClient(AutoscalingV1Api).readNamespacedHorizontalPodAutoscaler(args)
      : ref.kubeConfig.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler(args),
  );
  return {
    minReplicas: hpa.spec?.minReplicas ?? 1,
    maxReplicas: hpa.spec?.maxReplicas ?? 0,
    resourceVersion: hpa.metadata?.resourceVersion ?? null,
  };
}

function patchRange(ref: HpaRef, range: Range, resourceVersion: string | null): Promise<unknown> {
  const body = {
    ...(resourceVersion === null ? {} : { metadata: { resourceVersion } }),
    spec: { minReplicas: range.minReplicas, maxReplicas: range.maxReplicas },
  };
  const args = { name: ref.name, namespace: ref.namespace, body, fieldManager: 'scaledesk' };
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return call<unknown>(ref, 'patch', () =>
    ref.apiVersion === HPA_V1
      ? ref.kubeConfig
          .makeApiClient(AutoscalingV1Api)
          .patchNamespacedHorizontalPodAutoscaler(args, merge)
      : ref.kubeConfig
          .makeApiClient(AutoscalingV2Api)
          .patchNamespacedHorizontalPodAutoscaler(args, merge),
  );
}

/** write-guard's judgement, bound by bound: a conflict where either moved under the admin. */
function conflicts(
  now: Range,
  expected: Range | undefined,
  force: boolean,
  own: { from: Range; to: Range } | undefined,
): boolean {
  const bound = (key: keyof Range): OwnWrite | undefined =>
    own ? { from: own.from[key], to: own.to[key] } : undefined;
  return (['minReplicas', 'maxReplicas'] as const).some(
    (key) => judge(now[key], expected?.[key], force, bound(key)) === 'conflict',
  );
}

function conflict(process: string, autoscaler: Autoscaler, now: Range, yours: Range) {
  return new ScaleDeskError(
    'CONFLICT',
    `The autoscaler of ${process} was changed to ${rangeText(now)} by someone else; yours was ${rangeText(yours)}. Nothing was written.`,
    { current: rangeText(now), yours: rangeText(yours), autoscaler: autoscaler.name },
  );
}

export async function setAutoscaler(
  ctx: OperationContext,
  input: ParsedInput<'process.setAutoscaler'>,
  undoOf: string | null = null,
): Promise<OperationResult> {
  const session = requireSession(ctx, "set the autoscaler's range");
  const app = requireApp(session, input.namespace, input.app);
  const process = requireProcess(app, input.process);
  const autoscaler = process.autoscaler;
  const details = { namespace: app.namespace, app: app.name, process: process.name };
  if (!autoscaler) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `${process.name} has no autoscaler: set its replicas instead.`,
      details,
    );
  }
  const wanted = { minReplicas: input.minReplicas, maxReplicas: input.maxReplicas };
  const target = kubectlTarget(session, app.namespace);
  if (!autoscaler.editable) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `${autoscalerName(autoscaler)} (KEDA) sets the count of ${process.name}; KEDA would put a change of the autoscaler it made back. Change the ScaledObject: ${kubectlPatchAutoscaler(target, autoscaler, wanted)}`,
      details,
    );
  }
  const plan = planRange(input.minReplicas, input.maxReplicas, ctx.settings.get().maxReplicas);
  if (!plan.ok) throw new ScaleDeskError('INVALID_INPUT', plan.message, details);

  const ref: HpaRef = {
    kubeConfig: session.kubeConfig,
    context: session.contextName,
    namespace: app.namespace,
    name: autoscaler.name,
    apiVersion: autoscaler.apiVersion,
  };
  const doneMessage = `${process.name} is autoscaled between ${plan.minReplicas} and ${plan.maxReplicas} replicas.`;
  const change = beginChange(
    ctx,
    session,
    app,
    {
      process: process.name,
      kind: 'autoscaler',
      from: rangeText(autoscaler),
      to: rangeText(wanted),
      command: kubectlPatchAutoscaler(target, autoscaler, wanted),
      undoOf,
    },
    // No workload target: the autoscaler, not ScaleDesk, moves the count from here.
    [],
    doneMessage,
  );
  const key = [ref.context, ref.namespace, ref.name].join('\n');
  const own = ownWritesOf(ctx).get(key);
  const force = input.force ?? false;
  const replaced = await change.send(async () => {
    let current = await readRange(ref);
    if (conflicts(current, input.expected, force, own)) {
      throw conflict(process.name, autoscaler, current, wanted);
    }
    try {
      await patchRange(ref, wanted, force ? null : current.resourceVersion);
    } catch (error) {
      if (!(error instanceof ScaleDeskError) || error.code !== 'CONFLICT') throw error;
      // 409: the HPA moved since the read, most often its status at a sync: judged again.
      current = await readRange(ref);
      if (conflicts(current, input.expected, force, own)) {
        throw conflict(process.name, autoscaler, current, wanted);
      }
      await patchRange(ref, wanted, current.resourceVersion);
    }
    return current;
  });
  if (replaced.minReplicas !== wanted.minReplicas || replaced.maxReplicas !== wanted.maxReplicas) {
    ownWritesOf(ctx).set(key, { from: replaced, to: wanted });
  }
  const accepted = ctx.log.accept(change.entry.id, { from: rangeText(replaced) });
  const activity: ActivityEntry = ctx.log.settle(change.entry.id, 'done', doneMessage) ??
    accepted ?? { ...change.entry, from: rangeText(replaced) };
  const operationId = randomUUID();
  ctx.bus.emit('operation', {
    operationId,
    appId: app.id,
    process: process.name,
    phase: 'done',
    progress: 1,
    message: doneMessage,
  });
  const warnings =
    process.managedBy === null
      ? []
      : [
          `${autoscalerName(autoscaler)} may be managed in git too: a GitOps sync may put its range back.`,
        ];
  return { operationId, activity, warnings };
}

/** Undoes an autoscaler entry: the range it replaced, guarded by the range it set. */
export async function undoAutoscaler(
  ctx: OperationContext,
  entry: ActivityEntry,
): Promise<OperationResult> {
  const from = parseRange(entry.from);
  const to = parseRange(entry.to);
  if (!from || !to || entry.process === null) {
    throw new ScaleDeskError(
      'INTERNAL',
      `The change ${entry.id} does not say which range it set.`,
      {
        id: entry.id,
      },
    );
  }
  const session = requireSession(ctx, 'undo');
  requireProcess(requireApp(session, entry.namespace, entry.app), entry.process);
  try {
    return await setAutoscaler(
      ctx,
      {
        namespace: entry.namespace,
        app: entry.app,
        process: entry.process,
        ...from,
        expected: to,
      },
      entry.id,
    );
  } catch (error) {
    if (!(error instanceof ScaleDeskError) || error.code !== 'CONFLICT') throw error;
    const now = error.details?.['current'];
    throw new ScaleDeskError(
      'CONFLICT',
      `The autoscaler of ${entry.process} is now ${typeof now === 'string' ? now : 'changed'}, not the ${rangeText(to)} this change set: undoing it would overwrite a later change.`,
      { ...error.details, id: entry.id, expected: rangeText(to) },
    );
  }
}
