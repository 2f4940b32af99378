import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/sandbox/api-errors';
import type { StatefulSet } from '../../../main/sandbox/kube-types';
import { ObjectStore } from '../../../main/sandbox/object-store';
import { Registry } from '../../../main/sandbox/registry';
import { TYPES } from '../../../main/sandbox/resource-types';
import { toTable } from '../../../main/sandbox/table';

/**
 * What the API server does with a StatefulSet before any controller sees it: the apps/v1
 * defaults, the validation of its spec, the fields an update may not change, generation, the
 * scale subresource, and the columns `kubectl get sts` prints.
 */

const NS = 'demo';
const LABELS = { app: 'web' };

let store: ObjectStore;
let registry: Registry;

function body(spec: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: { containers: [{ name: 'web', image: 'shop:1' }] },
      },
      ...spec,
    },
  };
}

function refusal(call: () => unknown): { message: string; fields: string[] } {
  try {
    call();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.code).toBe(422);
    return {
      message: error.message,
      fields: (error.details?.causes ?? []).map((c) => c.field),
    };
  }
  throw new Error('expected the write to be refused');
}

beforeEach(() => {
  store = new ObjectStore();
  registry = new Registry(store);
  registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
});

describe('StatefulSets in the registry', () => {
  it('fills in the apps/v1 defaults on create', () => {
    const set = registry.create(TYPES.statefulsets, NS, body()) as StatefulSet;
    expect(set.metadata.generation).toBe(1);
    expect(set.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(set.spec.template.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
    });
    expect(set.status).toEqual({ replicas: 0, availableReplicas: 0 });
  });

  it('leaves an explicit RollingUpdate without rollingUpdate as it came, as upstream does', () => {
    const set = registry.create(
      TYPES.statefulsets,
      NS,
      body({ updateStrategy: { type: 'RollingUpdate' } }),
    ) as StatefulSet;
    expect(set.spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
  });

  it('refuses an invalid spec, naming each field', () => {
    const r = refusal(() =>
      registry.create(
        TYPES.statefulsets,
        NS,
        body({
          replicas: -1,
          podManagementPolicy: 'Sometimes',
          updateStrategy: { type: 'Rolling' },
          serviceName: 'Web_Service',
          template: {
            metadata: { labels: { app: 'other' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'web', image: 'shop:1' }] },
          },
        }),
      ),
    );
    expect(r.fields).toEqual([
      'spec.replicas',
      'spec.template.metadata.labels',
      'spec.template.spec.restartPolicy',
      'spec.podManagementPolicy',
      'spec.updateStrategy',
      'spec.serviceName',
    ]);
    expect(r.message).toContain('StatefulSet.apps "web" is invalid');
    expect(r.message).toContain('Unsupported value: "Never": supported values: "Always"');
  });

  it('refuses an empty selector and a negative partition', () => {
    const r = refusal(() =>
      registry.create(
        TYPES.statefulsets,
        NS,
        body({
          selector: {},
          template: { metadata: {}, spec: { containers: [{ name: 'web', image: 'shop:1' }] } },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } },
        }),
      ),
    );
    expect(r.fields).toEqual(['spec.selector', 'spec.updateStrategy.rollingUpdate.partition']);
    expect(r.message).toContain('empty selector is invalid for statefulset');
  });

  it('bumps generation on a spec change but not on a status write', () => {
    registry.create(TYPES.statefulsets, NS, body());
    const patch = (p: object) =>
      registry.patch(TYPES.statefulsets, NS, 'web', undefined, 'application/merge-patch+json', p);
    patch({ spec: { replicas: 2 } });
    expect(registry.get(TYPES.statefulsets, NS, 'web').metadata.generation).toBe(2);
    registry.patch(TYPES.statefulsets, NS, 'web', 'status', 'application/merge-patch+json', {
      status: { replicas: 2 },
    });
    expect(registry.get(TYPES.statefulsets, NS, 'web').metadata.generation).toBe(2);
  });

  it('forbids changing fields other than replicas, template, updateStrategy and the like', () => {
    registry.create(TYPES.statefulsets, NS, body({ serviceName: 'web' }));
    const r = refusal(() =>
      registry.patch(TYPES.statefulsets, NS, 'web', undefined, 'application/json-patch+json', [
        { op: 'replace', path: '/spec/serviceName', value: 'other' },
      ]),
    );
    expect(r.fields).toEqual(['spec']);
    expect(r.message).toContain(
      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
    registry.patch(
      TYPES.statefulsets,
      NS,
      'web',
      undefined,
      'application/strategic-merge-patch+json',
      {
        spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null }, minReadySeconds: 5 },
      },
    );
    const set = registry.get(TYPES.statefulsets, NS, 'web') as StatefulSet;
    expect(set.spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('serves the scale subresource as autoscaling/v1 Scale with the selector', () => {
    registry.create(TYPES.statefulsets, NS, body());
    const scale = registry.updateScale(TYPES.statefulsets, NS, 'web', {
      spec: { replicas: 3 },
    });
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 3 },
      status: { selector: 'app=web' },
    });
    const set = registry.get(TYPES.statefulsets, NS, 'web') as StatefulSet;
    expect(set.spec.replicas).toBe(3);
    expect(set.metadata.generation).toBe(2);
  });

  it('prints NAME, READY and AGE for kubectl get sts, CONTAINERS and IMAGES when wide', () => {
    const set = registry.create(TYPES.statefulsets, NS, body({ replicas: 3 })) as StatefulSet;
    const table = toTable(
      TYPES.statefulsets,
      [{ ...set, status: { replicas: 3, readyReplicas: 2, availableReplicas: 2 } }],
      { include: 'None', apiVersion: 'meta.k8s.io/v1' },
    ) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] };
    expect(table.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Age', 0],
      ['Containers', 1],
      ['Images', 1],
    ]);
    expect(table.rows[0]?.cells).toEqual([
      'web',
      '2/3',
      expect.stringMatching(/^\d+s$/),
      'web',
      'shop:1',
    ]);
  });
});
