import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { PART_OF_LABEL, appId as makeAppId, type App } from '../../shared/app-model';
import { buildApp, type CatalogContext } from './app-assembly';
import { appIdOf, selectorMatches } from './app-grouping';
import { namespacedKey as key, objectKey } from './object-key';

/**
 * The app catalog: Deployments and Pods as the watches deliver them, grouped into apps
 * (app-grouping), and the App objects of the contract built from them (app-assembly). It keeps
 * indexes so one pod event touches one app, and remembers which apps changed since the last flush
 * so the live cluster can send only those.
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
  pods: ReadonlyMap<string, V1Pod>;
}

/**
 * Indexes over the stores (app -> Deployments, Deployment -> pods, pods waiting for their
 * Deployment) and the apps built from them. Reads (`get`, `list`) change nothing: an app that
 * changed since the last flush is built afresh for the reader, and kept only by `flush`, so
 * only a flush decides what goes out as changed.
 */
export class AppCatalog {
  private readonly podOwner = new Map<string, string>();
  private readonly podsOfDeployment = new Map<string, Set<string>>();
  /** Pods whose Deployment is not known yet (watches of different kinds are not ordered). */
  private readonly orphans = new Map<string, Set<string>>();
  private readonly deploymentsOfNamespace = new Map<string, Set<string>>();
  private readonly appOfDeployment = new Map<string, string>();
  private readonly deploymentsOfApp = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly built = new Map<string, App>();

  constructor(
    private readonly stores: CatalogStores,
    private readonly context: CatalogContext,
  ) {}

  deployment(namespace: string, name: string): V1Deployment | undefined {
    return this.stores.deployments.get(key(namespace, name));
  }

  /** The Deployment (already in the store) was added or changed. */
  upsertDeployment(deployment: V1Deployment): void {
    const k = objectKey(deployment);
    const namespace = deployment.metadata?.namespace ?? '';
    const known = this.isIndexed(k, namespace);
    addTo(this.deploymentsOfNamespace, namespace, k);
    const oldApp = this.appOfDeployment.get(k);
    const newApp = appIdOf(deployment);
    if (oldApp !== undefined && oldApp !== newApp) {
      removeFrom(this.deploymentsOfApp, oldApp, k);
      this.appOfDeployment.delete(k);
      this.dirty.add(oldApp);
    }
    if (newApp !== null) {
      this.appOfDeployment.set(k, newApp);
      addTo(this.deploymentsOfApp, newApp, k);
      this.dirty.add(newApp);
    }
    if (!known) this.adoptOrphans(namespace);
  }

  /** The Deployment (already gone from the store) was deleted. */
  deleteDeployment(deployment: V1Deployment): void {
    const k = objectKey(deployment);
    const namespace = deployment.metadata?.namespace ?? '';
    if (!this.isIndexed(k, namespace)) return;
    removeFrom(this.deploymentsOfNamespace, namespace, k);
    const app = this.appOfDeployment.get(k);
    if (app !== undefined) {
      removeFrom(this.deploymentsOfApp, app, k);
      this.appOfDeployment.delete(k);
      this.dirty.add(app);
    }
    for (const podKey of this.podsOfDeployment.get(k) ?? []) {
      this.podOwner.delete(podKey);
      addTo(this.orphans, namespace, podKey);
    }
    this.podsOfDeployment.delete(k);
  }

  /** The pod (already in the store) was added or changed. */
  upsertPod(pod: V1Pod): void {
    const k = objectKey(pod);
    let owner = this.podOwner.get(k);
    if (owner === undefined) {
      owner = this.resolveOwner(pod) ?? undefined;
      if (owner === undefined) {
        addTo(this.orphans, pod.metadata?.namespace ?? '', k);
        return;
      }
      this.podOwner.set(k, owner);
      addTo(this.podsOfDeployment, owner, k);
      removeFrom(this.orphans, pod.metadata?.namespace ?? '', k);
    }
    this.markDeployment(owner);
  }

  /** The pod (already gone from the store) was deleted. */
  deletePod(pod: V1Pod): void {
    const k = objectKey(pod);
    removeFrom(this.orphans, pod.metadata?.namespace ?? '', k);
    const owner = this.podOwner.get(k);
    if (owner === undefined) return;
    this.podOwner.delete(k);
    removeFrom(this.podsOfDeployment, owner, k);
    this.markDeployment(owner);
  }

  /** Marks the apps whose pods' memory figures changed. */
  memoryChanged(podKeys: Iterable<string>): void {
    for (const podKey of podKeys) {
      const owner = this.podOwner.get(podKey);
      if (owner !== undefined) this.markDeployment(owner);
    }
  }

  markApp(appId: string): void {
    if (this.deploymentsOfApp.has(appId) || this.built.has(appId)) this.dirty.add(appId);
  }

  markNamespace(namespace: string): void {
    for (const id of this.deploymentsOfApp.keys()) {
      if (id.startsWith(`${namespace}/`)) this.dirty.add(id);
    }
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
    return new Set(this.deploymentsOfApp.keys());
  }

  /** Namespaces that hold at least one app. */
  namespaces(): Set<string> {
    const namespaces = new Set<string>();
    for (const id of this.deploymentsOfApp.keys()) namespaces.add(id.slice(0, id.indexOf('/')));
    return namespaces;
  }

  /** Whether the catalog has taken in the Deployment (the store may hold it a moment earlier). */
  private isIndexed(deploymentKey: string, namespace: string): boolean {
    return this.deploymentsOfNamespace.get(namespace)?.has(deploymentKey) ?? false;
  }

  private markDeployment(deploymentKey: string): void {
    const app = this.appOfDeployment.get(deploymentKey);
    if (app !== undefined) this.dirty.add(app);
  }

  private build(appId: string): App | undefined {
    const keys = this.deploymentsOfApp.get(appId);
    if (!keys || keys.size === 0) return undefined;
    const deployments = [...keys]
      .map((k) => this.stores.deployments.get(k))
      .filter((d): d is V1Deployment => d !== undefined);
    const slash = appId.indexOf('/');
    const podsOf = (deployment: V1Deployment): V1Pod[] =>
      [...(this.podsOfDeployment.get(objectKey(deployment)) ?? [])]
        .map((k) => this.stores.pods.get(k))
        .filter((p): p is V1Pod => p !== undefined);
    return buildApp(
      appId.slice(0, slash),
      appId.slice(slash + 1),
      deployments,
      podsOf,
      this.context,
    );
  }

  /**
   * The Deployment that owns a pod: its ReplicaSet owner's name less the pod-template-hash
   * (how the deployment controller names ReplicaSets), else the Deployment of the same app, or
   * failing that of the namespace, whose selector matches the pod's labels.
   */
  private resolveOwner(pod: V1Pod): string | null {
    const namespace = pod.metadata?.namespace ?? '';
    const labels = pod.metadata?.labels ?? {};
    const hash = labels['pod-template-hash'];
    const replicaSet = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
    if (replicaSet && hash && replicaSet.name.endsWith(`-${hash}`)) {
      const candidate = key(namespace, replicaSet.name.slice(0, -hash.length - 1));
      if (this.isIndexed(candidate, namespace)) return candidate;
    }
    const partOf = labels[PART_OF_LABEL];
    const candidates = partOf
      ? this.deploymentsOfApp.get(makeAppId(namespace, partOf))
      : this.deploymentsOfNamespace.get(namespace);
    for (const candidate of candidates ?? []) {
      const deployment = this.stores.deployments.get(candidate);
      if (deployment && selectorMatches(deployment.spec?.selector, labels)) return candidate;
    }
    return null;
  }

  private adoptOrphans(namespace: string): void {
    const orphans = this.orphans.get(namespace);
    if (!orphans) return;
    for (const podKey of [...orphans]) {
      const pod = this.stores.pods.get(podKey);
      if (!pod) {
        orphans.delete(podKey);
        continue;
      }
      const owner = this.resolveOwner(pod);
      if (owner === null) continue;
      orphans.delete(podKey);
      this.podOwner.set(podKey, owner);
      addTo(this.podsOfDeployment, owner, podKey);
      this.markDeployment(owner);
    }
    if (orphans.size === 0) this.orphans.delete(namespace);
  }
}
