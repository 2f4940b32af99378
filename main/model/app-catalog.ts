import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { appId as makeAppId, type App, type WorkloadKind } from '../../shared/app-model';
import { buildApp, type CatalogContext } from './app-assembly';
import { groupingOf, podWorkload, strongestGrouping, type WorkloadGrouping } from './app-grouping';
import { namespacedKey, objectKey } from '../kube/object-key';
import { keyOf, workloadKey, type Workload, type WorkloadObject } from './workload';

/**
 * The app catalog: Deployments, StatefulSets and Pods as the watches deliver them, grouped into
 * apps (app-grouping), and the App objects of the contract built from them (app-assembly). It
 * keeps indexes so one pod event touches one app, and remembers which apps changed since the
 * last flush so the live cluster can send only those.
 */

// ---------------------------------------------------------------------------------------------
// The catalog with its indexes

export interface CatalogChanges {
  upserted: App[];
  removed: string[];
}

function addTo<K, V>(map: Map<K, Set<V>>, k: K, v: V): void {
  let set = map.get(k);
  if (!set) {
    set = new Set();
    map.set(k, set);
  }
  set.add(v);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, k: K, v: V): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) map.delete(k);
}

/**
 * The watched objects the catalog indexes, keyed `namespace/name` as ResourceWatch keeps them:
 * the catalog reads them there and keeps no copy. A store holds each change before the catalog
 * is told of it (`upsert*` / `delete*`), which is the order ResourceWatch calls back in.
 */
export interface CatalogStores {
  deployments: ReadonlyMap<string, V1Deployment>;
  statefulSets: ReadonlyMap<string, V1StatefulSet>;
  pods: ReadonlyMap<string, V1Pod>;
}

/** A workload the catalog has taken in, by what its key is made of. */
interface IndexedWorkload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  grouping: WorkloadGrouping;
  appId: string;
}

/**
 * Indexes over the stores (app -> workloads, workload -> pods, pod -> workload) and the apps
 * built from them. Reads (`get`, `list`, `summary` inputs) change nothing: an app that changed
 * since the last flush is built afresh for the reader, and kept only by `flush`, so only a flush
 * decides what goes out as changed.
 *
 * A pod is indexed under the workload its owner references name (app-grouping's podWorkload)
 * whether or not that workload is known yet (watches of different kinds are not ordered): the
 * workload finds its pods there when it arrives.
 */
export class AppCatalog {
  private groupingLabel: string;
  /** Pod key -> the key of the workload that owns it (known or not yet). */
  private readonly podOwner = new Map<string, string>();
  private readonly podsOfWorkload = new Map<string, Set<string>>();
  private readonly workloads = new Map<string, IndexedWorkload>();
  private readonly workloadsOfApp = new Map<string, Set<string>>();
  /**
   * Namespace -> the ids of its apps (those with a workload): a namespace's change (its limits,
   * its permissions, its autoscalers) marks its own apps without a scan of every app, which over
   * 2,000 namespaces at the first sync was 2,000 scans of 5,000 ids.
   */
  private readonly appsOfNamespace = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly built = new Map<string, App>();

  constructor(
    private readonly stores: CatalogStores,
    private readonly context: CatalogContext,
    /** The label read first to group workloads (the `groupingLabel` setting). */
    groupingLabel: string,
  ) {
    this.groupingLabel = groupingLabel;
  }

  /** The workload as the store has it now; undefined where there is none. */
  workload(kind: WorkloadKind, namespace: string, name: string): WorkloadObject | undefined {
    return this.storeOf(kind).get(namespacedKey(namespace, name));
  }

  /** The workload (already in its store) was added or changed. */
  upsertWorkload(kind: WorkloadKind, object: WorkloadObject): void {
    this.index({ kind, object });
  }

  /** The workload (already gone from its store) was deleted. Its pods' claims stay, for its return. */
  deleteWorkload(kind: WorkloadKind, object: WorkloadObject): void {
    const k = keyOf({ kind, object });
    const indexed = this.workloads.get(k);
    if (!indexed) return;
    this.workloads.delete(k);
    this.unlink(indexed.appId, k);
    this.dirty.add(indexed.appId);
  }

  /**
   * Groups every workload again by another grouping label (the setting changed): apps that
   * change are marked, to go out at the next flush (one that is gone, as removed). Returns
   * whether the label was another.
   */
  regroup(groupingLabel: string): boolean {
    if (groupingLabel === this.groupingLabel) return false;
    this.groupingLabel = groupingLabel;
    for (const { kind, namespace, name } of [...this.workloads.values()]) {
      const object = this.workload(kind, namespace, name);
      if (object) this.index({ kind, object });
    }
    return true;
  }

  /** The pod (already in the store) was added or changed: its owner may have changed too. */
  upsertPod(pod: V1Pod): void {
    const k = objectKey(pod);
    const claim = podWorkload(pod);
    const owner = claim ? workloadKey(claim.kind, pod.metadata?.namespace ?? '', claim.name) : null;
    const previous = this.podOwner.get(k);
    if (previous !== undefined && previous !== owner) {
      removeFrom(this.podsOfWorkload, previous, k);
      this.podOwner.delete(k);
      this.markWorkload(previous);
    }
    if (owner === null) return;
    this.podOwner.set(k, owner);
    addTo(this.podsOfWorkload, owner, k);
    this.markWorkload(owner);
  }

  /** The pod (already gone from the store) was deleted. */
  deletePod(pod: V1Pod): void {
    const k = objectKey(pod);
    const owner = this.podOwner.get(k);
    if (owner === undefined) return;
    this.podOwner.delete(k);
    removeFrom(this.podsOfWorkload, owner, k);
    this.markWorkload(owner);
  }

  /** Marks the apps whose pods' memory figures changed. */
  memoryChanged(podKeys: Iterable<string>): void {
    for (const podKey of podKeys) {
      const owner = this.podOwner.get(podKey);
      if (owner !== undefined) this.markWorkload(owner);
    }
  }

  markApp(appId: string): void {
    if (this.workloadsOfApp.has(appId) || this.built.has(appId)) this.dirty.add(appId);
  }

  markNamespace(namespace: string): void {
    for (const id of this.appsOfNamespace.get(namespace) ?? []) this.dirty.add(id);
  }

  /** Rebuilds the apps that changed; returns them and the ids of apps that are gone. */
  flush(): CatalogChanges {
    const upserted: App[] = [];
    const removed: string[] = [];
    for (const id of this.dirty) {
      const app = this.build(id);
      if (app) {
        this.built.set(id, app);
        upserted.push(app);
      } else if (this.built.delete(id)) {
        removed.push(id);
      }
    }
    this.dirty.clear();
    return { upserted, removed };
  }

  /**
   * The app as it is now: built afresh where it changed since the last flush, without keeping
   * it (the flush will, and send it).
   */
  get(appId: string): App | undefined {
    return this.dirty.has(appId) ? this.build(appId) : this.built.get(appId);
  }

  /** Every app as it is now, by id; like `get`, it changes nothing. */
  list(): App[] {
    const apps = new Map(this.built);
    for (const id of this.dirty) {
      const app = this.build(id);
      if (app) apps.set(id, app);
      else apps.delete(id);
    }
    return [...apps.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  appIds(): Set<string> {
    return new Set(this.workloadsOfApp.keys());
  }

  /** Namespaces that hold at least one app. */
  namespaces(): Set<string> {
    return new Set(this.appsOfNamespace.keys());
  }

  /** Workloads taken in, in the namespace (null: all): each is in an app. */
  workloadCount(namespace: string | null): number {
    if (namespace === null) return this.workloads.size;
    let count = 0;
    for (const workload of this.workloads.values()) if (workload.namespace === namespace) count++;
    return count;
  }

  /** Whether the pod is a replica of a process: its owner is a workload the catalog has. */
  isListed(pod: V1Pod): boolean {
    const owner = this.podOwner.get(objectKey(pod));
    return owner !== undefined && this.workloads.has(owner);
  }

  private storeOf(kind: WorkloadKind): ReadonlyMap<string, WorkloadObject> {
    return kind === 'StatefulSet' ? this.stores.statefulSets : this.stores.deployments;
  }

  /** Takes the workload in, or moves it to the app it now belongs to. */
  private index(workload: Workload): void {
    const k = keyOf(workload);
    const namespace = workload.object.metadata?.namespace ?? '';
    const grouping = groupingOf(workload.object, this.groupingLabel);
    const appId = makeAppId(namespace, grouping.app);
    const previous = this.workloads.get(k);
    if (previous !== undefined && previous.appId !== appId) {
      this.unlink(previous.appId, k);
      this.dirty.add(previous.appId);
    }
    this.workloads.set(k, {
      kind: workload.kind,
      namespace,
      name: workload.object.metadata?.name ?? '',
      grouping,
      appId,
    });
    addTo(this.workloadsOfApp, appId, k);
    addTo(this.appsOfNamespace, namespace, appId);
    this.dirty.add(appId);
  }

  /** The workload is no longer the app's; an app left without workloads leaves its namespace. */
  private unlink(appId: string, workloadKey: string): void {
    removeFrom(this.workloadsOfApp, appId, workloadKey);
    if (this.workloadsOfApp.has(appId)) return;
    removeFrom(this.appsOfNamespace, appId.slice(0, appId.indexOf('/')), appId);
  }

  private markWorkload(key: string): void {
    const app = this.workloads.get(key)?.appId;
    if (app !== undefined) this.dirty.add(app);
  }

  private build(appId: string): App | undefined {
    const keys = this.workloadsOfApp.get(appId);
    if (!keys || keys.size === 0) return undefined;
    const workloads: Workload[] = [];
    const groupings: WorkloadGrouping[] = [];
    for (const k of keys) {
      const indexed = this.workloads.get(k);
      const object = indexed && this.workload(indexed.kind, indexed.namespace, indexed.name);
      if (!indexed || !object) continue;
      workloads.push({ kind: indexed.kind, object });
      groupings.push(indexed.grouping);
    }
    if (workloads.length === 0) return undefined;
    const { rule, key } = strongestGrouping(groupings);
    // Each workload's pods are asked for twice (its process, the app's last change): looked up
    // once per build, since the first sync builds every app of the cluster.
    const podsByWorkload = new Map<Workload, V1Pod[]>();
    const podsOf = (workload: Workload): V1Pod[] => {
      let pods = podsByWorkload.get(workload);
      if (pods) return pods;
      pods = [];
      for (const podKey of this.podsOfWorkload.get(keyOf(workload)) ?? []) {
        const pod = this.stores.pods.get(podKey);
        if (pod !== undefined) pods.push(pod);
      }
      podsByWorkload.set(workload, pods);
      return pods;
    };
    const slash = appId.indexOf('/');
    return buildApp(
      appId.slice(0, slash),
      appId.slice(slash + 1),
      { rule, key },
      workloads,
      podsOf,
      this.context,
    );
  }
}
