import type { KubeObject, Pod, Service } from './kube-types';
import type { ObjectStore, StoreEvent } from './object-store';
import { controllerReference } from './owner-references';
import { isActive, isPodReady } from './replicaset-controller';
import { TYPES } from './resource-types';
import { WorkQueue, nsKey, splitKey } from './work-queue';

/**
 * The endpoints and endpoint-slice controllers: keep an Endpoints object and one EndpointSlice
 * (discovery.k8s.io/v1) per Service listing the pods its selector picks, ready or not, which is
 * what `kubectl describe service` and `kubectl get endpoints` show and what the service proxy
 * routes to.
 */

interface Address {
  ip: string;
  nodeName?: string;
  targetRef: { kind: string; namespace: string; name?: string; uid?: string };
}

/** One slice per Service, with a stable suffix so it is found again (real ones are random). */
function sliceName(service: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) h = Math.imul(h ^ service.charCodeAt(i), 0x01000193);
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += alphabet[(h >>> 0) % alphabet.length];
    h = Math.imul(h ^ i, 0x01000193);
  }
  return `${service}-${suffix}`;
}

function selects(service: Service, pod: KubeObject): boolean {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export class EndpointsController {
  private readonly queue = new WorkQueue((key) => this.reconcile(key));

  constructor(private readonly store: ObjectStore) {}

  onStoreEvent(event: StoreEvent): void {
    if (event.key === '/services') {
      this.queue.add(nsKey(event.namespace, event.object.metadata.name));
    } else if (event.key === '/pods') {
      for (const object of this.store.each(TYPES.services, event.namespace)) {
        const service = object as Service;
        if (
          selects(service, event.object) ||
          (event.previous && selects(service, event.previous))
        ) {
          this.queue.add(nsKey(event.namespace, service.metadata.name));
        }
      }
    }
  }

  drain(): void {
    this.queue.drain();
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const service = this.store.get(TYPES.services, namespace, name) as Service | undefined;
    const current = this.store.get(TYPES.endpoints, namespace, name);
    if (!service) {
      if (current) this.store.remove(TYPES.endpoints, namespace, name);
      const slice = this.store.get(TYPES.endpointslices, namespace, sliceName(name));
      if (slice) this.store.remove(TYPES.endpointslices, namespace, sliceName(name));
      return;
    }
    if (!service.spec?.selector || Object.keys(service.spec.selector).length === 0) return;
    const ready: object[] = [];
    const notReady: object[] = [];
    for (const object of this.store.each(TYPES.pods, namespace)) {
      const pod = object as Pod;
      if (!selects(service, pod) || !isActive(pod) || !pod.status?.podIP) continue;
      const address = {
        ip: pod.status.podIP,
        nodeName: pod.spec.nodeName,
        targetRef: { kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      };
      (isPodReady(pod) ? ready : notReady).push(address);
    }
    const byName = (a: object, b: object) =>
      String((a as { targetRef: { name: string } }).targetRef.name).localeCompare(
        (b as { targetRef: { name: string } }).targetRef.name,
      );
    ready.sort(byName);
    notReady.sort(byName);
    const ports = (service.spec.ports ?? []).map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
      protocol: p.protocol ?? 'TCP',
    }));
    const subsets =
      ready.length + notReady.length === 0
        ? []
        : [
            {
              ...(ready.length > 0 ? { addresses: ready } : {}),
              ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
              ports,
            },
          ];
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name,
        namespace,
        labels: { ...(service.metadata.labels ?? {}) },
        ...(current
          ? { creationTimestamp: current.metadata.creationTimestamp }
          : { creationTimestamp: service.metadata.creationTimestamp }),
      },
      subsets,
    };
    if (!current) {
      this.store.create(TYPES.endpoints, desired);
    } else if (JSON.stringify(current['subsets']) !== JSON.stringify(subsets)) {
      this.store.update(TYPES.endpoints, { ...current, subsets });
    }
    this.reconcileSlice(
      service,
      [...ready, ...notReady] as Address[],
      new Set(ready as Address[]),
      ports,
    );
  }

  private reconcileSlice(
    service: Service,
    addresses: Address[],
    ready: Set<Address>,
    ports: object[],
  ): void {
    const namespace = service.metadata.namespace ?? '';
    const name = sliceName(service.metadata.name ?? '');
    const endpoints = addresses.map((a) => ({
      addresses: [a.ip],
      conditions: { ready: ready.has(a), serving: ready.has(a), terminating: false },
      nodeName: a.nodeName,
      targetRef: a.targetRef,
    }));
    const current = this.store.get(TYPES.endpointslices, namespace, name);
    if (!current) {
      this.store.create(TYPES.endpointslices, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name,
          namespace,
          generateName: `${service.metadata.name}-`,
          creationTimestamp: service.metadata.creationTimestamp,
          labels: {
            ...(service.metadata.labels ?? {}),
            'kubernetes.io/service-name': service.metadata.name ?? '',
            'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          },
          ownerReferences: [controllerReference('v1', 'Service', service)],
        },
        addressType: 'IPv4',
        endpoints,
        ports,
      });
    } else if (
      JSON.stringify(current['endpoints']) !== JSON.stringify(endpoints) ||
      JSON.stringify(current['ports']) !== JSON.stringify(ports)
    ) {
      this.store.update(TYPES.endpointslices, { ...current, endpoints, ports });
    }
  }
}
