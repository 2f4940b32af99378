import type { KubeConfig } from '@kubernetes/client-node';
import type { App, Pod } from '../../shared/app-model';
import type { OperationProgress } from '../../shared/contract';
import type { ActivityLog, Outcome } from '../store/activity-log';
import type { ChangeTarget } from '../store/activity-records';
import type { EventBus } from '../transport/event-bus';
import { readFromCluster } from './cluster-reads';
import type { CountOwners } from './count-setter';
import {
  combine,
  kindOf,
  podFailure,
  rolloutVerdict,
  type Combined,
  type TrackedWorkload,
  type Verdict,
} from './rollout-verdict';
import type { SessionPort } from './session-port';

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
 * when it next connects to that cluster (follow-from-cluster.ts). Whether a rollout is done is
 * shared/rollout's judgement, the one the app model shows (rollout-verdict.ts).
 */

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
  /**
   * How long the change's new pods must stay ready before it is done (the `settleSeconds`
   * setting): an OOMKill soon after a rollout is the change's failure, not a later one's.
   * 0 or absent: done as soon as they are ready (an entry judged after a restart).
   */
  settleMs?: number;
}

/** The app has a `web` process (the Procfile's, which receives requests) with replicas. */
function servesRequests(app: App | undefined): boolean {
  const web = app?.processes.find((p) => p.name === 'web');
  return web !== undefined && web.replicas.desired > 0;
}

/**
 * Starts following the change; resolves with the outcome once it is settled (callers do not
 * wait for it: the handler has already answered).
 */
export function trackOperation(tracking: Tracking): Promise<Outcome> {
  const { session, bus, log, operationId, appId, options } = tracking;
  let last: Omit<OperationProgress, 'operationId' | 'appId' | 'process'> | null = null;
  let settled = false;
  let phase: 'rolling' | 'waiting-for-app' | 'settling' = 'rolling';
  const settleMs = tracking.settleMs ?? 0;
  /** Since when every new pod has been ready without a break, while settling. */
  let readySince: number | null = null;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
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
    // Settling needs the live pods: with another namespace or context connected, it is over.
    if (phase === 'settling' && !fromModel()) finish('done', tracking.doneMessage);
    else if (!fromModel() || confirm) void readCluster();
    else evaluate();
  }, options.recheckMs);
  recheck.unref?.();
  const timeout = setTimeout(() => {
    const seconds = Math.round(options.timeoutMs / 1000);
    const stage =
      phase === 'rolling'
        ? 'The rollout did not complete'
        : phase === 'settling'
          ? 'The new pods did not stay ready'
          : 'The app did not answer';
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
    clearTimeout(settleTimer);
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
      if (!fromModel()) return succeed();
      try {
        await session!.probeEndpoint(appId);
      } catch {
        // A probe that throws is an app that does not answer yet; the timeout ends the wait.
      }
      if (settled) return;
      const endpoint = session!.getApp(appId)?.endpoint;
      // No endpoint known (no web Service, no URL) or none that may be checked (services/proxy
      // refused): the ready pods are all there is to check.
      if (endpoint === null || (endpoint && endpoint.state !== 'not-answering')) return succeed();
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
        else succeed();
      }
    }
  };

  /** The pods of each tracked workload that the change created (not there when it was sent). */
  const newPodsOf = (app: App): Array<{ tracked: TrackedWorkload; pods: Pod[] }> =>
    tracking.workloads.map((tracked) => {
      const processModel = [...app.processes, ...(app.workspace ? [app.workspace] : [])].find(
        (p) => p.deployment === tracked.deployment && p.workloadKind === tracked.kind,
      );
      const pods = (processModel?.pods ?? []).filter((p) => !tracked.podsBefore.has(p.name));
      return { tracked, pods };
    });

  /**
   * Done once its new pods are ready and have stayed so for the settle time (none new, as when
   * replicas go down: at once). Only the live model shows pods; without it, done now.
   */
  const succeed = (): void => {
    if (settled) return;
    const app = fromModel() ? session!.getApp(appId) : undefined;
    const created = app ? newPodsOf(app).flatMap(({ pods }) => pods) : [];
    if (settleMs <= 0 || created.length === 0) return finish('done', tracking.doneMessage);
    phase = 'settling';
    settle(app!);
  };

  /** While settling: the clock starts again whenever a new pod is not ready. */
  const settle = (app: App): void => {
    const created = newPodsOf(app)
      .flatMap(({ pods }) => pods)
      .filter((pod) => !pod.terminating);
    if (created.length === 0 || !created.every((pod) => pod.ready)) {
      readySince = null;
      clearTimeout(settleTimer);
      return emit('waiting-for-app', 0.99, 'Waiting for the new pods to be ready again.');
    }
    const now = Date.now();
    readySince ??= now;
    const left = readySince + settleMs - now;
    if (left <= 0) return finish('done', tracking.doneMessage);
    clearTimeout(settleTimer);
    settleTimer = setTimeout(evaluate, left);
    settleTimer.unref?.();
    emit(
      'waiting-for-app',
      0.99,
      `The new pods are ready; done once they have stayed up for ${Math.round(settleMs / 1000)} s.`,
    );
  };

  /** From the live model: the session's copy of each workload, and the new pods. */
  const evaluate = (): void => {
    if (settled || !fromModel()) return;
    const app = session!.getApp(appId);
    if (!app) return finish('failed', 'The app is gone from the cluster.');
    // A new pod that cannot succeed fails the change at any stage it is followed in.
    for (const { tracked, pods } of newPodsOf(app)) {
      const failure = podFailure(tracked.process, pods);
      if (failure) return finish('failed', failure);
    }
    if (phase === 'waiting-for-app') return;
    const verdicts: Verdict[] = [];
    for (const tracked of tracking.workloads) {
      const workload = session!.getWorkload(tracked.kind, tracking.namespace, tracked.deployment);
      verdicts.push(rolloutVerdict(workload, tracked, targetOf(tracked), false, ownersOf(tracked)));
    }
    const combined = combine(verdicts);
    if (phase === 'rolling') return conclude(combined);
    // Settling: a later change may still replace what this one set, or its rollout fail.
    if (combined.state === 'failed' || combined.state === 'superseded') {
      return finish(combined.state, combined.message);
    }
    settle(app);
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
