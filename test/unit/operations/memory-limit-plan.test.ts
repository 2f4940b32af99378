import type { V1Container } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import { ScaleDeskError } from '../../../shared/errors';
import type { MemoryRoomFacts, NodeMemory } from '../../../main/model/memory-room';
import {
  planMemoryLimitChange,
  type MemoryLimitFacts,
} from '../../../main/operations/memory-limit-plan';
import { makeApp, makePod, makeProcess } from '../../fixtures/app-model';

const MIB = 1024 ** 2;

function node(name: string, allocatableGi: number, pods: Record<string, number> = {}): NodeMemory {
  const requestedByPod = new Map(Object.entries(pods));
  let requestedBytes = 0;
  for (const bytes of requestedByPod.values()) requestedBytes += bytes;
  return { name, allocatableBytes: allocatableGi * GIB, requestedBytes, requestedByPod };
}

/** web of shop in team-a: 2 replicas at 8Gi of their own, on two roomy nodes, no quota. */
function facts(
  overrides: {
    container?: V1Container;
    room?: Partial<MemoryRoomFacts> | null;
    peak?: number | null;
    memoryBytes?: number | null;
  } = {},
): MemoryLimitFacts {
  const web = makeProcess({
    name: 'web',
    replicas: { desired: 2, ready: 2, updated: 2, available: 2 },
    memoryLimit: { bytes: 8 * GIB, source: 'container', requestBytes: 8 * GIB, next: null },
    pods: [0, 1].map((i) =>
      makePod({ name: `web-${i}`, memoryBytes: overrides.memoryBytes ?? 2 * GIB }),
    ),
  });
  const app = makeApp({
    processes: [web],
    workspace: null,
    memory: { usedBytes: 4 * GIB, maxBytes: 16 * GIB },
  });
  const room: MemoryRoomFacts | null =
    overrides.room === null
      ? null
      : {
          nodes: [
            node('node-a', 32, { 'team-a/web-0': 8 * GIB, 'other/db-0': 8 * GIB }),
            node('node-b', 32, { 'team-a/web-1': 8 * GIB }),
          ],
          quotas: [],
          limitRangeDefault: null,
          ...overrides.room,
        };
  return {
    app,
    process: web,
    container: overrides.container ?? {
      name: 'web',
      resources: { limits: { memory: '8Gi' }, requests: { memory: '8Gi' } },
    },
    others: [],
    room,
    peakPerReplicaBytes: overrides.peak ?? null,
    target: { context: 'kind-dev', namespace: 'team-a' },
  };
}

function refusal(limit: string, f: MemoryLimitFacts = facts()): ScaleDeskError {
  try {
    planMemoryLimitChange(limit, f);
  } catch (error) {
    if (error instanceof ScaleDeskError) return error;
    throw error;
  }
  throw new Error(`${limit} was not refused`);
}

describe('a memory limit is read with Kubernetes quantity rules and bounded', () => {
  it('reads binary and decimal units through the client library', () => {
    expect(planMemoryLimitChange('12Gi', facts()).limitBytes).toBe(12 * GIB);
    expect(planMemoryLimitChange('512Mi', facts()).limitBytes).toBe(512 * MIB);
    expect(planMemoryLimitChange('8G', facts()).limitBytes).toBe(8e9);
  });

  it('refuses 0 with the reason', () => {
    const error = refusal('0');
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/more than 0/);
  });

  it('refuses a fraction of a byte', () => {
    expect(refusal('1.5').message).toMatch(/whole number of bytes/);
  });

  it('refuses a decimal before a binary unit, naming what to write instead', () => {
    expect(refusal('1.5Gi').message).toMatch(/1536Mi rather than 1\.5Gi/);
  });

  it('refuses more than the largest node has', () => {
    const error = refusal('64Gi');
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/more than any node has: the largest node has 32 GiB/);
  });
});

describe('the plan of a memory limit', () => {
  it('says the app maximum, the pods replaced and the kubectl command', () => {
    const plan = planMemoryLimitChange('12Gi', facts());
    expect(plan).toMatchObject({
      limit: '12Gi',
      currentBytes: 8 * GIB,
      appMaxBytes: 24 * GIB,
      replacesPods: 2,
      requestLowered: false,
      requestBytes: 8 * GIB,
      predictedOverLimit: false,
      quota: null,
      command:
        'kubectl set resources deployment/shop-web -c web --limits=memory=12Gi -n team-a --context kind-dev',
    });
    expect(plan.notes).toContain('Saving replaces the 2 pods of web, as a rolling update.');
  });

  it('lowers the request with a limit below it, and says so', () => {
    const plan = planMemoryLimitChange('4Gi', facts());
    expect(plan.requestLowered).toBe(true);
    expect(plan.requestBytes).toBe(4 * GIB);
    expect(plan.notes.join(' ')).toMatch(
      /request \(8 GiB\) would pass the new limit, so it is lowered to 4Gi/,
    );
    expect(plan.command).toContain('--limits=memory=4Gi --requests=memory=4Gi');
  });

  it('leaves the room a replaced pod holds on its node to its replacement', () => {
    // node-b: 32 Gi, only web-1 (8 Gi) on it: 32 Gi free once web-1 is replaced.
    const plan = planMemoryLimitChange(
      '30Gi',
      facts({ container: { name: 'web', resources: { limits: { memory: '8Gi' } } } }),
    );
    expect(plan.fitsNode).toEqual({ fits: true, largestFreeBytes: 32 * GIB });
  });

  it('says no node fits where every node is too full for the new request', () => {
    const room = { nodes: [node('node-a', 16, { 'other/db-0': 12 * GIB })] };
    const plan = planMemoryLimitChange(
      '8Gi',
      facts({ room, container: { name: 'web', resources: { limits: { memory: '6Gi' } } } }),
    );
    expect(plan.fitsNode).toEqual({ fits: false, largestFreeBytes: 4 * GIB });
    expect(plan.notes.join(' ')).toMatch(/No node has room for a replica: it reserves 8 GiB/);
  });

  it('says node room is unknown where the nodes cannot be read', () => {
    const plan = planMemoryLimitChange('12Gi', facts({ room: { nodes: null } }));
    expect(plan.fitsNode).toBeNull();
    expect(plan.notes.join(' ')).toMatch(/nodes cannot be read/);
  });

  it('judges the namespace quota on limits.memory with the process replaced', () => {
    const room = {
      quotas: [
        {
          quota: 'mem',
          resource: 'limits.memory' as const,
          usedBytes: 20 * GIB,
          hardBytes: 24 * GIB,
        },
      ],
    };
    // 20 used, 16 of them web's: 4 + 2 × 12 = 28 > 24.
    const plan = planMemoryLimitChange('12Gi', facts({ room }));
    expect(plan.quota).toEqual({
      resource: 'limits.memory',
      usedBytes: 20 * GIB,
      hardBytes: 24 * GIB,
      afterBytes: 28 * GIB,
      fits: false,
    });
    expect(planMemoryLimitChange('10Gi', facts({ room })).quota?.fits).toBe(true);
  });

  it('predicts a replica over the limit from memory measured now', () => {
    const plan = planMemoryLimitChange('2Gi', facts({ memoryBytes: 3 * GIB }));
    expect(plan.predictedOverLimit).toBe(true);
    expect(plan.notes.join(' ')).toMatch(/uses more than 2Gi \(3 GiB now\).*OOMKilled/);
  });

  it("predicts a replica over the limit from the history's peak", () => {
    expect(planMemoryLimitChange('4Gi', facts({ peak: 5 * GIB })).predictedOverLimit).toBe(true);
    expect(planMemoryLimitChange('6Gi', facts({ peak: 5 * GIB })).predictedOverLimit).toBe(false);
  });

  it('names a StatefulSet in the command', () => {
    const f = facts();
    const db = { ...f.process, workloadKind: 'StatefulSet' as const, deployment: 'shop-db' };
    expect(planMemoryLimitChange('12Gi', { ...f, process: db }).command).toMatch(
      /^kubectl set resources statefulset\/shop-db -c web --limits=memory=12Gi/,
    );
  });
});
