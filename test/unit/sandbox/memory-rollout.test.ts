import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/sandbox/api-errors';
import { ControlPlane } from '../../../main/sandbox/control-plane';
import type { Node, Pod, StatefulSet } from '../../../main/sandbox/kube-types';
import { TYPES, type ResourceType } from '../../../main/sandbox/resource-types';
import { eventually } from '../../fixtures/sandbox';

/**
 * A changed memory limit reaches a running app only through new pods: a Deployment's or
 * StatefulSet's template change rolls new pods that carry it while the old ones keep theirs
 * until replaced (a pod's resources cannot be changed in place), and the kubelet holds each
 * container to its own pod's limit, so a raised limit ends an OOM loop once the new pods run.
 */

const NS = 'demo';
const PART_OF = 'app.kubernetes.io/part-of';
const COMPONENT = 'app.kubernetes.io/component';
const LABELS = { [PART_OF]: 'shop', [COMPONENT]: 'web' };
let cp: ControlPlane;

function node(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: {},
    status: {
      capacity: { memory: '32Gi', pods: '110', cpu: '16' },
      allocatable: { memory: '32Gi', pods: '110', cpu: '16' },
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [],
      nodeInfo: {},
    },
  };
}

function start(readyDelayMs: number): void {
  cp = new ControlPlane({ metricsIntervalMs: 60_000, readyDelayMs });
  for (const name of ['node-1', 'node-2', 'node-3']) cp.store.create(TYPES.nodes, node(name));
  cp.registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
  cp.registry.create(TYPES.limitranges, NS, {
    metadata: { name: 'memory-defaults' },
    spec: { limits: [{ type: 'Container', default: { memory: '8Gi' } }] },
  });
  // 1024 + 4 x 2048 MiB = 9Gi steady: past the 8Gi default, well under 12Gi.
  cp.profiles.set(NS, 'shop', {
    memory: { web: { baseMiB: 1024, perWorkerMiB: 2048 } },
    load: { requestsPerSecond: 1, perWorkerRps: 10, baseLatencyMs: 40 },
  });
}

const template = {
  metadata: { labels: LABELS },
  spec: {
    containers: [
      { name: 'web', image: 'shop:1', command: ['gunicorn', 'app:server', '--workers', '4'] },
    ],
  },
};

function deploy(): void {
  cp.registry.create(TYPES.deployments, NS, {
    metadata: { name: 'shop-web' },
    spec: { replicas: 2, selector: { matchLabels: LABELS }, template },
  });
  cp.settle();
}

function setLimit(type: ResourceType, name: string, memory: string): void {
  cp.registry.patch(type, NS, name, undefined, 'application/strategic-merge-patch+json', {
    spec: {
      template: { spec: { containers: [{ name: 'web', resources: { limits: { memory } } }] } },
    },
  });
  cp.settle();
}

function pods(): Pod[] {
  return (cp.store.list(TYPES.pods, NS) as Pod[]).filter((p) => !p.metadata.deletionTimestamp);
}

function limitOf(pod: Pod): string | undefined {
  return pod.spec.containers[0]?.resources?.limits?.['memory'];
}

function oomKilled(pod: Pod): boolean {
  return (pod.status?.containerStatuses ?? []).some(
    (c) => c.lastState?.terminated?.reason === 'OOMKilled',
  );
}

afterEach(() => cp.stop());

describe('sandbox: a changed memory limit reaches pods as they are replaced', () => {
  beforeEach(() => start(60_000));

  it('rolls a Deployment: the new ReplicaSet’s pods carry the new limit, the old pods keep theirs', () => {
    deploy();
    const before = pods();
    expect(before.map(limitOf)).toEqual(['8Gi', '8Gi']);
    setLimit(TYPES.deployments, 'shop-web', '12Gi');
    // The old pods are not ready-replaced yet (ready takes a minute here): both generations run.
    const surge = pods().filter((p) => !before.some((b) => b.metadata.uid === p.metadata.uid));
    expect(surge.length).toBeGreaterThan(0);
    expect(surge.map(limitOf)).toEqual(surge.map(() => '12Gi'));
    expect(surge.map((p) => p.spec.containers[0]?.resources?.requests?.['memory'])).toEqual(
      surge.map(() => '12Gi'),
    );
    for (const old of before) {
      expect(limitOf(cp.store.get(TYPES.pods, NS, old.metadata.name ?? '') as Pod)).toBe('8Gi');
    }
    const owners = new Set(surge.map((p) => p.metadata.ownerReferences?.[0]?.name));
    expect(owners.has(before[0]?.metadata.ownerReferences?.[0]?.name)).toBe(false);
  });

  it('refuses to change a running pod’s resources in place (422, as 1.32 without in-place resize)', () => {
    deploy();
    const pod = pods()[0] as Pod;
    let error: unknown;
    try {
      cp.registry.patch(
        TYPES.pods,
        NS,
        pod.metadata.name ?? '',
        undefined,
        'application/strategic-merge-patch+json',
        {
          spec: { containers: [{ name: 'web', resources: { limits: { memory: '12Gi' } } }] },
        },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(422);
    expect((error as ApiError).message).toMatch(
      /^Pod ".*" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/,
    );
    expect(limitOf(cp.store.get(TYPES.pods, NS, pod.metadata.name ?? '') as Pod)).toBe('8Gi');
  });

  it('still lets a pod’s image and labels change', () => {
    deploy();
    const pod = pods()[0] as Pod;
    cp.registry.patch(
      TYPES.pods,
      NS,
      pod.metadata.name ?? '',
      undefined,
      'application/strategic-merge-patch+json',
      {
        metadata: { labels: { extra: 'yes' } },
        spec: { containers: [{ name: 'web', image: 'shop:2' }] },
      },
    );
    const after = cp.store.get(TYPES.pods, NS, pod.metadata.name ?? '') as Pod;
    expect(after.spec.containers[0]?.image).toBe('shop:2');
    expect(after.metadata.labels?.['extra']).toBe('yes');
  });
});

describe('sandbox: a rollout to a raised limit ends the OOM loop', () => {
  beforeEach(() => start(20));

  it('kills replicas past their own 8Gi limit, and runs the replaced ones under 12Gi', async () => {
    deploy();
    await eventually(
      'the web pods run',
      () =>
        pods().every((p) => p.status?.containerStatuses?.[0]?.state?.running) &&
        pods().length === 2,
    );
    await eventually('the 8Gi pods are OOMKilled', () => {
      cp.kubelet.sample();
      return pods().length === 2 && pods().every(oomKilled);
    });
    setLimit(TYPES.deployments, 'shop-web', '12Gi');
    await eventually(
      'only 12Gi pods are left, ready',
      () => {
        cp.kubelet.sample();
        cp.settle();
        const now = pods();
        return (
          now.length === 2 &&
          now.every((p) => limitOf(p) === '12Gi') &&
          now.every((p) => p.status?.containerStatuses?.[0]?.ready)
        );
      },
      10_000,
    );
    // Held well past the memory ramp: the new pods never pass their own limit.
    await new Promise((r) => setTimeout(r, 200));
    cp.kubelet.sample();
    expect(pods().some(oomKilled)).toBe(false);
    expect(pods().map((p) => p.status?.containerStatuses?.[0]?.restartCount)).toEqual([0, 0]);
  });

  it('rolls a StatefulSet’s pods to the new limit one by one, each keeping its own until replaced', async () => {
    cp.registry.create(TYPES.statefulsets, NS, {
      metadata: { name: 'shop-db' },
      spec: { serviceName: 'shop', replicas: 2, selector: { matchLabels: LABELS }, template },
    } satisfies Partial<StatefulSet> & { metadata: { name: string } });
    cp.settle();
    await eventually('both ordinals run', () => pods().length === 2);
    expect(pods().map(limitOf)).toEqual(['8Gi', '8Gi']);
    const seen = new Set<string>();
    // Every state the store passes through, not a poll that could miss a short one.
    const unsubscribe = cp.store.subscribe(() =>
      seen.add(
        pods()
          .map((p) => `${p.metadata.name}=${limitOf(p)}`)
          .sort()
          .join(','),
      ),
    );
    setLimit(TYPES.statefulsets, 'shop-db', '12Gi');
    await eventually(
      'both ordinals replaced with 12Gi',
      () => {
        cp.settle();
        const now = pods();
        return now.length === 2 && now.every((p) => limitOf(p) === '12Gi');
      },
      10_000,
    );
    unsubscribe();
    // The highest ordinal goes first: for a while it ran the new limit beside the old one.
    expect(seen).toContain('shop-db-0=8Gi,shop-db-1=12Gi');
    expect(seen).not.toContain('shop-db-0=12Gi,shop-db-1=8Gi');
  });
});
