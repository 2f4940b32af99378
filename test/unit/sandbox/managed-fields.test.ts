import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/sandbox/api-errors';
import type { KubeObject } from '../../../main/sandbox/kube-types';
import { fieldManagerFor, type ManagedFieldsEntry } from '../../../main/sandbox/managed-fields';
import { ObjectStore } from '../../../main/sandbox/object-store';
import { Registry } from '../../../main/sandbox/registry';
import { TYPES } from '../../../main/sandbox/resource-types';

/**
 * managedFields as the API server records Update operations: who set which field, a field
 * taken from the manager that set it before, fields that a write removed dropped, the scale
 * and status subresources recorded as such, and the fieldManager a request names (or its
 * User-Agent's first word).
 */

const NS = 'demo';
let store: ObjectStore;
let registry: Registry;

function deployment(replicas = 2, labels: Record<string, string> = { app: 'web' }): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'shop:1' }] },
      },
    },
  };
}

function entries(object: KubeObject): ManagedFieldsEntry[] {
  return (object.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
}

function owner(object: KubeObject, ...path: string[]): string[] {
  return entries(object)
    .filter((e) => {
      let node: Record<string, unknown> | undefined = e.fieldsV1;
      for (const key of path) node = node?.[key] as Record<string, unknown> | undefined;
      return node !== undefined;
    })
    .map((e) => `${e.manager}${e.subresource ? `/${e.subresource}` : ''}`);
}

beforeEach(() => {
  store = new ObjectStore();
  registry = new Registry(store, () => new Date('2026-11-30T05:00:00Z'));
  registry.create(TYPES.namespaces, '', { metadata: { name: NS } });
});

describe('managedFields on writes', () => {
  it('a create records its manager owning every field it set, with the Update operation', () => {
    const created = registry
      .managedBy('kubectl-create')
      .create(TYPES.deployments, NS, deployment());
    const [entry] = entries(created);
    expect(entry).toMatchObject({
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2026-11-30T05:00:00Z',
      fieldsType: 'FieldsV1',
    });
    expect(entry?.subresource).toBeUndefined();
    expect(entry?.fieldsV1['f:spec']?.['f:replicas']).toEqual({});
    expect(entry?.fieldsV1['f:metadata']?.['f:labels']).toEqual({ '.': {}, 'f:app': {} });
    // A LabelSelector is atomic; containers are keyed by name.
    expect(entry?.fieldsV1['f:spec']?.['f:selector']).toEqual({});
    const containers = entry?.fieldsV1['f:spec']?.['f:template']?.['f:spec']?.['f:containers'];
    expect(containers?.['k:{"name":"web"}']?.['f:image']).toEqual({});
    // Server-owned metadata and the status (a subresource) belong to nobody.
    expect(entry?.fieldsV1['f:metadata']?.['f:uid']).toBeUndefined();
    expect(entry?.fieldsV1['f:status']).toBeUndefined();
  });

  it('a scale through the subresource takes spec.replicas from the manager that created it', () => {
    registry.managedBy('kubectl-create').create(TYPES.deployments, NS, deployment());
    registry.managedBy('kubectl').updateScale(TYPES.deployments, NS, 'web', {
      spec: { replicas: 3 },
    });
    const stored = store.mustGet(TYPES.deployments, NS, 'web');
    expect(owner(stored, 'f:spec', 'f:replicas')).toEqual(['kubectl/scale']);
    const scaleEntry = entries(stored).find((e) => e.subresource === 'scale');
    expect(scaleEntry?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(scaleEntry?.apiVersion).toBe('apps/v1');
    // The creator keeps the rest.
    expect(owner(stored, 'f:spec', 'f:template')).toEqual(['kubectl-create']);
  });

  it('an update by another manager takes only the fields it changed, and a removed field leaves its owner', () => {
    registry
      .managedBy('kubectl-create')
      .create(TYPES.deployments, NS, deployment(2, { app: 'web', tier: 'front' }));
    const current = store.mustGet(TYPES.deployments, NS, 'web');
    registry.managedBy('kubectl-edit').update(TYPES.deployments, NS, 'web', {
      ...current,
      metadata: { ...current.metadata, labels: { app: 'web' } },
      spec: { ...(current['spec'] as object), replicas: 5 },
    });
    const stored = store.mustGet(TYPES.deployments, NS, 'web');
    expect(owner(stored, 'f:spec', 'f:replicas')).toEqual(['kubectl-edit']);
    expect(owner(stored, 'f:metadata', 'f:labels', 'f:tier')).toEqual([]);
    expect(owner(stored, 'f:metadata', 'f:labels', 'f:app')).toEqual(['kubectl-create']);
  });

  it('a write that changes nothing leaves managedFields as they were', () => {
    registry.managedBy('kubectl-create').create(TYPES.deployments, NS, deployment());
    const before = store.mustGet(TYPES.deployments, NS, 'web');
    registry
      .managedBy('someone')
      .patch(TYPES.deployments, NS, 'web', undefined, 'application/merge-patch+json', {
        spec: { replicas: 2 },
      });
    expect(store.mustGet(TYPES.deployments, NS, 'web').metadata.managedFields).toEqual(
      before.metadata.managedFields,
    );
  });

  it('writes without a manager (seeding, controllers) keep what is recorded and add nothing', () => {
    registry.managedBy('kubectl-create').create(TYPES.deployments, NS, deployment());
    registry.updateScale(TYPES.deployments, NS, 'web', { spec: { replicas: 4 } });
    expect(owner(store.mustGet(TYPES.deployments, NS, 'web'), 'f:spec', 'f:replicas')).toEqual([
      'kubectl-create',
    ]);
  });
});

describe('the field manager of a request', () => {
  it('is the fieldManager parameter, else the User-Agent up to its first slash', () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(fieldManagerFor('patch', q('fieldManager=kubectl-rollout'), 'kubectl/v1.32.4')).toBe(
      'kubectl-rollout',
    );
    expect(
      fieldManagerFor('patch', q(''), 'kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07'),
    ).toBe('kubectl');
    expect(fieldManagerFor('create', q(''), 'OpenAPI-Generator/1.0.0/javascript')).toBe(
      'OpenAPI-Generator',
    );
    expect(fieldManagerFor('get', q('fieldManager=x'), 'kubectl/v1')).toBeUndefined();
  });

  it('longer than 128 characters is refused with 422 Invalid naming fieldManager', () => {
    const long = 'm'.repeat(129);
    let error: unknown;
    try {
      fieldManagerFor('update', new URLSearchParams({ fieldManager: long }), undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(422);
    expect((error as ApiError).message).toBe(
      'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    );
    expect(
      fieldManagerFor('update', new URLSearchParams({ fieldManager: 'm'.repeat(128) }), undefined),
    ).toBe('m'.repeat(128));
  });
});
