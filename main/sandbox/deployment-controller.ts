import { findCondition, removeCondition, setCondition } from './conditions';
import type { EventRecorder } from './events';
import type { Condition, Deployment, DeploymentStatus, KubeObject, ReplicaSet } from './kube-types';
import type { ObjectStore, StoreEvent } from './object-store';
import { controllerOf, controllerReference } from './owner-references';
import { activeOrLatest, pauseConditions } from './deployment-pause';
import type { Registry } from './registry';
import { TYPES } from './resource-types';
import { WorkQueue, nsKey, splitKey } from './work-queue';
import { timestamp } from './timestamps';

/**
 * The deployment controller: keeps one ReplicaSet per pod template (named
 * `<deployment>-<pod-template-hash>`), rolls from the old template's ReplicaSets to the new one
 * within maxSurge and maxUnavailable as pods become available, and keeps the Deployment's status
 * (observedGeneration, replica counts, the Available / Progressing / ReplicaFailure conditions)
 * true, which is what `kubectl rollout status` reads.
 */

const SOURCE = { component: 'deployment-controller' };
const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';
const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** FNV-1a of the template, spelled with the API server's safe alphabet, as real hashes look. */
export function podTemplateHash(template: unknown): string {
  const text = canonicalJson(template);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const decimal = String(h >>> 0);
  let out = '';
  for (const ch of decimal) out += HASH_ALPHABET[ch.charCodeAt(0) % HASH_ALPHABET.length];
  return out;
}

/** maxSurge / maxUnavailable as counts: percentages of desired, surge up and unavailable down. */
export function rolloutBounds(
  d: Deployment,
  desired: number,
): { surge: number; unavailable: number } {
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const resolve = (v: number | string | undefined, fallback: string, roundUp: boolean): number => {
    const value = v ?? fallback;
    if (typeof value === 'number') return value;
    const pct = Number(value.replace('%', '')) / 100;
    return roundUp ? Math.ceil(pct * desired) : Math.floor(pct * desired);
  };
  let surge = resolve(ru.maxSurge, '25%', true);
  let unavailable = resolve(ru.maxUnavailable, '25%', false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  if (d.spec.strategy?.type === 'Recreate') {
    surge = 0;
    unavailable = desired;
  }
  return { surge, unavailable };
}

function ownedBy(object: KubeObject, uid: string | undefined): boolean {
  return (object.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller);
}

function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? '0') || 0;
}

export class DeploymentController {
  private readonly queue = new WorkQueue((key) => this.reconcile(key));

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: Registry,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  onStoreEvent(event: StoreEvent): void {
    if (event.key === 'apps/deployments') {
      this.queue.add(nsKey(event.namespace, event.object.metadata.name));
    } else if (event.key === 'apps/replicasets') {
      const owner = controllerOf(event.object, 'Deployment')?.name;
      if (owner) this.queue.add(nsKey(event.namespace, owner));
    }
  }

  enqueue(namespace: string, name: string): void {
    this.queue.add(nsKey(namespace, name));
  }

  /** Re-examines deployments still rolling, so a passed progress deadline is reported. */
  resyncProgressing(): void {
    for (const object of this.store.each(TYPES.deployments)) {
      const d = object as Deployment;
      const progressing = findCondition(d.status?.conditions, 'Progressing');
      if (progressing?.reason !== 'NewReplicaSetAvailable') {
        this.queue.add(nsKey(d.metadata.namespace, d.metadata.name));
      }
    }
  }

  drain(): void {
    this.queue.drain();
  }

  stop(): void {
    this.queue.stop();
  }

  private scaleReplicaSet(d: Deployment, rs: ReplicaSet, replicas: number): ReplicaSet {
    const from = rs.spec.replicas ?? 0;
    if (from === replicas) return rs;
    const updated = this.store.update(TYPES.replicasets, {
      ...rs,
      metadata: {
        ...rs.metadata,
        generation: (rs.metadata.generation ?? 1) + 1,
        annotations: {
          ...(rs.metadata.annotations ?? {}),
          'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas ?? 1),
        },
      },
      spec: { ...rs.spec, replicas },
    }) as ReplicaSet;
    this.events.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
      SOURCE,
    );
    return updated;
  }

  private reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const stored = this.store.get(TYPES.deployments, namespace, name) as Deployment | undefined;
    if (!stored || stored.metadata.deletionTimestamp) return;
    const d = this.reportPause(stored);
    const desired = d.spec.replicas ?? 1;
    const hash = podTemplateHash(d.spec.template);
    let all = [...this.store.each(TYPES.replicasets, namespace)].filter((rs) =>
      ownedBy(rs, d.metadata.uid),
    ) as ReplicaSet[];
    let newRs = all.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
    const maxRevision = Math.max(0, ...all.map(revisionOf));
    const { surge, unavailable } = rolloutBounds(d, desired);
    let created = false;

    if (!d.spec.paused) {
      const olds = all.filter((rs) => rs !== newRs);
      const oldReplicas = olds.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      if (!newRs) {
        const initial =
          oldReplicas === 0
            ? desired
            : Math.max(0, Math.min(desired, desired + surge - oldReplicas));
        newRs = this.createReplicaSet(
          d,
          hash,
          maxRevision + 1,
          d.spec.strategy?.type === 'Recreate' && oldReplicas > 0 ? 0 : initial,
        );
        created = true;
        all = [...all, newRs];
      } else if (revisionOf(newRs) < maxRevision) {
        // Rolling back to an older template makes its ReplicaSet the newest revision again.
        newRs = this.store.update(TYPES.replicasets, {
          ...newRs,
          metadata: {
            ...newRs.metadata,
            annotations: {
              ...(newRs.metadata.annotations ?? {}),
              [REVISION]: String(maxRevision + 1),
            },
          },
        }) as ReplicaSet;
      }
      all = this.roll(d, desired, newRs, all, surge, unavailable);
      newRs = all.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash) ?? newRs;
      this.cleanup(d, all, newRs);
      all = all.filter((rs) =>
        this.store.get(TYPES.replicasets, namespace, rs.metadata.name ?? ''),
      );
    } else {
      const target = activeOrLatest(newRs, all, revisionOf);
      if (target && (target.spec.replicas ?? 0) !== desired) {
        const scaled = this.scaleReplicaSet(d, target, desired);
        all = all.map((rs) => (rs.metadata.name === scaled.metadata.name ? scaled : rs));
        if (newRs?.metadata.name === scaled.metadata.name) newRs = scaled;
      }
    }
    this.writeStatus(d, desired, newRs, all, unavailable, created);
  }

  /**
   * Pausing and resuming are reported on their own status write, before anything else this
   * sync does, so a watcher sees DeploymentResumed before the rollout's next reason.
   */
  private reportPause(d: Deployment): Deployment {
    const conditions = pauseConditions(
      d.status?.conditions,
      d.spec.paused === true,
      timestamp(this.now()),
    );
    if (!conditions) return d;
    return this.store.update(TYPES.deployments, {
      ...d,
      status: { ...(d.status ?? {}), conditions },
    }) as Deployment;
  }

  private createReplicaSet(
    d: Deployment,
    hash: string,
    revision: number,
    replicas: number,
  ): ReplicaSet {
    const template = d.spec.template;
    const labels = { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash };
    const rsName = `${d.metadata.name}-${hash}`;
    const existing = this.store.get(TYPES.replicasets, d.metadata.namespace ?? '', rsName);
    if (existing) return existing as ReplicaSet;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: d.metadata.namespace,
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas ?? 1),
          'deployment.kubernetes.io/max-replicas': String((d.spec.replicas ?? 1) + 1),
          [REVISION]: String(revision),
        },
        generation: 1,
        ownerReferences: [controllerReference('apps/v1', 'Deployment', d)],
      },
      spec: {
        replicas,
        selector: {
          ...d.spec.selector,
          matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [HASH_LABEL]: hash },
        },
        template: {
          ...template,
          metadata: { ...(template.metadata ?? {}), labels },
        },
      },
      status: { replicas: 0 },
    };
    const stored = this.registry.create(
      TYPES.replicasets,
      rs.metadata.namespace ?? '',
      rs,
    ) as ReplicaSet;
    if (replicas > 0) {
      this.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${rsName} from 0 to ${replicas}`,
        SOURCE,
      );
    }
    return stored;
  }

  private roll(
    d: Deployment,
    desired: number,
    newRs: ReplicaSet,
    all: ReplicaSet[],
    surge: number,
    unavailable: number,
  ): ReplicaSet[] {
    const replace = (rs: ReplicaSet): void => {
      all = all.map((r) => (r.metadata.name === rs.metadata.name ? rs : r));
    };
    const olds = () => all.filter((rs) => rs.metadata.name !== newRs.metadata.name);
    const oldActive = () => olds().reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const oldPods = () => olds().reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);

    if (d.spec.strategy?.type === 'Recreate') {
      for (const rs of olds())
        if ((rs.spec.replicas ?? 0) > 0) replace(this.scaleReplicaSet(d, rs, 0));
      if (oldActive() === 0 && oldPods() === 0) {
        newRs = this.scaleReplicaSet(d, newRs, desired);
        replace(newRs);
      }
      return all;
    }

    if (oldActive() === 0) {
      newRs = this.scaleReplicaSet(d, newRs, desired);
      replace(newRs);
      return all;
    }

    // Scale the new ReplicaSet up within the surge.
    const total = all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const newReplicas = newRs.spec.replicas ?? 0;
    if (newReplicas < desired) {
      const up = Math.min(desired + surge - total, desired - newReplicas);
      if (up > 0) {
        newRs = this.scaleReplicaSet(d, newRs, newReplicas + up);
        replace(newRs);
      }
    } else if (newReplicas > desired) {
      newRs = this.scaleReplicaSet(d, newRs, desired);
      replace(newRs);
    }

    // Scale old ReplicaSets down while availability stays above desired - maxUnavailable.
    const minAvailable = desired - unavailable;
    const allReplicas = all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const newUnavailable = (newRs.spec.replicas ?? 0) - (newRs.status?.availableReplicas ?? 0);
    let budget = allReplicas - minAvailable - Math.max(0, newUnavailable);
    if (budget <= 0) return all;
    const oldest = olds().sort((a, b) => revisionOf(a) - revisionOf(b));
    // Unhealthy old pods first: removing them costs no availability.
    for (const rs of oldest) {
      if (budget <= 0) break;
      const replicas = rs.spec.replicas ?? 0;
      const unhealthy = replicas - (rs.status?.availableReplicas ?? 0);
      const cut = Math.min(Math.max(0, unhealthy), budget, replicas);
      if (cut > 0) {
        replace(this.scaleReplicaSet(d, rs, replicas - cut));
        budget -= cut;
      }
    }
    const available = all.reduce(
      (n, rs) => n + Math.min(rs.status?.availableReplicas ?? 0, rs.spec.replicas ?? 0),
      0,
    );
    let canRemove = Math.min(budget, available - minAvailable);
    for (const rs of olds().sort((a, b) => revisionOf(a) - revisionOf(b))) {
      if (canRemove <= 0) break;
      const replicas = rs.spec.replicas ?? 0;
      const cut = Math.min(replicas, canRemove);
      if (cut > 0) {
        replace(this.scaleReplicaSet(d, rs, replicas - cut));
        canRemove -= cut;
      }
    }
    return all;
  }

  /** Old ReplicaSets at zero beyond revisionHistoryLimit go, oldest first. */
  private cleanup(d: Deployment, all: ReplicaSet[], newRs: ReplicaSet): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = all
      .filter(
        (rs) => rs !== newRs && (rs.spec.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0,
      )
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const excess = idle.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = idle[i] as ReplicaSet;
      this.store.remove(TYPES.replicasets, rs.metadata.namespace ?? '', rs.metadata.name ?? '');
    }
  }

  private writeStatus(
    d: Deployment,
    desired: number,
    newRs: ReplicaSet | undefined,
    all: ReplicaSet[],
    maxUnavailable: number,
    created: boolean,
  ): void {
    const now = timestamp(this.now());
    const sum = (f: (rs: ReplicaSet) => number | undefined) =>
      all.reduce((n, rs) => n + (f(rs) ?? 0), 0);
    const replicas = sum((rs) => rs.status?.replicas);
    const updated = newRs?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas);
    const available = sum((rs) => rs.status?.availableReplicas);
    const specTotal = sum((rs) => rs.spec.replicas);
    const previous = d.status ?? {};
    let conditions: Condition[] = previous.conditions ?? [];

    conditions =
      available >= desired - maxUnavailable
        ? setCondition(
            conditions,
            {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
            },
            now,
            true,
          )
        : setCondition(
            conditions,
            {
              type: 'Available',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            },
            now,
            true,
          );

    const rsName = newRs?.metadata.name ?? '';
    // The real controller's progress rules (progress.go): a finished rollout is not
    // re-evaluated, so an app whose pods crash later stays "NewReplicaSetAvailable".
    const current = findCondition(conditions, 'Progressing');
    const finished = replicas === updated && current?.reason === 'NewReplicaSetAvailable';
    const complete = updated === desired && replicas === desired && available === desired;
    const progressed =
      updated > (previous.updatedReplicas ?? 0) ||
      ready > (previous.readyReplicas ?? 0) ||
      available > (previous.availableReplicas ?? 0) ||
      replicas < (previous.replicas ?? 0);
    const progressingNow = (reason: string, message: string): void => {
      conditions = removeCondition(conditions, 'Progressing');
      conditions.push({
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: now,
        lastTransitionTime:
          current?.status === 'True' && current.lastTransitionTime
            ? current.lastTransitionTime
            : now,
        reason,
        message,
      });
    };
    if (d.spec.paused) {
      // Paused: the Progressing condition says so (reportPause) and nothing progresses.
    } else if (created) {
      progressingNow('NewReplicaSetCreated', `Created new replica set "${rsName}"`);
    } else if (!finished) {
      if (complete) {
        conditions = setCondition(
          conditions,
          {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${rsName}" has successfully progressed.`,
          },
          now,
          true,
        );
      } else if (progressed || !current) {
        progressingNow('ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
      } else if (current.status === 'True' && current.lastUpdateTime) {
        const deadline = (d.spec.progressDeadlineSeconds ?? 600) * 1000;
        if (this.now().getTime() - Date.parse(current.lastUpdateTime) > deadline) {
          conditions = setCondition(
            conditions,
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${rsName}" has timed out progressing.`,
            },
            now,
            true,
          );
        }
      }
    }

    const failure = newRs ? findCondition(newRs.status?.conditions, 'ReplicaFailure') : undefined;
    conditions = failure
      ? setCondition(
          conditions,
          {
            type: 'ReplicaFailure',
            status: 'True',
            reason: failure.reason ?? 'FailedCreate',
            message: failure.message ?? '',
          },
          now,
          true,
        )
      : removeCondition(conditions, 'ReplicaFailure');

    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      ...(specTotal - available > 0 ? { unavailableReplicas: specTotal - available } : {}),
      conditions: ['Available', 'Progressing', 'ReplicaFailure']
        .map((t) => conditions.find((c) => c.type === t))
        .filter((c): c is Condition => c !== undefined),
    };
    // The API server omits zero counts; so does this.
    for (const k of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
    ] as const) {
      if (status[k] === 0) delete status[k];
    }
    const revision = newRs?.metadata.annotations?.[REVISION];
    const annotations = { ...(d.metadata.annotations ?? {}) };
    if (revision) annotations[REVISION] = revision;
    const annotationsChanged =
      JSON.stringify(annotations) !== JSON.stringify(d.metadata.annotations ?? {});
    if (JSON.stringify(status) === JSON.stringify(d.status ?? {}) && !annotationsChanged) return;
    const latest = this.store.get(
      TYPES.deployments,
      d.metadata.namespace ?? '',
      d.metadata.name ?? '',
    );
    if (!latest) return;
    this.store.update(TYPES.deployments, {
      ...latest,
      metadata: { ...latest.metadata, annotations },
      status,
    });
  }
}
