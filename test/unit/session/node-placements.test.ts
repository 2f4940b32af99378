import type { CoreV1Api, V1Pod, V1PodList } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { HOLDS_A_SLOT, NodePlacements } from '../../../main/session/node-placements';

type ListArgs = Parameters<CoreV1Api['listPodForAllNamespaces']>[0];

const pod = (name: string, node: string): V1Pod => ({
  metadata: { name, namespace: 'other', managedFields: [{ manager: 'kubelet' }] },
  spec: { nodeName: node, containers: [{ name: 'app', image: 'app:1' }] },
  status: { phase: 'Running' },
});

function placements(answer: (args: ListArgs) => Promise<V1PodList>) {
  let now = 1_000_000;
  const asked: ListArgs[] = [];
  let changes = 0;
  const core: Pick<CoreV1Api, 'listPodForAllNamespaces'> = {
    listPodForAllNamespaces: (args) => {
      asked.push(args);
      return answer(args);
    },
  };
  const tracker = new NodePlacements({
    core,
    timeoutMs: 1_000,
    request: { context: 'prod' },
    changed: () => changes++,
    now: () => now,
  });
  return {
    tracker,
    asked,
    changes: () => changes,
    advance: (ms: number) => (now += ms),
  };
}

describe('node placements of a one-namespace session', () => {
  it('reads every page of the pods that may hold a slot, slimmed, and tells once read', async () => {
    const { tracker, asked, changes } = placements(async (args) =>
      args?._continue
        ? { items: [pod('c', 'node-2')], metadata: {} }
        : { items: [pod('a', 'node-1'), pod('b', 'node-1')], metadata: { _continue: 'next' } },
    );
    expect(tracker.current()).toBeNull();
    await tracker.fresh();
    expect(asked).toEqual([
      { fieldSelector: HOLDS_A_SLOT, limit: 500 },
      { fieldSelector: HOLDS_A_SLOT, limit: 500, _continue: 'next' },
    ]);
    const read = [...(tracker.current() ?? [])];
    expect(read.map((p) => [p.metadata?.name, p.spec?.nodeName])).toEqual([
      ['a', 'node-1'],
      ['b', 'node-1'],
      ['c', 'node-2'],
    ]);
    expect(read[0]?.metadata?.managedFields).toBeUndefined();
    expect(changes()).toBe(1);
  });

  it('reads again only once its copy is 30 s old', async () => {
    const { tracker, asked, advance } = placements(async () => ({ items: [], metadata: {} }));
    await tracker.fresh();
    advance(29_000);
    await tracker.fresh();
    tracker.lookAt();
    expect(asked).toHaveLength(1);
    advance(1_000);
    await tracker.fresh();
    expect(asked).toHaveLength(2);
  });

  it('asks once for many at the same time', async () => {
    const { tracker, asked } = placements(async () => ({ items: [], metadata: {} }));
    await Promise.all([tracker.fresh(), tracker.fresh(), tracker.fresh()]);
    expect(asked).toHaveLength(1);
  });

  it('says node room is unknown where it may not list pods in all namespaces, and stops asking', async () => {
    const { tracker, asked, advance } = placements(async () => {
      throw Object.assign(new Error('forbidden'), {
        code: 403,
        body: { kind: 'Status', code: 403, reason: 'Forbidden', message: 'pods is forbidden' },
      });
    });
    await tracker.fresh();
    expect(tracker.current()).toBeNull();
    advance(60_000);
    await tracker.fresh();
    expect(asked).toHaveLength(1);
  });

  it('keeps its last placements when a read fails, and tries again after 30 s', async () => {
    let fail = false;
    const { tracker, asked, advance } = placements(async () => {
      if (fail) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return { items: [pod('a', 'node-1')], metadata: {} };
    });
    await tracker.fresh();
    fail = true;
    advance(30_000);
    await tracker.fresh();
    expect(tracker.error?.code).toBe('UNREACHABLE');
    expect([...(tracker.current() ?? [])]).toHaveLength(1);
    await tracker.fresh();
    expect(asked).toHaveLength(2);
  });
});
