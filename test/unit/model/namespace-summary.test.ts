import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { summarizeNamespace } from '../../../main/model/namespace-summary';
import { foreignPod } from '../../fixtures/workloads';

describe('what a namespace holds besides its apps', () => {
  const daemon = (name: string, owner = 'node-exporter') =>
    foreignPod({ namespace: 'mixed', name, labels: {}, owner: { kind: 'DaemonSet', name: owner } });
  const bare = foreignPod({ namespace: 'mixed', name: 'scratch', labels: {} });
  const listed = foreignPod({
    namespace: 'mixed',
    name: 'web-0',
    labels: {},
    owner: { kind: 'StatefulSet', name: 'web' },
  });
  const elsewhere = daemon('exporter-z');
  elsewhere.metadata!.namespace = 'other';

  it('counts the pods in no app by the kind of their controller, most first, bare pods as such', () => {
    const pods: V1Pod[] = [
      daemon('exporter-a'),
      bare,
      daemon('exporter-b', 'other-exporter'),
      listed,
      elsewhere,
    ];
    const summary = summarizeNamespace({
      namespace: 'mixed',
      pods,
      workloads: 1,
      listed: (pod) => pod === listed,
      statefulSetsUnreadable: false,
    });
    expect(summary).toEqual({
      namespace: 'mixed',
      workloads: 1,
      pods: 4,
      unlisted: [
        { kind: 'DaemonSet', owners: 2, pods: 2 },
        { kind: null, owners: 0, pods: 1 },
      ],
      statefulSetsUnreadable: false,
    });
  });

  it('sums every namespace where the session watches all of them', () => {
    const summary = summarizeNamespace({
      namespace: null,
      pods: [daemon('exporter-a'), elsewhere],
      workloads: 0,
      listed: () => false,
      statefulSetsUnreadable: true,
    });
    expect(summary.pods).toBe(2);
    // The same DaemonSet name in two namespaces is two DaemonSets.
    expect(summary.unlisted).toEqual([{ kind: 'DaemonSet', owners: 2, pods: 2 }]);
    expect(summary.statefulSetsUnreadable).toBe(true);
  });
});
