import { describe, expect, it } from 'vitest';
import {
  groupingOf,
  podWorkload,
  processNameOf,
  processNames,
  strongestGrouping,
} from '../../../main/model/app-grouping';
import { deployment, pod } from '../../fixtures/kube-objects';
import {
  asDeployment,
  asStatefulSet,
  foreignPod,
  labelledDeployment,
  statefulSet,
  statefulSetPod,
} from '../../fixtures/workloads';

const PART_OF = 'app.kubernetes.io/part-of';
const HELM = {
  'app.kubernetes.io/name': 'shop',
  'app.kubernetes.io/instance': 'shop',
  'app.kubernetes.io/managed-by': 'Helm',
};

describe('which app a workload belongs to: the first rule that names one', () => {
  it('is the grouping label (part-of by default), over every other label', () => {
    const web = labelledDeployment({
      name: 'sales-web',
      labels: { [PART_OF]: 'sales', ...HELM, app: 'other' },
    });
    expect(groupingOf(web, PART_OF)).toEqual({
      app: 'sales',
      rule: 'grouping-label',
      key: PART_OF,
    });
  });

  it("is the admin's own grouping label instead of part-of where one is set", () => {
    const web = labelledDeployment({
      name: 'sales-web',
      labels: { 'team.example.com/app': 'billing', [PART_OF]: 'sales' },
    });
    expect(groupingOf(web, 'team.example.com/app')).toEqual({
      app: 'billing',
      rule: 'grouping-label',
      key: 'team.example.com/app',
    });
    // part-of is then no rule of its own: the workload falls through to the next ones.
    const other = labelledDeployment({ name: 'x', labels: { [PART_OF]: 'sales' } });
    expect(groupingOf(other, 'team.example.com/app')).toMatchObject({ app: 'x', rule: 'workload' });
  });

  it('is the Helm release: the instance label Helm set, or its release-name annotation alone', () => {
    const labelled = labelledDeployment({
      name: 'shop-web',
      labels: HELM,
      annotations: { 'meta.helm.sh/release-name': 'shop' },
    });
    expect(groupingOf(labelled, PART_OF)).toEqual({
      app: 'shop',
      rule: 'helm-release',
      key: 'app.kubernetes.io/instance',
    });
    const annotated = labelledDeployment({
      name: 'shop-worker',
      annotations: { 'meta.helm.sh/release-name': 'shop' },
    });
    expect(groupingOf(annotated, PART_OF)).toEqual({
      app: 'shop',
      rule: 'helm-release',
      key: 'meta.helm.sh/release-name',
    });
  });

  it('is the instance label where no Helm release says the same (an Argo CD app, a kustomization)', () => {
    const argo = labelledDeployment({
      name: 'reports-web',
      labels: { 'app.kubernetes.io/name': 'reports-web', 'app.kubernetes.io/instance': 'reports' },
    });
    expect(groupingOf(argo, PART_OF)).toEqual({
      app: 'reports',
      rule: 'instance',
      key: 'app.kubernetes.io/instance',
    });
  });

  it('is app.kubernetes.io/name, else the app label of kubectl create deployment', () => {
    const named = labelledDeployment({ name: 'x', labels: { 'app.kubernetes.io/name': 'blog' } });
    expect(groupingOf(named, PART_OF)).toEqual({
      app: 'blog',
      rule: 'name-label',
      key: 'app.kubernetes.io/name',
    });
    const plain = labelledDeployment({ name: 'plain', labels: { app: 'plain' } });
    expect(groupingOf(plain, PART_OF)).toEqual({ app: 'plain', rule: 'app-label', key: 'app' });
  });

  it('is the workload on its own, named after itself, where no label names an app', () => {
    const bare = labelledDeployment({ name: 'api.v2', labels: { tier: 'backend' } });
    expect(groupingOf(bare, PART_OF)).toEqual({ app: 'api.v2', rule: 'workload', key: null });
    // An empty label value names nothing.
    const empty = labelledDeployment({ name: 'y', labels: { app: '' } });
    expect(groupingOf(empty, PART_OF)).toMatchObject({ app: 'y', rule: 'workload' });
  });

  it('says an app was grouped by the first rule, in order, any of its workloads was grouped by', () => {
    expect(
      strongestGrouping([
        { rule: 'app-label', key: 'app' },
        { rule: 'helm-release', key: 'app.kubernetes.io/instance' },
        { rule: 'workload', key: null },
      ]),
    ).toEqual({ rule: 'helm-release', key: 'app.kubernetes.io/instance' });
  });
});

describe('the process a workload is in its app', () => {
  it('is its component label', () => {
    const web = labelledDeployment({
      name: 'shop-frontend',
      labels: { ...HELM, 'app.kubernetes.io/component': 'web' },
    });
    expect(processNameOf(web, 'shop')).toBe('web');
  });

  it("is what its name adds to the app's: release shop, Deployment shop-worker is worker", () => {
    expect(processNameOf(labelledDeployment({ name: 'shop-worker', labels: HELM }), 'shop')).toBe(
      'worker',
    );
  });

  it("is its container's name where the workload is named as its app, or not after it", () => {
    const own = labelledDeployment({ name: 'plain', labels: { app: 'plain' }, container: 'nginx' });
    expect(processNameOf(own, 'plain')).toBe('nginx');
    const other = labelledDeployment({
      name: 'frontend',
      labels: { app: 'shop' },
      container: 'ui',
    });
    expect(processNameOf(other, 'shop')).toBe('ui');
  });

  it('stays unique in the app: the oldest workload keeps a name, the later take their own', () => {
    const older = labelledDeployment({
      name: 'shop-a',
      labels: { app: 'shop', 'app.kubernetes.io/component': 'web' },
      createdAt: '2025-01-01T00:00:00Z',
    });
    const newer = labelledDeployment({
      name: 'shop-b',
      labels: { app: 'shop', 'app.kubernetes.io/component': 'web' },
      createdAt: '2025-06-01T00:00:00Z',
    });
    const a = asDeployment(older);
    const b = asDeployment(newer);
    // Whatever order they are listed in.
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const names = processNames('shop', order);
      expect(names.get(a)).toBe('web');
      expect(names.get(b)).toBe('shop-b');
    }
  });

  it('adds -2, -3 where the workload name is taken too (a Deployment and a StatefulSet named alike)', () => {
    const labels = { app: 'db', 'app.kubernetes.io/component': 'db' };
    const d = asDeployment(
      labelledDeployment({ name: 'db', labels, createdAt: '2025-01-01T00:00:00Z' }),
    );
    const s = asStatefulSet(statefulSet({ name: 'db', labels, createdAt: '2025-02-01T00:00:00Z' }));
    const t = asStatefulSet(
      statefulSet({ name: 'db-2', labels, createdAt: '2025-03-01T00:00:00Z' }),
    );
    const names = processNames('db', [t, s, d]);
    expect([names.get(d), names.get(s), names.get(t)]).toEqual(['db', 'db-2', 'db-2-2']);
    expect(new Set(names.values()).size).toBe(3);
  });
});

describe('which workload a pod belongs to: its owner references, never its labels', () => {
  it("is the Deployment of the ReplicaSet that controls it (the ReplicaSet's name less its hash)", () => {
    const web = deployment({ app: 'a', component: 'web' });
    expect(podWorkload(pod({ deployment: web, index: 0 }))).toEqual({
      kind: 'Deployment',
      name: 'a-web',
    });
  });

  it('is the StatefulSet that controls it', () => {
    const db = statefulSet({ name: 'chart-db', labels: { app: 'chart' } });
    expect(podWorkload(statefulSetPod(db, 0))).toEqual({ kind: 'StatefulSet', name: 'chart-db' });
  });

  it('is none for a pod of a DaemonSet or a Job, or of nobody, whatever its labels match', () => {
    const labels = { app: 'plain' };
    for (const owner of [
      { kind: 'DaemonSet', name: 'node-exporter' },
      { kind: 'Job', name: 'migrate-1' },
      undefined,
    ]) {
      expect(
        podWorkload(foreignPod({ name: 'p', labels, ...(owner ? { owner } : {}) })),
      ).toBeNull();
    }
    // A ReplicaSet reference that is not the pod's controller, or without the template hash.
    const web = deployment({ app: 'a', component: 'web' });
    const unowned = pod({ deployment: web, index: 0 });
    unowned.metadata!.ownerReferences![0]!.controller = false;
    expect(podWorkload(unowned)).toBeNull();
    const hashless = pod({ deployment: web, index: 1 });
    delete hashless.metadata!.labels!['pod-template-hash'];
    expect(podWorkload(hashless)).toBeNull();
  });
});
