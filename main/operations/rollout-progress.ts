import type { KubeConfig } from '@kubernetes/client-node';
import {
  RESTARTED_AT_ANNOTATION,
  appId,
  type App,
  type Pod,
  type WorkloadKind,
} from '../../shared/app-model';
import type { OperationProgress } from '../../shared/contract';
import { ScaleDeskError } from '../../shared/errors';
import { plural } from '../../shared/format';
import { rolloutOf, waitingForCluster } from '../../shared/rollout';
import type { ActivityLog, ChangeTarget, LoggedChange, Outcome } from '../store/activity-log';
import type { EventBus } from '../transport/event-bus';
import { clusterIdentity } from './cluster-identity';
import { countSetter, type CountOwners } from './count-setter';
import { readWorkload } from './cluster-writes';
import type { WorkloadObject } from '../model/workload';
import type { OperationContext } from './index';
import { replicasIn } from './replicas';
import type { SessionPort } from './session-port';
import { workersIn } from './workers';

/**
 * Follows a change to its end, in the background, and settles its activity entry: done (rolled
 * out, and the app answers), failed (why), or superseded (a later change, ScaleDesk's own or
 * someone else's, replaced what it set: it will never show, and that is not a failure).
 *
 * The outcome comes from the workloads (Deployments, StatefulSets) the change touched, never from
 * which namespace or context happens to be connected. While the session the change was made in
 * is the one connected, the live model is read (no polling; a GET only to confirm, every few
 * seconds, that a value the model does not show was replaced rather than not yet seen); once the
 * admin has switched namespace or context, each workload is read, by its kind and name, from the
 * cluster it was changed on. Entries still pending when ScaleDesk stopped are judged the same way
 * when it next connects to that cluster ({@link followPending}). Whether a rollout is done is
 * shared/rollout's judgement, the one the app model shows.
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

export interface TrackingOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs: number;
  /** How often the endpoint is probed while waiting for the app to answer. */
  probeIntervalMs: number;
  /** How often the model is looked at again when no update arrives, or the cluster read. */
  recheckMs: number;
  /**
   * A count set on a process an autoscaler owns is not done before the autoscaler has had a sync
   * after the write (15 s by default in Kubernetes): it may put the count back, and then the
   * change ends superseded, never done.
   */
  autoscalerSyncMs: number;
}

export const DEFAULT_TRACKING: TrackingOptions = {
  timeoutMs: 10 * 60_000,
  probeIntervalMs: 2_000,
  recheckMs: 2_000,
  autoscalerSyncMs: 20_000,
};

export interface Tracking {
  /** The session the change was made in; null: none (an entry left pending by a previous run). */
  session: SessionPort | null;
  /** Whether that session is still the one connected (its model still kept current). */
  current: () => boolean;
  /** The client configuration of the cluster the change was made on, to read it directly. */
  kubeConfig: KubeConfig;
  bus: EventBus;
  log: ActivityLog;
  operationId: string;
  /** Report `operation` events (false for an entry judged after a restart: no one waits). */
  announce: boolean;
  activityId: string;
  appId: string;
  namespace: string;
  /** The process the operation is about; null for the whole app. */
  process: string | null;
  workloads: TrackedWorkload[];
  /** What the change set on each workload (by name). */
  targets: readonly ChangeTarget[];
  /** The activity message once everything is done, e.g. `web runs 4 replicas.` */
  doneMessage: string;
  options: TrackingOptions;
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
  };
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
  return null;
}

/** `deployment`, `statefulset`: a workload's kind as the admin's kubectl names it. */
function kindWord(kind: WorkloadKind): string {
  return kind.toLowerCase();
}

/** The kind of a logged target's workload: an entry logged without one was of a Deployment. */
function kindOf(target: ChangeTarget): WorkloadKind {
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
      // Who set it is said where the count is what changed and it is known (count-setter.ts).
      const setter =
        expected.replicas !== undefined && now !== expected.replicas
          ? countSetter(now, workload.metadata?.managedFields, owners)
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

/** A new pod that shows the change cannot succeed: image, crash loop, memory limit. */
export function podFailure(process: string, pods: readonly Pod[]): string | null {
  for (const pod of pods) {
    const waiting = pod.waitingReason;
    if (waiting && IMAGE_REASONS.has(waiting)) {
      return `${process} cannot start: the cluster cannot pull its image (${waiting} on ${pod.name}).`;
    }
    if (waiting && CONFIG_REASONS.has(waiting)) {
      return `${process} cannot start: its container cannot be created (${waiting} on ${pod.name}).`;
    }
    if (waiting === 'CrashLoopBackOff') {
      if (pod.lastTermination?.reason === 'OOMKilled') {
        return `${process} is stopped by its memory limit: the new pod ${pod.name} was OOMKilled and is restarting in a loop.`;
      }
      const exit = pod.lastTermination?.exitCode;
      return `${process} is crash-looping: the new pod ${pod.name} keeps exiting${exit === null || exit === undefined ? '' : ` (exit code ${exit})`}.`;
    }
  }
  return null;
}

/** The app has a `web` process (the Procfile's, which receives requests) with replicas. */
function servesRequests(app: App | undefined): boolean {
  const web = app?.processes.find((p) => p.name === 'web');
  return web !== undefined && web.replicas.desired > 0;
}

/** A workload as the cluster has it now; null where it is gone. */
async function readFromCluster(
  kubeConfig: KubeConfig,
  namespace: string,
  kind: WorkloadKind,
  name: string,
): Promise<WorkloadObject | null> {
  try {
    return await readWorkload({
      kubeConfig,
      context: kubeConfig.currentContext,
      namespace,
      kind,
      name,
    });
  } catch (error) {
    if (error instanceof ScaleDeskError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** The verdicts of several workloads, as one: the first failure, else waiting, else the rest. */
type Combined =
  | { state: 'failed' | 'superseded'; message: string }
  | { state: 'waiting'; progress: number; message: string; notShown: boolean }
  | { state: 'complete' };

function combine(verdicts: readonly Verdict[]): Combined {
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

/**
 * Starts following the change; resolves with the outcome once it is settled (callers do not
 * wait for it: the handler has already answered).
 */
export function trackOperation(tracking: Tracking): Promise<Outcome> {
  const { session, bus, log, operationId, appId, options } = tracking;
  let last: Omit<OperationProgress, 'operationId' | 'appId' | 'process'> | null = null;
  let settled = false;
  let phase: 'rolling' | 'waiting-for-app' = 'rolling';
  const startedAt = Date.now();
  let lastMessage = 'Sent.';
  /** The model does not show the change: the cluster is asked at the next recheck. */
  let confirm = false;
  let reading = false;
  let resolveOutcome: (outcome: Outcome) => void = () => {};
  // Declared before use: a session may call a new listener at once, before setup is over.
  let unsubscribe: () => void = () => {};
  const targetOf = (tracked: TrackedWorkload) =>
    tracking.targets.find((t) => t.deployment === tracked.deployment && kindOf(t) === tracked.kind);
  /** The live model is the session's the change was made in, while it is the one connected. */
  const fromModel = (): boolean => session !== null && tracking.current();
  /** The processes' owners of the count, as the session's model knows them (none: unknown). */
  const ownersOf = (tracked: TrackedWorkload): CountOwners => {
    const app = session?.getApp(appId);
    const found = [...(app?.processes ?? []), ...(app?.workspace ? [app.workspace] : [])].find(
      (p) => p.deployment === tracked.deployment && p.workloadKind === tracked.kind,
    );
    return { autoscaler: found?.autoscaler ?? null, managedBy: found?.managedBy ?? null };
  };
  /**
   * A count set on a process an active autoscaler owns, not yet followed by an autoscaler sync:
   * "done" waits, as the autoscaler may put it back (and the change then ends superseded).
   */
  const awaitingAutoscaler = (): string | null => {
    if (Date.now() - startedAt >= options.autoscalerSyncMs) return null;
    for (const tracked of tracking.workloads) {
      const autoscaler = ownersOf(tracked).autoscaler;
      const replicas = targetOf(tracked)?.replicas ?? tracked.replicas;
      if (autoscaler?.active && replicas !== null && replicas !== undefined && replicas > 0) {
        return `${tracked.process} rolled out; waiting for its autoscaler ${autoscaler.name}'s next sync.`;
      }
    }
    return null;
  };
  // Timers run their callbacks later, by when everything below is defined.
  const recheck = setInterval(() => {
    if (!fromModel() || confirm) void readCluster();
    else evaluate();
  }, options.recheckMs);
  recheck.unref?.();
  const timeout = setTimeout(() => {
    const seconds = Math.round(options.timeoutMs / 1000);
    const stage = phase === 'rolling' ? 'The rollout did not complete' : 'The app did not answer';
    finish('failed', `${stage} within ${seconds} s. Last seen: ${lastMessage}`);
  }, options.timeoutMs);
  timeout.unref?.();
  const outcome = new Promise<Outcome>((resolve) => (resolveOutcome = resolve));

  const emit = (phaseNow: OperationProgress['phase'], progress: number, message: string): void => {
    lastMessage = message;
    if (!tracking.announce) return;
    const next = { phase: phaseNow, progress: Math.max(0, Math.min(1, progress)), message };
    if (
      last &&
      last.phase === next.phase &&
      last.progress === next.progress &&
      last.message === next.message
    ) {
      return;
    }
    last = next;
    bus.emit('operation', { operationId, appId, process: tracking.process, ...next });
  };

  const finish = (result: Outcome, message: string): void => {
    if (settled) return;
    settled = true;
    unsubscribe();
    clearInterval(recheck);
    clearTimeout(timeout);
    // The operation is over either way; superseded is not a failure of the admin's change.
    emit(result === 'failed' ? 'failed' : 'done', 1, message);
    log.settle(tracking.activityId, result, message);
    resolveOutcome(result);
  };

  const waitForApp = async (): Promise<void> => {
    phase = 'waiting-for-app';
    emit('waiting-for-app', 1, 'The new pods are ready; waiting for the app to answer.');
    while (!settled) {
      // Another namespace or context is connected: the rollout is all that can be checked.
      if (!fromModel()) return finish('done', tracking.doneMessage);
      try {
        await session!.probeEndpoint(appId);
      } catch {
        // A probe that throws is an app that does not answer yet; the timeout ends the wait.
      }
      if (settled) return;
      const endpoint = session!.getApp(appId)?.endpoint;
      // No endpoint known (no web Service, no URL): the ready pods are all there is to check.
      if (endpoint === null || endpoint?.answering) return finish('done', tracking.doneMessage);
      if (endpoint?.message) lastMessage = `Waiting for the app to answer: ${endpoint.message}`;
      await new Promise((resolve) => setTimeout(resolve, options.probeIntervalMs).unref?.());
    }
  };

  const conclude = (combined: Combined): void => {
    switch (combined.state) {
      case 'failed':
      case 'superseded':
        return finish(combined.state, combined.message);
      case 'waiting':
        confirm = combined.notShown;
        return emit('rolling', combined.progress, combined.message);
      case 'complete': {
        const held = awaitingAutoscaler();
        if (held !== null) return emit('rolling', 0.99, held);
        if (fromModel() && servesRequests(session!.getApp(appId))) void waitForApp();
        else finish('done', tracking.doneMessage);
      }
    }
  };

  /** From the live model: the session's copy of each workload, and the new pods. */
  const evaluate = (): void => {
    if (settled || phase !== 'rolling' || !fromModel()) return;
    const app = session!.getApp(appId);
    if (!app) return finish('failed', 'The app is gone from the cluster.');
    const verdicts: Verdict[] = [];
    for (const tracked of tracking.workloads) {
      const processModel = [...app.processes, ...(app.workspace ? [app.workspace] : [])].find(
        (p) => p.deployment === tracked.deployment && p.workloadKind === tracked.kind,
      );
      const newPods = (processModel?.pods ?? []).filter((p) => !tracked.podsBefore.has(p.name));
      const failure = podFailure(tracked.process, newPods);
      if (failure) return finish('failed', failure);
      const workload = session!.getWorkload(tracked.kind, tracking.namespace, tracked.deployment);
      verdicts.push(rolloutVerdict(workload, tracked, targetOf(tracked), false, ownersOf(tracked)));
    }
    conclude(combine(verdicts));
  };

  /** From the cluster: each workload read now, after the write was answered. */
  const readCluster = async (): Promise<void> => {
    if (settled || phase !== 'rolling' || reading) return;
    reading = true;
    const verdicts: Verdict[] = [];
    try {
      for (const tracked of tracking.workloads) {
        const workload = await readFromCluster(
          tracking.kubeConfig,
          tracking.namespace,
          tracked.kind,
          tracked.deployment,
        );
        verdicts.push(
          rolloutVerdict(workload, tracked, targetOf(tracked), true, ownersOf(tracked)),
        );
      }
    } catch (error) {
      // Not reachable now: tried again at the next recheck, until the timeout.
      lastMessage = `The cluster could not be read: ${(error as Error).message}`;
      return;
    } finally {
      reading = false;
    }
    if (!settled && phase === 'rolling') conclude(combine(verdicts));
  };

  emit('sent', 0, 'Sent to the cluster.');
  if (fromModel()) {
    unsubscribe = session!.onAppChange(appId, evaluate);
    if (settled) unsubscribe();
    evaluate();
  } else {
    void readCluster();
  }
  return outcome;
}

/** Each target's workload read now: whether it has what the change set (null: it has). */
async function readTargets(
  kubeConfig: KubeConfig,
  logged: LoggedChange,
): Promise<Array<{ target: ChangeTarget; instead: string | null }>> {
  const found: Array<{ target: ChangeTarget; instead: string | null }> = [];
  for (const target of logged.targets) {
    const kind = kindOf(target);
    const workload = await readFromCluster(
      kubeConfig,
      logged.entry.namespace,
      kind,
      target.deployment,
    );
    found.push({
      target,
      instead: workload
        ? differsFrom(workload, target)
        : `the ${kindWord(kind)} of ${target.process} is gone`,
    });
  }
  return found;
}

/** Follows a logged change from the cluster alone (no session's model to read). */
function followFromCluster(
  ctx: OperationContext,
  kubeConfig: KubeConfig,
  logged: LoggedChange,
): void {
  const { entry } = logged;
  ctx.following.add(entry.id);
  void trackOperation({
    session: null,
    current: () => false,
    kubeConfig,
    bus: ctx.bus,
    log: ctx.log,
    operationId: `${entry.id}:followed`,
    announce: false,
    activityId: entry.id,
    appId: appId(entry.namespace, entry.app),
    namespace: entry.namespace,
    process: entry.process,
    workloads: logged.targets.map((target) => ({
      process: target.process,
      kind: kindOf(target),
      deployment: target.deployment,
      generation: null,
      replicas: target.replicas ?? null,
      podsBefore: new Set<string>(),
    })),
    targets: logged.targets,
    doneMessage: logged.doneMessage ?? 'Done.',
    options: ctx.tracking,
  }).finally(() => ctx.following.delete(entry.id));
}

/**
 * A change whose write failed in a way that does not say whether the cluster applied it (no
 * answer, or one of several writes refused): judged from what the cluster has. Nothing of it
 * there: withdrawn, as a refusal is. All of it: followed like an accepted change. Part of it:
 * failed, with the error. The cluster cannot be read: listed as pending, to be judged when
 * ScaleDesk next connects to that cluster.
 */
export async function followUnanswered(
  ctx: OperationContext,
  kubeConfig: KubeConfig,
  id: string,
  error: unknown,
): Promise<void> {
  const logged = ctx.log.change(id);
  if (!logged) return;
  let found;
  try {
    found = await readTargets(kubeConfig, logged);
  } catch {
    ctx.log.accept(id, {}, false);
    return;
  }
  const carried = found.filter((f) => f.instead === null).length;
  if (carried === 0) return ctx.log.withdraw(id);
  const accepted = ctx.log.accept(id);
  if (!accepted) return;
  if (carried === found.length) return followFromCluster(ctx, kubeConfig, logged);
  const why = error instanceof Error ? error.message : String(error);
  ctx.log.settle(id, 'failed', `Only partly done: ${why}`);
}

/**
 * Once connected to a cluster: its entries still pending (ScaleDesk was closed, or killed, while
 * they were followed, or before the cluster answered) judged from each workload as it is now,
 * and followed on where a rollout is still going. A change whose answer was never seen and
 * that is not on the cluster is said to be unconfirmed, not superseded: it may never have left.
 */
export async function followPending(ctx: OperationContext, session: SessionPort): Promise<void> {
  const { kubeConfig } = session;
  const scope = { cluster: clusterIdentity(kubeConfig), context: session.contextName };
  for (const logged of ctx.log.pending(scope)) {
    const { entry } = logged;
    if (ctx.following.has(entry.id)) continue;
    if (logged.targets.length === 0) {
      ctx.log.settle(
        entry.id,
        'failed',
        'Not followed to the end: ScaleDesk was closed before the rollout finished.',
      );
      continue;
    }
    ctx.following.add(entry.id);
    let found;
    try {
      found = await readTargets(kubeConfig, logged);
    } catch {
      // Not reachable now: judged at the next connection.
      ctx.following.delete(entry.id);
      continue;
    }
    const missing = found.filter((f) => f.instead !== null);
    if (!logged.sent && missing.length > 0) {
      ctx.following.delete(entry.id);
      ctx.log.settle(
        entry.id,
        'failed',
        `Not confirmed: no answer from the cluster was seen (ScaleDesk was closed, or the cluster did not answer), and ${missing.map((f) => f.instead).join('; ')}.`,
      );
      continue;
    }
    if (!logged.sent) ctx.log.accept(entry.id);
    followFromCluster(ctx, kubeConfig, logged);
  }
}
