import { describe, expect, it } from 'vitest';
import type { V1Node } from '@kubernetes/client-node';
import { GIB } from '../../../shared/app-model';
import { AppMemoryAdviceSchema } from '../../../shared/memory-advice';
import {
  adviceDirection,
  adviseProcess,
  containerCpuLimit,
  DAY_MS,
  limitQuantity,
  memoryAdviceOf,
  nodeCores,
  perCoreRange,
  roundUpLimit,
  workersThatFit,
  type AdviceSources,
} from '../../../main/model/memory-advice';
import { MemoryHistory } from '../../../main/model/memory-history';
import { recordReplicaPeaks } from '../../../main/model/replica-peaks';
import { makeApp, makePod, makeProcess } from '../../fixtures/app-model';
import { deployment } from '../../fixtures/kube-objects';

const MI = 1024 ** 2;

function node(name: string, cpu: string): V1Node {
  return { metadata: { name }, status: { capacity: { cpu, memory: '32Gi' } } };
}

function sources(overrides: Partial<AdviceSources> = {}): AdviceSources {
  return {
    peak: () => ({ peakBytes: 3 * GIB, windowMs: 2 * DAY_MS }),
    workload: () => undefined,
    nodes: () => [node('node-a', '4'), node('node-b', '8')],
    ...overrides,
  };
}

describe('rounding a recommended limit up to a round quantity', () => {
  it('rounds to the next 256Mi under 4Gi', () => {
    expect(roundUpLimit(1000 * MI)).toBe(1024 * MI);
    expect(roundUpLimit(1025 * MI)).toBe(1280 * MI);
    expect(roundUpLimit(3.9 * GIB)).toBe(4 * GIB);
  });

  it('rounds to the next 512Mi from 4Gi to under 16Gi', () => {
    expect(roundUpLimit(4 * GIB + 1)).toBe(4.5 * GIB);
    expect(roundUpLimit(9.2 * GIB)).toBe(9.5 * GIB);
  });

  it('rounds to the next 1Gi from 16Gi', () => {
    expect(roundUpLimit(16 * GIB + 1)).toBe(17 * GIB);
    expect(roundUpLimit(20.1 * GIB)).toBe(21 * GIB);
  });

  it('never recommends less than 256Mi', () => {
    expect(roundUpLimit(0)).toBe(256 * MI);
    expect(roundUpLimit(3 * MI)).toBe(256 * MI);
  });

  it('writes the quantity as an admin types it', () => {
    expect(limitQuantity(12 * GIB)).toBe('12Gi');
    expect(limitQuantity(1536 * MI)).toBe('1536Mi');
  });
});

describe('the direction of the advice', () => {
  it('raises where the recommendation passes the limit, whatever the window', () => {
    expect(adviceDirection(9 * GIB, 8 * GIB, 60_000)).toBe('raise');
  });

  it('lowers only with a day of history and at least one rounding step less', () => {
    expect(adviceDirection(4 * GIB, 8 * GIB, DAY_MS)).toBe('lower');
    expect(adviceDirection(4 * GIB, 8 * GIB, DAY_MS - 1)).toBe('keep');
    expect(adviceDirection(7.75 * GIB, 8 * GIB, 2 * DAY_MS)).toBe('keep');
  });
});

describe('advice for a process', () => {
  it('adds the headroom to the peak over the window and rounds up', () => {
    const advice = adviseProcess(makeProcess({ name: 'worker' }), 0.15, sources());
    // 3 GiB × 1.15 = 3.45 GiB → 3.5 GiB (the next 256Mi under 4Gi).
    expect(advice).toMatchObject({
      peakBytes: 3 * GIB,
      windowMs: 2 * DAY_MS,
      recommendedLimitBytes: 3.5 * GIB,
      recommendedLimit: '3584Mi',
      direction: 'lower',
      workers: null,
    });
  });

  it('has no recommendation without samples', () => {
    const advice = adviseProcess(
      makeProcess({ name: 'worker' }),
      0.15,
      sources({ peak: () => ({ peakBytes: null, windowMs: 0 }) }),
    );
    expect(advice).toMatchObject({
      peakBytes: null,
      recommendedLimitBytes: null,
      recommendedLimit: null,
      direction: null,
    });
  });

  it('counts an OOMKilled replica as having reached its own limit, so the advice is to raise', () => {
    const process = makeProcess({
      name: 'web',
      pods: [
        makePod({
          name: 'web-1',
          ready: false,
          restarts: 4,
          memoryBytes: null,
          memoryLimitBytes: 8 * GIB,
          lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: null },
        }),
      ],
    });
    const advice = adviseProcess(
      process,
      0.15,
      sources({ peak: () => ({ peakBytes: 2 * GIB, windowMs: 10 * 60_000 }) }),
    );
    expect(advice.peakBytes).toBe(8 * GIB);
    // 8 GiB × 1.15 = 9.2 GiB → 9.5 GiB.
    expect(advice.recommendedLimit).toBe('9728Mi');
    expect(advice.direction).toBe('raise');
  });

  it('gives the workers that fit with the headroom and 2-4 per core of the nodes the pods run on', () => {
    const app = makeApp();
    // web: 0.5 GiB per worker, 8 GiB limit: 8 / (0.5 × 1.15) = 13.9 → 13.
    const advice = adviseProcess(app.processes[0]!, 0.15, sources());
    expect(advice.workers).toEqual({
      perWorkerBytes: 0.5 * GIB,
      fitCount: 13,
      cores: 4,
      perCoreRange: [8, 16],
    });
  });

  it('takes the cores from the container CPU limit where it has one', () => {
    const app = makeApp();
    const workload = deployment({ app: 'shop', component: 'web', namespace: 'team-a' });
    workload.spec!.template.spec!.containers[0]!.resources = { limits: { cpu: '1500m' } };
    const advice = adviseProcess(app.processes[0]!, 0.15, sources({ workload: () => workload }));
    expect(advice.workers?.cores).toBe(1.5);
    expect(advice.workers?.perCoreRange).toEqual([3, 6]);
  });

  it('has no per-worker figure where the config file decides the count', () => {
    const web = makeApp().processes[0]!;
    const advice = adviseProcess(
      {
        ...web,
        workers: { count: null, spelling: null, preload: false, configFile: 'gunicorn.conf.py' },
      },
      0.15,
      sources(),
    );
    expect(advice.workers).toMatchObject({ perWorkerBytes: null, fitCount: null });
  });
});

describe('worker fit and cores', () => {
  it('is the most workers whose estimate with headroom stays under the limit', () => {
    expect(workersThatFit(8 * GIB, 2 * GIB, 0)).toBe(4);
    expect(workersThatFit(8 * GIB, 2 * GIB, 0.15)).toBe(3);
    expect(workersThatFit(1 * GIB, 2 * GIB, 0.15)).toBe(0);
    expect(workersThatFit(8 * GIB, null, 0.15)).toBeNull();
  });

  it('gives at least one worker on a fraction of a core', () => {
    expect(perCoreRange(0.25)).toEqual([1, 1]);
    expect(perCoreRange(2)).toEqual([4, 8]);
    expect(perCoreRange(null)).toBeNull();
  });

  it('takes the smallest node the pods run on, else the smallest node', () => {
    const nodes = [node('node-a', '4'), node('node-b', '2'), node('node-c', '16')];
    const placed = makeProcess({ name: 'web', pods: [makePod({ name: 'p', node: 'node-c' })] });
    expect(nodeCores(placed, nodes)).toBe(16);
    expect(nodeCores(makeProcess({ name: 'web', pods: [] }), nodes)).toBe(2);
  });

  it('reads no CPU limit from a workload without one', () => {
    expect(
      containerCpuLimit(deployment({ app: 'shop', component: 'web', namespace: 'team-a' })),
    ).toBeNull();
  });
});

describe('app.memoryAdvice from a session', () => {
  it('rests on the per-replica peaks recorded from the samples, and says the window', () => {
    const history = new MemoryHistory();
    const app = makeApp();
    const hot = {
      ...app.processes[0]!,
      pods: [
        makePod({ name: 'web-0', memoryBytes: 7 * GIB }),
        makePod({ name: 'web-1', memoryBytes: 1 * GIB }),
      ],
    };
    const at = Date.UTC(2026, 0, 1, 10);
    recordReplicaPeaks(
      history,
      {
        [app.id]: {
          at,
          memoryByProcess: { web: 8 * GIB },
          latencyMs: null,
          errorRate: null,
        },
      },
      () => ({ ...app, processes: [hot, app.processes[1]!] }),
    );
    const session = {
      history,
      getApp: () => app,
      getWorkload: () => undefined,
      nodes: () => [node('node-a', '4')],
    };
    const advice = AppMemoryAdviceSchema.parse(
      memoryAdviceOf(
        session,
        { namespace: 'team-a', app: 'shop' },
        { recommendationHeadroom: 0.15 },
        at + 30 * 60_000,
      ),
    );
    // The hot replica's 7 GiB, not the mean 4 GiB: 7 × 1.15 = 8.05 GiB → 8.5 GiB.
    expect(advice.processes[0]).toMatchObject({
      process: 'web',
      peakBytes: 7 * GIB,
      windowMs: 30 * 60_000,
      recommendedLimit: '8704Mi',
      direction: 'raise',
    });
    // No sample measured the worker process: nothing to rest a recommendation on.
    expect(advice.processes[1]).toMatchObject({ process: 'worker', recommendedLimit: null });
  });

  it('is NOT_FOUND for an app the session does not have', () => {
    const session = {
      history: new MemoryHistory(),
      getApp: () => undefined,
      getWorkload: () => undefined,
      nodes: () => [],
    };
    expect(() =>
      memoryAdviceOf(
        session,
        { namespace: 'team-a', app: 'gone' },
        { recommendationHeadroom: 0.15 },
      ),
    ).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
