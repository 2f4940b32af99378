import { describe, expect, it } from 'vitest';
import { whyNoApps, type NamespaceSummary } from '../../../shared/namespace-summary';

function summary(overrides: Partial<NamespaceSummary> = {}): NamespaceSummary {
  return {
    namespace: 'mixed',
    workloads: 0,
    pods: 0,
    unlisted: [],
    statefulSetsUnreadable: false,
    ...overrides,
  };
}

describe('why a namespace has no apps, in words', () => {
  it('names the pods it found by their owner, and what ScaleDesk lists', () => {
    const text = whyNoApps(
      summary({
        pods: 4,
        unlisted: [
          { kind: 'DaemonSet', owners: 1, pods: 3 },
          { kind: null, owners: 0, pods: 1 },
        ],
      }),
    );
    expect(text).toBe(
      'Found 3 pods of a DaemonSet and 1 bare pod (no owner) here; ScaleDesk lists Deployments and StatefulSets.',
    );
  });

  it('counts several owners of a kind, and says where', () => {
    const text = whyNoApps(
      summary({
        pods: 5,
        unlisted: [
          { kind: 'Job', owners: 2, pods: 4 },
          { kind: 'ReplicaSet', owners: 1, pods: 1 },
        ],
      }),
      'in this namespace',
    );
    expect(text).toBe(
      'Found 4 pods of 2 Jobs and 1 pod of a ReplicaSet in this namespace; ScaleDesk lists Deployments and StatefulSets.',
    );
  });

  it('says the namespace is empty, and when StatefulSets could not be read', () => {
    expect(whyNoApps(summary())).toBe(
      'No Deployments, StatefulSets or pods here. ScaleDesk lists Deployments and StatefulSets.',
    );
    const hidden = whyNoApps(
      summary({
        pods: 2,
        unlisted: [{ kind: 'StatefulSet', owners: 1, pods: 2 }],
        statefulSetsUnreadable: true,
      }),
    );
    expect(hidden).toMatch(/^Found 2 pods of a StatefulSet here;/);
    expect(hidden).toMatch(/StatefulSets could not be read/);
  });
});
