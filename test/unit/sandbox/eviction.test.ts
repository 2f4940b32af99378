import protobuf from 'protobufjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/sandbox/api-errors';
import type { Pod } from '../../../main/sandbox/kube-types';
import { ObjectStore } from '../../../main/sandbox/object-store';
import { decodeProtobufBody } from '../../../main/sandbox/protobuf-body';
import { Registry } from '../../../main/sandbox/registry';
import { TYPES } from '../../../main/sandbox/resource-types';

/**
 * The pods/eviction subresource: the Eviction checked against its URL, its DeleteOptions
 * applied (grace, dry run), a PodDisruptionBudget with nothing to spare answered 429, and the
 * Eviction and DeleteOptions read from kubectl's protobuf encoding.
 */

const NS = 'demo';
let store: ObjectStore;
let registry: Registry;

function pod(name: string, ready: boolean): Pod {
  const created = registry.create(TYPES.pods, NS, {
    metadata: { name, labels: { app: 'web' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'shop:1' }] },
  });
  // The kubelet's part: running, ready or not.
  return store.update(TYPES.pods, {
    ...created,
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  }) as Pod;
}

function eviction(name: string, deleteOptions: object = {}): object {
  return {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace: NS },
    deleteOptions,
  };
}

function refusal(call: () => unknown): ApiError {
  try {
    call();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

beforeEach(() => {
  store = new ObjectStore();
  registry = new Registry(store);
  registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
});

describe('evicting a pod', () => {
  it('deletes it gracefully and answers 201 Success', () => {
    pod('web-a', true);
    expect(registry.evict(NS, 'web-a', eviction('web-a'))).toMatchObject({
      kind: 'Status',
      status: 'Success',
      code: 201,
    });
    expect(store.mustGet(TYPES.pods, NS, 'web-a').metadata.deletionTimestamp).toBeDefined();
  });

  it('honours the grace period of its DeleteOptions, and a dry run deletes nothing', () => {
    pod('web-a', true);
    pod('web-b', true);
    registry.evict(NS, 'web-b', eviction('web-b', { dryRun: ['All'] }));
    expect(store.get(TYPES.pods, NS, 'web-b')?.metadata.deletionTimestamp).toBeUndefined();
    registry.evict(NS, 'web-a', eviction('web-a', { gracePeriodSeconds: 0 }));
    expect(store.get(TYPES.pods, NS, 'web-a')).toBeUndefined();
  });

  it('refuses an Eviction naming another pod than its URL', () => {
    pod('web-a', true);
    const error = refusal(() => registry.evict(NS, 'web-a', eviction('web-b')));
    expect(error.code).toBe(400);
    expect(error.message).toBe('name in URL does not match name in Eviction object');
  });

  it('answers 429 where a disruption budget would be violated, and lets an unhealthy pod go', () => {
    pod('web-a', true);
    pod('web-b', false);
    registry.create(TYPES.poddisruptionbudgets, NS, {
      metadata: { name: 'web' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    });
    const error = refusal(() => registry.evict(NS, 'web-a', eviction('web-a')));
    expect(error.code).toBe(429);
    expect(error.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    // kubectl drain waits 5 s itself: no Retry-After for client-go to retry on at once.
    expect(error.details?.retryAfterSeconds).toBe(0);
    expect(error.details?.causes?.[0]).toMatchObject({
      reason: 'DisruptionBudget',
      message: 'The disruption budget web needs 1 healthy pods and has 1 currently',
    });
    expect(registry.evict(NS, 'web-b', eviction('web-b')).code).toBe(201);
  });
});

describe('Eviction and DeleteOptions in protobuf', () => {
  const w = () => protobuf.Writer.create();
  const str = (id: number, value: string) =>
    w()
      .uint32((id << 3) | 2)
      .string(value)
      .finish();
  const int = (id: number, value: number) =>
    w()
      .uint32(id << 3)
      .int64(value)
      .finish();
  const sub = (id: number, ...parts: Uint8Array[]) =>
    w()
      .uint32((id << 3) | 2)
      .bytes(Buffer.concat(parts))
      .finish();
  const envelope = (apiVersion: string, kind: string, raw: Uint8Array) =>
    Buffer.concat([
      Buffer.from([0x6b, 0x38, 0x73, 0x00]),
      sub(1, str(1, apiVersion), str(2, kind)),
      sub(2, raw),
    ]);

  it('reads an Eviction with a zero grace period, which is meaningful, and a policy', () => {
    const raw = Buffer.concat([
      sub(1, str(1, 'web-a'), str(3, NS)),
      sub(2, int(1, 0), str(4, 'Background'), str(5, 'All')),
    ]);
    expect(decodeProtobufBody(envelope('policy/v1', 'Eviction', raw))).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'web-a', namespace: NS },
      deleteOptions: { gracePeriodSeconds: 0, propagationPolicy: 'Background', dryRun: ['All'] },
    });
  });

  it('reads DeleteOptions with preconditions', () => {
    const raw = Buffer.concat([sub(2, str(1, 'uid-1')), str(4, 'Foreground')]);
    expect(decodeProtobufBody(envelope('v1', 'DeleteOptions', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      preconditions: { uid: 'uid-1' },
      propagationPolicy: 'Foreground',
    });
  });
});
