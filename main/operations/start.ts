import { REPLICAS_BEFORE_STOP_ANNOTATION, type App, type Process } from '../../shared/app-model';
import type { OperationResult, ParsedInput } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import {
  kubectlRolloutRestart,
  kubectlScale,
  kubectlSequence,
  workloadOf,
} from '../../shared/kubectl-command';
import { plural } from '../../shared/format';
import { acceptChange, beginChange } from './accept-change';
import type { OperationContext } from './index';
import { requireApp, requirePermission, requireSession } from './preconditions';
import { restartPatch, restartProcesses } from './restart';
import type { SessionPort } from './session-port';
import { kubectlTarget } from './workload-ref';

/**
 * Start an app stopped by its memory limit or scaled to zero: processes at zero go back to the
 * replicas they had before (the annotation written when ScaleDesk scaled them to zero; 1 where
 * there is none), and processes with crash-looping or OOM-killed pods are restarted so those
 * pods are replaced rather than left to their back-off. Healthy processes are left alone. A
 * process at zero without that annotation stays there unless the whole app is at zero: someone
 * chose that, and Start is not the place to undo it silently.
 */

function stoppedReplicas(session: SessionPort, app: App, process: Process): number | null {
  if (process.replicasBeforeStop !== null) return process.replicasBeforeStop;
  const annotation = session.getWorkload(process.workloadKind, app.namespace, process.deployment)
    ?.metadata?.annotations?.[REPLICAS_BEFORE_STOP_ANNOTATION];
  const parsed = annotation === undefined ? Number.NaN : Number(annotation);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : null;
}

/** Crash-looping or OOM-killed pods: the process needs new ones. */
function unhealthy(process: Process): boolean {
  return process.pods.some(
    (pod) =>
      pod.waitingReason === 'CrashLoopBackOff' || pod.lastTermination?.reason === 'OOMKilled',
  );
}

/** The pods Start would create must fit under the pod quota and on the nodes, as for Set replicas. */
function refuseWithoutRoom(app: App, scalesUp: ReadonlyArray<[Process, number]>): void {
  const newPods = scalesUp.reduce(
    (sum, [p, n]) => sum + Math.max(0, n - p.pods.filter((pod) => !pod.terminating).length),
    0,
  );
  if (newPods === 0) return;
  const { quotaUsed, quotaHard, nodesFree } = app.podRoom;
  const problems: string[] = [];
  if (quotaHard !== null && (quotaUsed ?? 0) + newPods > quotaHard) {
    problems.push(
      `the pod quota of namespace ${app.namespace} allows ${plural(quotaHard, 'pod')} and ${quotaUsed ?? 0} are in use`,
    );
  }
  if (nodesFree !== null && newPods > nodesFree) {
    problems.push(`the nodes have room for ${plural(Math.max(0, nodesFree), 'more pod')}`);
  }
  if (problems.length > 0) {
    throw new ScaleDeskError(
      'QUOTA_EXCEEDED',
      `${app.name} cannot start: it needs ${plural(newPods, 'pod')}, but ${problems.join(', and ')}.`,
      { newPods, quotaUsed, quotaHard, nodesFree },
    );
  }
}

export async function start(
  ctx: OperationContext,
  input: ParsedInput<'app.start'>,
): Promise<OperationResult> {
  const session = requireSession(ctx, 'start');
  const app = requireApp(session, input.namespace, input.app);
  const settings = ctx.settings.get();
  const allAtZero = app.processes.every((p) => p.replicas.desired === 0);
  const targets = new Map<Process, number>();
  for (const process of app.processes) {
    const before = stoppedReplicas(session, app, process);
    if (process.replicas.desired > 0) {
      if (unhealthy(process)) targets.set(process, process.replicas.desired);
    } else if (before !== null) targets.set(process, Math.min(before, settings.maxReplicas));
    else if (allAtZero) targets.set(process, 1);
  }
  const workspace = app.workspace;
  if (workspace && (workspace.replicas.desired === 0 || unhealthy(workspace))) {
    targets.set(workspace, Math.max(1, workspace.replicas.desired));
  }
  if (targets.size === 0) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `${app.name} has nothing stopped: Start is for an app stopped by its memory limit or scaled to zero. Use Restart to replace its pods.`,
      { namespace: app.namespace, app: app.name, status: app.status.kind },
    );
  }
  const scalesUp = [...targets].filter(([p]) => p.replicas.desired === 0);
  refuseWithoutRoom(app, scalesUp);
  await requirePermission(session, app, [...targets.keys()], 'patch', `start ${app.name}`);

  // One patch per workload, template and replicas together: a process at zero gets its pods
  // straight from the new template, and nothing can slip in between two writes.
  const at = new Date().toISOString();
  const processes = [...targets.keys()];
  const target = kubectlTarget(session, app.namespace);
  const command = kubectlSequence([
    ...scalesUp.map(([p, n]) => kubectlScale(target, workloadOf(p), n)),
    kubectlRolloutRestart(target, processes.map(workloadOf)),
  ]);
  const warnings: string[] = [];
  if (app.status.kind === 'oom-stopped') {
    warnings.push(
      `${app.name} was stopped by its memory limit; unless its memory use changes it will be stopped again. Fewer workers, a memory-mappable data format read lazily, aggregations in the database, or a higher limit from an administrator help.`,
    );
  }
  const summary = [...targets].map(([p, n]) => `${p.name} ${n}`).join(', ');
  // Logged before it is sent.
  const change = beginChange(
    ctx,
    session,
    app,
    { process: null, kind: 'start', from: app.status.kind, to: 'running', command },
    [...targets].map(([p, n]) => ({
      process: p.name,
      kind: p.workloadKind,
      deployment: p.deployment,
      restartedAt: at,
      ...(p.replicas.desired === 0 ? { replicas: n } : {}),
    })),
    `${app.name} started (${summary}); ${plural(processes.length, 'process', 'processes')} restarted.`,
  );
  const tracked = await change.send(() =>
    restartProcesses(
      ctx,
      session,
      app,
      [...targets].map(([process, replicas]) => {
        const stopped = process.replicas.desired === 0;
        const patch = restartPatch(
          at,
          // The remembered count has served its purpose: a later stop writes a fresh one.
          stopped ? { annotations: { [REPLICAS_BEFORE_STOP_ANNOTATION]: null } } : {},
        );
        // Setting the replicas makes it a guarded write (restartProcesses): someone scaling the
        // process meanwhile is not overwritten.
        if (stopped) patch.spec['replicas'] = replicas;
        return { process, patch, replicas, scales: stopped };
      }),
    ),
  );
  return acceptChange(ctx, change, {}, tracked, warnings);
}
