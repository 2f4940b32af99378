import type { AppStatus, Pod, Process } from './app-model';
import { formatBytes, plural } from './format';

/**
 * How an app is doing, one reading for main (the app's status badge and message) and the
 * renderer (the line of each process), so the badge and the process line never disagree.
 */

/**
 * A pod whose container was killed at its memory limit and is not serving: restarting in a loop,
 * whether or not the CrashLoopBackOff back-off is showing between restarts.
 */
export function isOomLooping(pod: Pod): boolean {
  return pod.lastTermination?.reason === 'OOMKilled' && !pod.ready && !pod.terminating;
}

/**
 * The limit the OOM-killed replicas were killed at: their own (what the kubelet enforced), not
 * what a new replica would get (a namespace default changed since they started).
 */
function oomLimitBytes(process: Process): number {
  return process.pods.find(isOomLooping)?.memoryLimitBytes ?? process.memoryLimit.bytes;
}

/** A pod that keeps failing: in CrashLoopBackOff, or OOM-looping. A terminating pod is leaving. */
export function isCrashLooping(pod: Pod): boolean {
  if (pod.terminating) return false;
  return pod.waitingReason === 'CrashLoopBackOff' || isOomLooping(pod);
}

/**
 * The app's status, worst first: stopped by its memory limit (a scaled process has no ready
 * replica and its pods were OOMKilled and are restarting), scaled to zero, degraded (a failed
 * rollout, pods OOM-killed or crash-looping), deploying (with progress), degraded (fewer ready
 * than desired for no visible reason), else running.
 */
export function appStatus(processes: readonly Process[], workspace: Process | null): AppStatus {
  const scaled = processes.filter((p) => p.replicas.desired > 0);
  const oomStopped = scaled.filter((p) => p.replicas.ready === 0 && p.pods.some(isOomLooping));
  if (oomStopped.length > 0) {
    const names = oomStopped
      .map((p) => `${p.name} (limit ${formatBytes(oomLimitBytes(p))} per replica)`)
      .join(', ');
    return {
      kind: 'oom-stopped',
      progress: null,
      message: `Stopped by its memory limit: ${names} was OOMKilled and keeps restarting. Raise the limit or lower the workers (Scale tab), or load data lazily; then Start.`,
    };
  }
  if (processes.length > 0 && scaled.length === 0) {
    return {
      kind: 'scaled-to-zero',
      progress: null,
      message: 'Scaled to zero: no replica is running.',
    };
  }
  const all = [...processes, ...(workspace ? [workspace] : [])];
  const failed = all.filter((p) => p.rollout.state === 'failed');
  if (failed.length > 0) {
    return {
      kind: 'degraded',
      progress: null,
      message: failed
        .map((p) => `${p.name}: ${p.rollout.message ?? 'the rollout failed'}`)
        .join(' '),
    };
  }
  // Pods that keep failing make the app degraded even mid-rollout: the rollout will not finish.
  const failing: string[] = [];
  for (const p of all) {
    const oom = p.pods.filter(isOomLooping).length;
    const crashing = p.pods.filter(isCrashLooping).length;
    if (oom > 0) {
      failing.push(`${p.name}: ${plural(oom, 'replica')} stopped by the memory limit (OOMKilled).`);
    } else if (crashing > 0) {
      failing.push(`${p.name}: ${plural(crashing, 'replica')} crash-looping.`);
    }
  }
  if (failing.length > 0) return { kind: 'degraded', progress: null, message: failing.join(' ') };
  const rolling = all.filter((p) => p.rollout.state === 'progressing');
  if (rolling.length > 0) {
    // The mean of progresses in 0..1 stays in 0..1.
    const progress = rolling.reduce((sum, p) => sum + p.rollout.progress, 0) / rolling.length;
    return {
      kind: 'deploying',
      progress,
      message: rolling.map((p) => `${p.name}: ${p.rollout.message ?? 'rolling out'}`).join(' '),
    };
  }
  const short = all
    .filter((p) => p.replicas.ready < p.replicas.desired)
    .map((p) => `${p.name}: ${p.replicas.ready} of ${p.replicas.desired} replicas ready.`);
  if (short.length > 0) return { kind: 'degraded', progress: null, message: short.join(' ') };
  const ready = scaled.reduce((sum, p) => sum + p.replicas.ready, 0);
  return {
    kind: 'running',
    progress: null,
    message: `Running: ${plural(ready, 'replica')} ready.`,
  };
}
