import type { V1Pod } from '@kubernetes/client-node';
import {
  APP_LABEL,
  COMPONENT_LABEL,
  HELM_RELEASE_ANNOTATION,
  INSTANCE_LABEL,
  NAME_LABEL,
  type Grouping,
  type GroupingRule,
  type WorkloadKind,
} from '../../shared/app-model';
import { isAppName, isProcessName } from '../../shared/kube-names';
import { processContainerIndex } from '../../shared/process-container';
import type { Workload, WorkloadObject } from './workload';

/**
 * Which app a workload belongs to, what its process is called there, and which workload a pod
 * belongs to (docs/domain-mapping.md says the same in words).
 *
 * Apps are found per namespace, by the first rule that gives a name: the grouping label (a
 * setting, `app.kubernetes.io/part-of` by default); the release (`app.kubernetes.io/instance`,
 * else Helm's `meta.helm.sh/release-name` annotation); `app.kubernetes.io/name`, else `app`;
 * else the workload is an app of its own, named after itself. Workloads whose rules give the same
 * name are one app, whichever rule gave it: a name is the app.
 */

/** The rules in the order they are tried: an app's `groupedBy` is the first any workload used. */
export const GROUPING_RULES: readonly GroupingRule[] = [
  'grouping-label',
  'helm-release',
  'instance',
  'name-label',
  'app-label',
  'workload',
];

/** The app a workload belongs to (its name within the namespace) and the rule that said so. */
export interface WorkloadGrouping extends Grouping {
  app: string;
}

/** A label's or annotation's value where it can name an app; null where empty or unusable. */
function appNameIn(values: Record<string, string> | undefined, key: string): string | null {
  const value = values?.[key];
  return value !== undefined && isAppName(value) ? value : null;
}

export function groupingOf(workload: WorkloadObject, groupingLabel: string): WorkloadGrouping {
  const labels = workload.metadata?.labels;
  const annotations = workload.metadata?.annotations;
  const own = appNameIn(labels, groupingLabel);
  if (own !== null) return { app: own, rule: 'grouping-label', key: groupingLabel };
  const release = appNameIn(annotations, HELM_RELEASE_ANNOTATION);
  const instance = appNameIn(labels, INSTANCE_LABEL);
  if (instance !== null) {
    // Helm sets both to the release's name; anything else sets the instance label on its own.
    const rule = instance === release ? 'helm-release' : 'instance';
    return { app: instance, rule, key: INSTANCE_LABEL };
  }
  if (release !== null) return { app: release, rule: 'helm-release', key: HELM_RELEASE_ANNOTATION };
  const name = appNameIn(labels, NAME_LABEL);
  if (name !== null) return { app: name, rule: 'name-label', key: NAME_LABEL };
  const app = appNameIn(labels, APP_LABEL);
  if (app !== null) return { app, rule: 'app-label', key: APP_LABEL };
  return { app: workload.metadata?.name ?? '', rule: 'workload', key: null };
}

/** The first rule, in GROUPING_RULES order, of those given: what an app says it was grouped by. */
export function strongestGrouping(groupings: Iterable<Grouping>): Grouping {
  let best: Grouping | null = null;
  for (const grouping of groupings) {
    if (
      best === null ||
      GROUPING_RULES.indexOf(grouping.rule) < GROUPING_RULES.indexOf(best.rule)
    ) {
      best = grouping;
    }
  }
  return best ?? { rule: 'workload', key: null };
}

/**
 * The process a workload is in its app, before names are made unique: its
 * `app.kubernetes.io/component`; else its name less the `<app>-` prefix (release `shop`,
 * Deployment `shop-worker`: `worker`); else, where that leaves nothing (a workload named as its
 * app) or the name does not start so, the name of its process container (the first running
 * gunicorn, else the first: processContainerIndex); else the workload's own name.
 */
export function processNameOf(workload: WorkloadObject, app: string): string {
  const component = workload.metadata?.labels?.[COMPONENT_LABEL];
  if (component !== undefined && isProcessName(component)) return component;
  const name = workload.metadata?.name ?? '';
  const rest = name.startsWith(`${app}-`) ? name.slice(app.length + 1) : '';
  if (isProcessName(rest)) return rest;
  const containers = workload.spec?.template?.spec?.containers ?? [];
  const container = containers[processContainerIndex(containers)]?.name;
  if (container !== undefined && isProcessName(container)) return container;
  return name;
}

function createdAt(workload: WorkloadObject): number {
  const value = workload.metadata?.creationTimestamp;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value ?? ''));
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** Oldest first, then by kind and name: the order in which workloads claim their names. */
function claimOrder(a: Workload, b: Workload): number {
  return (
    createdAt(a.object) - createdAt(b.object) ||
    a.kind.localeCompare(b.kind) ||
    (a.object.metadata?.name ?? '').localeCompare(b.object.metadata?.name ?? '')
  );
}

/**
 * Each workload's process name in its app, unique within it. Where several workloads would have
 * the same name, the oldest (creation time, then kind, then name) keeps it, so a workload added
 * later never renames one already there; each of the others is named by its workload's name
 * instead, or, where that is taken too, by its workload's name and `-2`, `-3`, ...
 */
export function processNames(app: string, workloads: readonly Workload[]): Map<Workload, string> {
  const names = new Map<Workload, string>();
  const taken = new Set<string>();
  const later: Workload[] = [];
  for (const workload of [...workloads].sort(claimOrder)) {
    const wanted = processNameOf(workload.object, app);
    if (taken.has(wanted)) {
      later.push(workload);
      continue;
    }
    names.set(workload, wanted);
    taken.add(wanted);
  }
  for (const workload of later) {
    const own = workload.object.metadata?.name ?? '';
    let name = own;
    for (let n = 2; taken.has(name); n++) name = `${own}-${n}`;
    names.set(workload, name);
    taken.add(name);
  }
  return names;
}

/** The controller that owns a pod (the owner reference marked `controller`); null: none. */
export function podController(pod: V1Pod): { kind: string; name: string } | null {
  const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller === true);
  return owner ? { kind: owner.kind, name: owner.name } : null;
}

/**
 * The workload a pod belongs to, from its owner references alone: a StatefulSet that controls it,
 * or the Deployment of the ReplicaSet that controls it (the deployment controller names a
 * ReplicaSet `<deployment>-<pod-template-hash>`, the hash also on the pod). Never by labels: a
 * pod of a DaemonSet, a Job or another StatefulSet whose labels a Deployment's selector happens
 * to match is not that Deployment's replica, and a pod with no controller is no one's (scaling
 * a workload does not touch it). Null: no workload ScaleDesk scales.
 */
export function podWorkload(pod: V1Pod): { kind: WorkloadKind; name: string } | null {
  const controller = podController(pod);
  if (controller === null) return null;
  if (controller.kind === 'StatefulSet') return { kind: 'StatefulSet', name: controller.name };
  if (controller.kind !== 'ReplicaSet') return null;
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (!hash || !controller.name.endsWith(`-${hash}`)) return null;
  return { kind: 'Deployment', name: controller.name.slice(0, -hash.length - 1) };
}
