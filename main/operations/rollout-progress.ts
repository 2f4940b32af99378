import type { V1Deployment } from '@kubernetes/client-node';
import type { App, Pod } from '../../shared/app-model';
import type { OperationProgress } from '../../shared/contract';
import type { ActivityLog } from '../store/activity-log';
import type { SessionPort } from './session-port';
import type { EventBus } from '../transport/event-bus';
import { rolloutOf, waitingForCluster } from '../../shared/rollout';

/**
 * Follows an accepted change to its end in the background: the rollout of each Deployment it
 * touched (read from the live model, so no polling of the cluster), then the app's endpoint until
 * it answers. Reports `operation` events and settles the activity entry with the outcome.
 * Whether a rollout is done is shared/rollout's judgement, the one the app model shows.
 */

export interface TrackedDeployment {
  process: string;
  deployment: string;
  /** The Deployment's metadata.generation our write produced, where the answer said. */
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
  /** How often the model is looked at again when no update arrives. */
  recheckMs: number;
}

export const DEFAULT_TRACKING: TrackingOptions = {
  timeoutMs: 10 * 60_000,
  probeIntervalMs: 2_000,
  recheckMs: 2_000,
};

export interface Tracking {
  session: SessionPort;
  bus: EventBus;
  log: ActivityLog;
  operationId: string;
  activityId: string;
  appId: string;
  namespace: string;
  /** The process the operation is about; null for the whole app. */
  process: string | null;
  deployments: TrackedDeployment[];
  /** The activity message once everything is done, e.g. `web runs 4 replicas.` */
  doneMessage: string;
  options: TrackingOptions;
}

type Verdict =
  | { state: 'waiting'; progress: number; message: string }
  | { state: 'complete' }
  | { state: 'failed'; message: string };

/**
 * The rollout of one Deployment after our write: waiting until the write shows on the object
 * (the model may lag the answer), then the shared rollout rule, in words that name the process.
 */
export function rolloutVerdict(
  deployment: V1Deployment | undefined,
  tracked: TrackedDeployment,
): Verdict {
  const name = tracked.process;
  if (!deployment) return { state: 'failed', message: `The deployment of ${name} was deleted.` };
  const landed =
    (tracked.generation === null || (deployment.metadata?.generation ?? 0) >= tracked.generation) &&
    (tracked.replicas === null || deployment.spec?.replicas === tracked.replicas);
  if (!landed) return { state: 'waiting', progress: 0, message: waitingForCluster(name) };
  const rollout = rolloutOf(deployment, name);
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

/**
 * Starts following the change; resolves with the outcome once it is settled (callers do not
 * wait for it: the handler has already answered).
 */
export function trackOperation(tracking: Tracking): Promise<'done' | 'failed'> {
  const { session, bus, log, operationId, appId, options } = tracking;
  let last: Omit<OperationProgress, 'operationId' | 'appId' | 'process'> | null = null;
  let settled = false;
  let phase: 'rolling' | 'waiting-for-app' = 'rolling';
  let lastMessage = 'Sent.';
  let resolveOutcome: (outcome: 'done' | 'failed') => void = () => {};
  // Declared before use: a session may call a new listener at once, before setup is over.
  let unsubscribe: () => void = () => {};
  // Timers run their callbacks later, by when everything below is defined.
  const recheck = setInterval(() => evaluate(), options.recheckMs);
  recheck.unref?.();
  const timeout = setTimeout(() => {
    const seconds = Math.round(options.timeoutMs / 1000);
    const stage = phase === 'rolling' ? 'The rollout did not complete' : 'The app did not answer';
    finish('failed', `${stage} within ${seconds} s. Last seen: ${lastMessage}`);
  }, options.timeoutMs);
  timeout.unref?.();
  const outcome = new Promise<'done' | 'failed'>((resolve) => (resolveOutcome = resolve));

  const emit = (phaseNow: OperationProgress['phase'], progress: number, message: string): void => {
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
    lastMessage = message;
    bus.emit('operation', { operationId, appId, process: tracking.process, ...next });
  };

  const finish = (result: 'done' | 'failed', message: string): void => {
    if (settled) return;
    settled = true;
    unsubscribe();
    clearInterval(recheck);
    clearTimeout(timeout);
    emit(result, 1, message);
    log.settle(tracking.activityId, result, message);
    resolveOutcome(result);
  };

  const waitForApp = async (): Promise<void> => {
    phase = 'waiting-for-app';
    emit('waiting-for-app', 1, 'The new pods are ready; waiting for the app to answer.');
    while (!settled) {
      try {
        await session.probeEndpoint(appId);
      } catch {
        // A probe that throws is an app that does not answer yet; the timeout ends the wait.
      }
      if (settled) return;
      const endpoint = session.getApp(appId)?.endpoint;
      // No endpoint known (no web Service, no URL): the ready pods are all there is to check.
      if (endpoint === null || endpoint?.answering) {
        finish('done', tracking.doneMessage);
        return;
      }
      if (endpoint?.message) lastMessage = `Waiting for the app to answer: ${endpoint.message}`;
      await new Promise((resolve) => setTimeout(resolve, options.probeIntervalMs).unref?.());
    }
  };

  const evaluate = (): void => {
    if (settled || phase !== 'rolling') return;
    const app = session.getApp(appId);
    if (!app) {
      finish('failed', 'The app is gone from the cluster.');
      return;
    }
    let waiting: { progress: number; message: string } | null = null;
    let progressSum = 0;
    for (const tracked of tracking.deployments) {
      const processModel = [...app.processes, ...(app.workspace ? [app.workspace] : [])].find(
        (p) => p.deployment === tracked.deployment,
      );
      const newPods = (processModel?.pods ?? []).filter((p) => !tracked.podsBefore.has(p.name));
      const failure = podFailure(tracked.process, newPods);
      if (failure) {
        finish('failed', failure);
        return;
      }
      const verdict = rolloutVerdict(
        session.getDeployment(tracking.namespace, tracked.deployment),
        tracked,
      );
      if (verdict.state === 'failed') {
        finish('failed', verdict.message);
        return;
      }
      if (verdict.state === 'waiting') {
        progressSum += verdict.progress;
        waiting ??= verdict;
      } else {
        progressSum += 1;
      }
    }
    if (waiting) {
      emit('rolling', progressSum / tracking.deployments.length, waiting.message);
      return;
    }
    if (servesRequests(app)) void waitForApp();
    else finish('done', tracking.doneMessage);
  };

  emit('sent', 0, 'Sent to the cluster.');
  unsubscribe = session.onAppChange(appId, evaluate);
  if (settled) unsubscribe();
  evaluate();
  return outcome;
}
