import type { Pod, Process } from '../../../shared/app-model';
import { isCrashLooping } from '../../../shared/app-status';
import { plural } from '../../../shared/format';

/**
 * What a process is doing now, in a few words, for its card header and the Overview: the same
 * precedence and the same reading of a crash loop as the app status (shared/app-status: pods
 * that keep failing before a rollout), so the process line and the app badge never disagree. A Deployment whose pods crash-loop never finishes its
 * rollout, and Kubernetes keeps calling it progressing; saying "Rolling out 0%" there would hide
 * the real problem.
 */
export interface ProcessState {
  kind: 'crash-loop' | 'cannot-start' | 'rollout-failed' | 'rolling-out' | 'stopped' | 'steady';
  /** Colour: danger for what needs the admin, accent for work under way, quiet otherwise. */
  tone: 'danger' | 'accent' | 'muted' | 'none';
  /** The words shown ("Crash loop — OOMKilled", "Rolling out 40%"); empty for a steady process. */
  label: string;
  /** The longer story, for a title. */
  detail: string | null;
}

/** Waiting reasons of a container that cannot be started at all (the image, its config). */
const CANNOT_START = /ImagePull|ErrImage|InvalidImageName|CreateContainer|RunContainerError/;

export function processState(process: Process): ProcessState {
  const live = process.pods.filter((pod) => !pod.terminating);
  const looping = live.filter(isCrashLooping);
  const { rollout } = process;
  if (looping.length > 0) {
    const reasons = [...new Set(looping.map(terminationReason))];
    const share = looping.length === live.length ? '' : ` (${looping.length} of ${live.length})`;
    const restarts = looping.reduce((sum, pod) => sum + pod.restarts, 0);
    return {
      kind: 'crash-loop',
      tone: 'danger',
      label: `Crash loop${share} — ${reasons.join(', ')}`,
      detail:
        `${looping.length} of ${plural(live.length, 'replica keeps', 'replicas keep')} ` +
        `restarting (${restarts} restarts); the last run ended ${reasons.join(', ')}.` +
        (rollout.state === 'failed' && rollout.message ? ` ${rollout.message}` : ''),
    };
  }
  const stuck = live.find((pod) => pod.waitingReason && CANNOT_START.test(pod.waitingReason));
  if (stuck) {
    return {
      kind: 'cannot-start',
      tone: 'danger',
      label: `Cannot start — ${stuck.waitingReason}`,
      detail: `The container of ${stuck.name} cannot be started: ${stuck.waitingReason}.`,
    };
  }
  if (rollout.state === 'failed') {
    return {
      kind: 'rollout-failed',
      tone: 'danger',
      label: 'Rollout stuck',
      detail: rollout.message ?? 'The rollout did not finish.',
    };
  }
  if (rollout.state === 'progressing') {
    return {
      kind: 'rolling-out',
      tone: 'accent',
      label: `Rolling out ${Math.round(rollout.progress * 100)}%`,
      detail: rollout.message,
    };
  }
  if (process.replicas.desired === 0) {
    return {
      kind: 'stopped',
      tone: 'muted',
      label: 'Scaled to zero',
      detail: process.replicasBeforeStop
        ? `Start brings back ${plural(process.replicasBeforeStop, 'replica')}.`
        : null,
    };
  }
  return { kind: 'steady', tone: 'none', label: '', detail: null };
}

/** Why the container last stopped: OOMKilled, Error (exit 1), ... or the waiting reason. */
function terminationReason(pod: Pod): string {
  const termination = pod.lastTermination;
  if (!termination) return pod.waitingReason ?? 'restarting';
  if (termination.reason === 'Error' && termination.exitCode !== null) {
    return `Error (exit ${termination.exitCode})`;
  }
  return termination.reason;
}
