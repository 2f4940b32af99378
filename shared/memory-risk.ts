import type { App, Pod, Process } from './app-model';
import { formatBytes, plural } from './format';

/**
 * The one rule for "at risk": a replica close to being stopped by its own memory limit, whatever
 * the app's total says. An app's total against its maximum averages a hot replica away (one at
 * 91 % of 8 GiB among two idle ones reads 36 %), so the risk is judged replica by replica, against
 * the limit that replica really runs (its own spec; the process's limit where the pod's is not
 * known). The card, the sidebar row and the OOM banner all read it from here.
 */

/** Past this share of its own limit a replica is at risk (the cgroup kills it at 100 %). */
export const AT_RISK_SHARE = 0.9;

export type ReplicaRisk =
  /** Memory measured now above {@link AT_RISK_SHARE} of the replica's own limit. */
  | { kind: 'near-limit'; pod: string; usedBytes: number; limitBytes: number }
  /** Killed at its limit (OOMKilled) and restarting: not serving, or backing off. */
  | { kind: 'oom-restarting'; pod: string; restarts: number; limitBytes: number };

export interface ProcessRisk {
  process: string;
  replicas: ReplicaRisk[];
  /** One sentence naming the replicas and why, for a title or a banner. */
  message: string;
}

export interface RiskOptions {
  /**
   * The memory figures are the last good ones of a metrics API that stopped answering: they say
   * nothing of now, so they mark nothing by themselves. An OOM restart is read from the pod's own
   * status (the watch), not from the metrics, and still counts.
   */
  memoryStale?: boolean;
}

/** The limit the replica runs: its own spec, else the process's. */
function limitOf(pod: Pod, process: Process): number {
  return pod.memoryLimitBytes ?? process.memoryLimit.bytes;
}

function restartingAfterOom(pod: Pod): boolean {
  return (
    pod.lastTermination?.reason === 'OOMKilled' &&
    pod.restarts > 0 &&
    (!pod.ready || pod.waitingReason === 'CrashLoopBackOff')
  );
}

/** Why this replica is at risk; null where it is not (or is leaving). */
export function replicaRisk(
  pod: Pod,
  process: Process,
  options: RiskOptions = {},
): ReplicaRisk | null {
  if (pod.terminating) return null;
  const limitBytes = limitOf(pod, process);
  if (restartingAfterOom(pod)) {
    return { kind: 'oom-restarting', pod: pod.name, restarts: pod.restarts, limitBytes };
  }
  if (
    !options.memoryStale &&
    pod.memoryBytes !== null &&
    pod.memoryBytes > limitBytes * AT_RISK_SHARE
  ) {
    return { kind: 'near-limit', pod: pod.name, usedBytes: pod.memoryBytes, limitBytes };
  }
  return null;
}

function describe(risk: ReplicaRisk): string {
  if (risk.kind === 'oom-restarting') {
    return `${risk.pod} was stopped by its ${formatBytes(risk.limitBytes)} limit (OOMKilled) and is restarting (${plural(risk.restarts, 'restart')})`;
  }
  const percent = Math.round((risk.usedBytes / risk.limitBytes) * 100);
  return `${risk.pod} uses ${formatBytes(risk.usedBytes)}, ${percent} % of its ${formatBytes(risk.limitBytes)} limit`;
}

/** The process's replicas at risk, with a sentence saying so; null where none is. */
export function processRisk(process: Process, options: RiskOptions = {}): ProcessRisk | null {
  const replicas = process.pods
    .map((pod) => replicaRisk(pod, process, options))
    .filter((risk): risk is ReplicaRisk => risk !== null);
  if (replicas.length === 0) return null;
  return {
    process: process.name,
    replicas,
    message: `At risk of being stopped by the memory limit: ${replicas.map(describe).join('; ')}.`,
  };
}

/** Every process of the app (and its workspace) with a replica at risk; empty where none. */
export function appRisks(app: App, options: RiskOptions = {}): ProcessRisk[] {
  const parts = [...app.processes, ...(app.workspace ? [app.workspace] : [])];
  return parts
    .map((process) => processRisk(process, options))
    .filter((risk): risk is ProcessRisk => risk !== null);
}
