import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { lastChangeOf } from '../../../main/model/last-change';
import { deployment, pod } from '../../fixtures/kube-objects';
import { asDeployment, asStatefulSet, statefulSet, statefulSetPod } from '../../fixtures/workloads';

describe('last change', () => {
  const at = (iso: string) => new Date(iso);
  /** web, created long ago, its Progressing condition last updated at `progressedAt`. */
  function web(options: { createdAt: string; progressedAt?: string; restartedAt?: string }) {
    const d = deployment({ app: 'a', component: 'web', replicas: 2 });
    d.metadata!.creationTimestamp = at(options.createdAt);
    d.status!.conditions = [
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        ...(options.progressedAt ? { lastUpdateTime: at(options.progressedAt) } : {}),
      },
    ];
    if (options.restartedAt) {
      d.spec!.template.metadata!.annotations = {
        'kubectl.kubernetes.io/restartedAt': options.restartedAt,
      };
    }
    return d;
  }
  /** A pod of `d` created at `createdAt`, of the ReplicaSet with `hash`. */
  function podAt(d: V1Deployment, index: number, createdAt: string, hash = '5d8f7c9b4') {
    const p = pod({ deployment: d, index });
    p.metadata!.name = `${d.metadata!.name}-${hash}-${index}`;
    p.metadata!.creationTimestamp = at(createdAt);
    p.metadata!.labels = { ...p.metadata!.labels, 'pod-template-hash': hash };
    p.metadata!.ownerReferences![0]!.name = `${d.metadata!.name}-${hash}`;
    return p;
  }
  const noPods = () => [];

  it('dates from when the running pods were rolled out, not from a controller that came up after them', () => {
    // Seeded days ago; the deployment controller (re)started just now and stamped its condition.
    const d = web({ createdAt: '2026-01-01T09:00:00Z', progressedAt: '2026-03-10T12:00:00Z' });
    const pods = [podAt(d, 0, '2026-03-07T08:00:00Z'), podAt(d, 1, '2026-03-07T08:00:05Z')];
    expect(lastChangeOf([asDeployment(d)], () => pods)).toBe('2026-03-07T08:00:00.000Z');
  });

  it('is bounded by the Progressing condition where the pods were replaced after the rollout', () => {
    const d = web({ createdAt: '2026-01-01T09:00:00Z', progressedAt: '2026-02-01T10:00:00Z' });
    // A node drain a month later replaced both pods: not a change of the app.
    const pods = [podAt(d, 0, '2026-03-01T07:00:00Z'), podAt(d, 1, '2026-03-01T07:01:00Z')];
    expect(lastChangeOf([asDeployment(d)], () => pods)).toBe('2026-02-01T10:00:00.000Z');
  });

  it('dates a rollout in progress from its new pods, and a restart from its annotation', () => {
    const d = web({ createdAt: '2026-01-01T09:00:00Z', progressedAt: '2026-03-10T12:00:30Z' });
    const rolling = [
      podAt(d, 0, '2026-02-01T08:00:00Z', 'old1234'),
      podAt(d, 1, '2026-03-10T12:00:00Z', 'new5678'),
    ];
    expect(lastChangeOf([asDeployment(d)], () => rolling)).toBe('2026-03-10T12:00:00.000Z');

    const restarted = web({
      createdAt: '2026-01-01T09:00:00Z',
      restartedAt: '2026-03-11T15:30:00Z',
    });
    const worker = deployment({ app: 'a', component: 'worker' });
    worker.metadata!.creationTimestamp = at('2026-01-01T09:00:00Z');
    expect(lastChangeOf([asDeployment(restarted), asDeployment(worker)], noPods)).toBe(
      '2026-03-11T15:30:00.000Z',
    );
  });

  it('falls back to when the Deployment was created where nothing else tells', () => {
    const d = web({ createdAt: '2026-01-01T09:00:00Z' });
    expect(lastChangeOf([asDeployment(d)], noPods)).toBe('2026-01-01T09:00:00.000Z');
  });

  it("dates a StatefulSet's template from its pods of the newest revision", () => {
    const db = statefulSet({ name: 'db', labels: { app: 'a' }, createdAt: '2026-01-01T09:00:00Z' });
    const pods = [statefulSetPod(db, 0), statefulSetPod(db, 1)];
    pods[0]!.metadata!.creationTimestamp = at('2026-03-01T08:00:00Z');
    pods[1]!.metadata!.creationTimestamp = at('2026-03-01T08:01:00Z');
    expect(lastChangeOf([asStatefulSet(db)], () => pods)).toBe('2026-03-01T08:00:00.000Z');
  });

  it('is unknown where no Deployment carries a time', () => {
    const d = deployment({ app: 'a', component: 'web' });
    expect(lastChangeOf([asDeployment(d)], noPods)).toBeNull();
  });
});
