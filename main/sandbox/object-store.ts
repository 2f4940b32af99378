import { randomUUID } from 'node:crypto';
import type { KubeObject } from './kube-types';
import { alreadyExists, conflict, notFound } from './api-errors';
import { storeKey, type ResourceType } from './resource-types';
import { timestamp } from './timestamps';

/**
 * The sandbox's etcd: objects by type, namespace and name, one global resourceVersion counter,
 * and a bounded log of changes from which watches resume. A watch asking for a version older
 * than the log reaches is told it expired (410), as a compacted etcd would.
 *
 * Stored objects are never mutated: every write stores a new object, so the log and live
 * watchers can hold references without copying. Callers must treat what they read as frozen.
 */

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  resourceVersion: number;
  type: StoreEventType;
  /** storeKey of the object's type. */
  key: string;
  namespace: string;
  object: KubeObject;
  /**
   * The object before this change: for selector transitions on watches (MODIFIED), and for
   * rebuilding a list as it was at an earlier version (MODIFIED and DELETED).
   */
  previous?: KubeObject;
}

export type StoreListener = (event: StoreEvent) => void;

type Bucket = Map<string, Map<string, KubeObject>>;

export interface StoreOptions {
  /** Changes kept for watch resumption. */
  historySize?: number;
}

export class ObjectStore {
  private revision = 1000;
  private readonly buckets = new Map<string, Bucket>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0;
  /** Watches from a version below this have expired. */
  private compactedRevision = this.revision;
  private readonly listeners = new Set<StoreListener>();
  private readonly outbox: StoreEvent[] = [];
  private dispatching = false;
  private readonly historySize: number;

  constructor(options: StoreOptions = {}) {
    this.historySize = options.historySize ?? 20_000;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get oldestResumableVersion(): number {
    return this.compactedRevision;
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.buckets.get(storeKey(type))?.get(namespace)?.get(name);
  }

  mustGet(type: ResourceType, namespace: string, name: string): KubeObject {
    const found = this.get(type, namespace, name);
    if (!found) throw notFound(type.resource, type.group, name);
    return found;
  }

  /** Objects of a type, sorted by namespace then name as etcd's key order gives them. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const bucket = this.buckets.get(storeKey(type));
    if (!bucket) return [];
    const out: KubeObject[] = [];
    const namespaces = namespace !== undefined ? [namespace] : [...bucket.keys()].sort();
    for (const ns of namespaces) {
      const byName = bucket.get(ns);
      if (!byName) continue;
      const names = [...byName.keys()].sort();
      for (const n of names) out.push(byName.get(n) as KubeObject);
    }
    return out;
  }

  /** Unsorted iteration for controllers that only filter. */
  *each(type: ResourceType, namespace?: string): Iterable<KubeObject> {
    const bucket = this.buckets.get(storeKey(type));
    if (!bucket) return;
    if (namespace !== undefined) {
      const byName = bucket.get(namespace);
      if (byName) yield* byName.values();
      return;
    }
    for (const byName of bucket.values()) yield* byName.values();
  }

  count(type: ResourceType, namespace?: string): number {
    const bucket = this.buckets.get(storeKey(type));
    if (!bucket) return 0;
    if (namespace !== undefined) return bucket.get(namespace)?.size ?? 0;
    let n = 0;
    for (const byName of bucket.values()) n += byName.size;
    return n;
  }

  create(type: ResourceType, object: KubeObject): KubeObject {
    const namespace = type.namespaced ? (object.metadata.namespace ?? '') : '';
    const name = object.metadata.name ?? '';
    const byName = this.namespaceMap(type, namespace);
    if (byName.has(name)) throw alreadyExists(type.resource, type.group, name);
    const rv = ++this.revision;
    const stored: KubeObject = {
      ...object,
      metadata: {
        ...object.metadata,
        name,
        ...(type.namespaced ? { namespace } : {}),
        uid: object.metadata.uid ?? randomUUID(),
        resourceVersion: String(rv),
        creationTimestamp: object.metadata.creationTimestamp ?? timestamp(),
      },
    };
    if (!type.namespaced) delete stored.metadata.namespace;
    byName.set(name, stored);
    this.record({
      resourceVersion: rv,
      type: 'ADDED',
      key: storeKey(type),
      namespace,
      object: stored,
    });
    return stored;
  }

  /**
   * Replaces an object. With `expectedVersion`, fails with 409 Conflict where the stored version
   * differs: the optimistic concurrency every Kubernetes write relies on.
   */
  update(type: ResourceType, object: KubeObject, expectedVersion?: string): KubeObject {
    const namespace = type.namespaced ? (object.metadata.namespace ?? '') : '';
    const name = object.metadata.name ?? '';
    const byName = this.namespaceMap(type, namespace);
    const previous = byName.get(name);
    if (!previous) throw notFound(type.resource, type.group, name);
    if (expectedVersion !== undefined && expectedVersion !== previous.metadata.resourceVersion) {
      throw conflict(type.resource, type.group, name);
    }
    const rv = ++this.revision;
    const stored: KubeObject = {
      ...object,
      metadata: {
        ...object.metadata,
        uid: previous.metadata.uid,
        creationTimestamp: previous.metadata.creationTimestamp,
        resourceVersion: String(rv),
      },
    };
    byName.set(name, stored);
    this.record({
      resourceVersion: rv,
      type: 'MODIFIED',
      key: storeKey(type),
      namespace,
      object: stored,
      previous,
    });
    return stored;
  }

  remove(type: ResourceType, namespace: string, name: string): KubeObject {
    const ns = type.namespaced ? namespace : '';
    const byName = this.buckets.get(storeKey(type))?.get(ns);
    const previous = byName?.get(name);
    if (!byName || !previous) throw notFound(type.resource, type.group, name);
    byName.delete(name);
    if (byName.size === 0) this.buckets.get(storeKey(type))?.delete(ns);
    const rv = ++this.revision;
    // A deleted object is reported with the version of its deletion, as the API server does.
    const gone: KubeObject = {
      ...previous,
      metadata: { ...previous.metadata, resourceVersion: String(rv) },
    };
    this.record({
      resourceVersion: rv,
      type: 'DELETED',
      key: storeKey(type),
      namespace: ns,
      object: gone,
      previous,
    });
    return gone;
  }

  /**
   * Changes after `resourceVersion`, oldest first; 'expired' where the log no longer reaches
   * back that far.
   */
  changesSince(resourceVersion: number): StoreEvent[] | 'expired' {
    if (resourceVersion < this.compactedRevision) return 'expired';
    // The log is in version order: bisect to the first change after the version asked for, so a
    // recent version (a watch resuming, a page of a list) costs what changed since, not the log.
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.history[mid] as StoreEvent).resourceVersion <= resourceVersion) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Forgets the change log, as etcd compaction does: no earlier version can be watched from. */
  compact(): void {
    this.history.length = 0;
    this.historyStart = 0;
    // A revision of its own, so every version handed out before is too old and every one
    // handed out after (a relist) is fine.
    this.compactedRevision = ++this.revision;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private namespaceMap(type: ResourceType, namespace: string): Map<string, KubeObject> {
    const key = storeKey(type);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(key, bucket);
    }
    let byName = bucket.get(namespace);
    if (!byName) {
      byName = new Map();
      bucket.set(namespace, byName);
    }
    return byName;
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length - this.historyStart > this.historySize) {
      const dropped = this.history[this.historyStart] as StoreEvent;
      this.compactedRevision = dropped.resourceVersion;
      this.history[this.historyStart] = undefined as unknown as StoreEvent;
      this.historyStart++;
      // Shift the array now and then rather than on every write.
      if (this.historyStart > this.historySize) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    this.outbox.push(event);
    if (this.dispatching) return;
    // Listeners write too (a controller reacting to a change); their changes are delivered
    // after the one that caused them, so every listener sees versions in order.
    this.dispatching = true;
    try {
      for (let i = 0; i < this.outbox.length; i++) {
        const next = this.outbox[i] as StoreEvent;
        for (const listener of this.listeners) {
          try {
            listener(next);
          } catch (error) {
            console.error('sandbox store listener failed:', error);
          }
        }
      }
    } finally {
      this.outbox.length = 0;
      this.dispatching = false;
    }
  }
}

/** What reading code needs of the store. */
export type StoreReader = Pick<ObjectStore, 'get' | 'mustGet' | 'list' | 'each' | 'count'>;
/** What writing code needs: the store itself, or a dry run over it. */
export type StoreWriter = StoreReader & Pick<ObjectStore, 'create' | 'update' | 'remove'>;

/**
 * The store as a `dryRun=All` request sees it (kubectl diff, `--dry-run=server`): reads are real,
 * writes are checked as real ones are (AlreadyExists, NotFound, Conflict) and return the object
 * that would be stored, but nothing changes and no watcher hears of it.
 */
export class DryRunStore implements StoreWriter {
  constructor(private readonly store: ObjectStore) {}

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.store.get(type, namespace, name);
  }

  mustGet(type: ResourceType, namespace: string, name: string): KubeObject {
    return this.store.mustGet(type, namespace, name);
  }

  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.store.list(type, namespace);
  }

  each(type: ResourceType, namespace?: string): Iterable<KubeObject> {
    return this.store.each(type, namespace);
  }

  count(type: ResourceType, namespace?: string): number {
    return this.store.count(type, namespace);
  }

  create(type: ResourceType, object: KubeObject): KubeObject {
    const namespace = type.namespaced ? (object.metadata.namespace ?? '') : '';
    const name = object.metadata.name ?? '';
    if (this.store.get(type, namespace, name)) throw alreadyExists(type.resource, type.group, name);
    return {
      ...object,
      metadata: {
        ...object.metadata,
        uid: object.metadata.uid ?? randomUUID(),
        creationTimestamp: object.metadata.creationTimestamp ?? timestamp(),
      },
    };
  }

  update(type: ResourceType, object: KubeObject, expectedVersion?: string): KubeObject {
    const namespace = type.namespaced ? (object.metadata.namespace ?? '') : '';
    const name = object.metadata.name ?? '';
    const previous = this.store.mustGet(type, namespace, name);
    if (expectedVersion !== undefined && expectedVersion !== previous.metadata.resourceVersion) {
      throw conflict(type.resource, type.group, name);
    }
    return {
      ...object,
      metadata: {
        ...object.metadata,
        uid: previous.metadata.uid,
        creationTimestamp: previous.metadata.creationTimestamp,
        resourceVersion: previous.metadata.resourceVersion,
      },
    };
  }

  remove(type: ResourceType, namespace: string, name: string): KubeObject {
    return this.store.mustGet(type, type.namespaced ? namespace : '', name);
  }
}
