import type { App, Process } from './app-model';
import type { ErrorCode } from './errors';
import { formatBytes, plural } from './format';

/**
 * What a change of replicas would do, worked out before anything is sent: the renderer shows it
 * as a preview while the admin types, and main refuses with the same words before writing. One
 * function for both, so the preview and the refusal never disagree.
 */

/** The input as the editor holds it: a number, or the text of the field. */
export type ReplicasValidation = { ok: true; replicas: number } | { ok: false; message: string };

/**
 * Checks a wanted replica count. Accepts a number (what the contract carries); text is refused
 * as text, so the editor should pass the field's text through {@link parseReplicasText} first.
 * The messages are meant to be shown verbatim.
 */
export function validateReplicas(value: unknown, maxReplicas: number): ReplicasValidation {
  if (typeof value === 'string')
    return { ok: false, message: 'Replicas must be a number, not text.' };
  if (typeof value !== 'number') return { ok: false, message: 'Enter a number of replicas.' };
  if (Number.isNaN(value)) return { ok: false, message: 'Replicas must be a number.' };
  if (value < 0) return { ok: false, message: 'Replicas cannot be negative.' };
  if (value > maxReplicas) {
    // Worded as dispatch words the contract's own limits: the rule whole, then what was sent.
    return {
      ok: false,
      message: `replicas must be a whole number from 0 to ${maxReplicas} (the maximum set in Settings); got ${String(value)}`,
    };
  }
  if (!Number.isInteger(value)) return { ok: false, message: 'Replicas must be a whole number.' };
  return { ok: true, replicas: value };
}

/** The editor's text field: blank, digits, or something else, with the same messages. */
export function parseReplicasText(text: string, maxReplicas: number): ReplicasValidation {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'Enter a number of replicas.' };
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) {
    return { ok: false, message: 'Replicas must be a number.' };
  }
  return validateReplicas(Number(trimmed), maxReplicas);
}

/**
 * A note on a change, with what it is about: callers pick notes by `kind` (the editor shows the
 * memory change in its own table, not as a note) and show `message` verbatim.
 */
export type ReplicaNote =
  /** The count asked for is the count now: nothing changes. */
  | { kind: 'unchanged'; message: string }
  /** Scaling to zero: the process stops. */
  | { kind: 'stops'; message: string }
  /** The app's maximum memory before and after the change. */
  | { kind: 'max-memory'; message: string };

export type ReplicaNoteKind = ReplicaNote['kind'];

export interface ReplicaPlan {
  appId: string;
  process: string;
  from: number;
  to: number;
  /** Pods that must be created for the change (0 when scaling down). */
  newPods: number;
  memory: {
    /** One replica's memory limit. */
    perReplicaBytes: number;
    /** The app's maximum memory (all replicas and the workspace) now and after the change. */
    maxNowBytes: number;
    maxAfterBytes: number;
  };
  pods: {
    /** The namespace pod quota: used now, hard limit, left after the change (null: no quota). */
    quotaUsed: number | null;
    quotaHard: number | null;
    quotaLeftAfter: number | null;
    /** Free pod slots on the nodes now and after (null: nodes not known). */
    nodesFree: number | null;
    nodesFreeAfter: number | null;
  };
  /** False where the change cannot get its pods: main refuses it, the preview says why. */
  fits: boolean;
  /** Why it does not fit, with the numbers; null where it fits. */
  refusal: string | null;
  /** Worth knowing before confirming (stopping the process, no change). */
  notes: ReplicaNote[];
}

export type ReplicaPlanResult =
  | { ok: true; plan: ReplicaPlan }
  | { ok: false; code: Extract<ErrorCode, 'INVALID_INPUT' | 'NOT_FOUND'>; message: string };

/** Pods of the process that hold (or will hold) a quota slot: not already terminating. */
function livePods(process: Process): number {
  return process.pods.filter((pod) => !pod.terminating).length;
}

/**
 * The effect of setting `processName` of `app` to `replicas` (validated here too), and whether
 * the namespace pod quota and the nodes have room for it. Scaling down always fits.
 */
export function planReplicas(
  app: App,
  processName: string,
  replicas: unknown,
  maxReplicas: number,
): ReplicaPlanResult {
  if (app.workspace && processName === app.workspace.name) {
    return {
      ok: false,
      code: 'INVALID_INPUT',
      message: `The workspace of ${app.name} is not scaled: it always runs one replica.`,
    };
  }
  const process = app.processes.find((p) => p.name === processName);
  if (!process) {
    const known = app.processes.map((p) => p.name).join(', ') || 'none';
    return {
      ok: false,
      code: 'NOT_FOUND',
      message: `${app.name} has no process "${processName}" (its processes: ${known}).`,
    };
  }
  const valid = validateReplicas(replicas, maxReplicas);
  if (!valid.ok) return { ok: false, code: 'INVALID_INPUT', message: valid.message };

  const from = process.replicas.desired;
  const to = valid.replicas;
  // Scaling down never needs room. Up: pods missing now (a quota already full, a rollout not
  // yet created them) need a slot as much as the added ones, so count from the live pods.
  const newPods = to <= from ? 0 : Math.max(0, to - livePods(process));
  const perReplica = process.memoryLimit.bytes;
  const maxAfter = Math.max(0, app.memory.maxBytes + (to - from) * perReplica);

  const { quotaUsed, quotaHard, nodesFree } = app.podRoom;
  const quotaLeftAfter = quotaHard === null ? null : quotaHard - (quotaUsed ?? 0) - newPods;
  const nodesFreeAfter = nodesFree === null ? null : nodesFree - newPods;

  const problems: string[] = [];
  if (newPods > 0 && quotaLeftAfter !== null && quotaLeftAfter < 0) {
    const left = Math.max(0, (quotaHard ?? 0) - (quotaUsed ?? 0));
    problems.push(
      `the pod quota of namespace ${app.namespace} allows ${plural(quotaHard ?? 0, 'pod')} and ${quotaUsed ?? 0} are in use, so ${left} more can start`,
    );
  }
  if (newPods > 0 && nodesFreeAfter !== null && nodesFreeAfter < 0) {
    problems.push(`the nodes have room for ${plural(Math.max(0, nodesFree ?? 0), 'more pod')}`);
  }
  const refusal =
    problems.length === 0
      ? null
      : `${process.name} of ${app.name} cannot go from ${from} to ${plural(to, 'replica')}: it needs ${plural(newPods, 'more pod')}, but ${problems.join(', and ')}.`;

  const notes: ReplicaNote[] = [];
  if (to === from) {
    notes.push({
      kind: 'unchanged',
      message: `${process.name} already has ${plural(from, 'replica')}.`,
    });
  }
  if (to === 0 && from > 0) {
    notes.push({
      kind: 'stops',
      message: `${process.name} will stop: no replica will run. Start brings back its ${plural(from, 'replica')}.`,
    });
  }
  if (to !== from) {
    notes.push({
      kind: 'max-memory',
      message: `The app's maximum memory goes from ${formatBytes(app.memory.maxBytes)} to ${formatBytes(maxAfter)}.`,
    });
  }

  return {
    ok: true,
    plan: {
      appId: app.id,
      process: process.name,
      from,
      to,
      newPods,
      memory: {
        perReplicaBytes: perReplica,
        maxNowBytes: app.memory.maxBytes,
        maxAfterBytes: maxAfter,
      },
      pods: { quotaUsed, quotaHard, quotaLeftAfter, nodesFree, nodesFreeAfter },
      fits: refusal === null,
      refusal,
      notes,
    },
  };
}
