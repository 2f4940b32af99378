import type { KubeEvent, KubeObject } from './kube-types';
import type { ObjectStore } from './object-store';
import { TYPES } from './resource-types';
import { timestamp } from './timestamps';

/**
 * Kubernetes Events as the controllers and kubelet record them (`kubectl get events`,
 * `kubectl describe`): repeats of the same reason and message on the same object are folded
 * into one Event whose count grows, and old Events expire, as the API server's 1 hour TTL does.
 */

export interface EventSource {
  component: string;
  host?: string;
}

const TTL_MS = 60 * 60 * 1000;

export class EventRecorder {
  /** Folding key -> event name, per namespace. */
  private readonly folded = new Map<string, string>();
  private sequence = 0;
  /** Seeding creates days-old objects whose creation events would have expired long ago. */
  muted = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
    /** Fold by object and reason alone, keeping the latest message (for repeats that differ in detail). */
    similar = false,
  ): void {
    if (this.muted) return;
    const namespace = involved.metadata.namespace ?? 'default';
    if (!this.store.get(TYPES.namespaces, '', namespace)) return;
    const name = involved.metadata.name ?? '';
    const key = `${namespace}\u0000${involved.metadata.uid}\u0000${reason}\u0000${similar ? '' : message}`;
    const at = timestamp(this.now());
    const existingName = this.folded.get(key);
    const existing = existingName
      ? (this.store.get(TYPES.events, namespace, existingName) as KubeEvent | undefined)
      : undefined;
    if (existing) {
      this.store.update(TYPES.events, {
        ...existing,
        count: existing.count + 1,
        lastTimestamp: at,
      });
      return;
    }
    const eventName = `${name}.${(Date.now() * 1000 + (this.sequence++ % 1000)).toString(16)}`;
    const event: KubeEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName, namespace },
      involvedObject: {
        kind: involved.kind ?? '',
        namespace: involved.metadata.namespace,
        name,
        uid: involved.metadata.uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      source,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    this.store.create(TYPES.events, event);
    this.folded.set(key, eventName);
  }

  /** Removes events whose last occurrence is older than the TTL. */
  expire(): void {
    const cutoff = this.now().getTime() - TTL_MS;
    for (const event of [...this.store.each(TYPES.events)] as KubeEvent[]) {
      if (Date.parse(event.lastTimestamp) < cutoff) {
        this.store.remove(TYPES.events, event.metadata.namespace ?? '', event.metadata.name ?? '');
      }
    }
    for (const [key, name] of this.folded) {
      const namespace = key.split('\u0000')[0] ?? '';
      if (!this.store.get(TYPES.events, namespace, name)) this.folded.delete(key);
    }
  }
}
