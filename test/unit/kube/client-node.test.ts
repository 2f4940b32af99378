import { V1Container, V1Deployment, V1ObjectMeta } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ObjectSerializer, quantityToScalar } from '../../../main/kube/client-node';

/**
 * main/kube/client-node.ts reaches past client-node's package root for two internals. These tests
 * are what an upgrade of client-node trips over if it moves or changes them.
 */

describe('the client-node internals we depend on', () => {
  // Imported here by literal path too, so a moved module fails by its name, not only as a
  // module that cannot be loaded.
  it('still live at the deep paths main/kube/client-node.ts imports', async () => {
    const util = await import('@kubernetes/client-node/dist/util.js');
    const serializer = await import('@kubernetes/client-node/dist/serializer.js');
    expect(util.quantityToScalar).toBeTypeOf('function');
    expect(serializer.ObjectSerializer.deserialize).toBeTypeOf('function');
  });

  it('parse a quantity to its value: binary and decimal suffixes, milli, exponent', () => {
    expect(Number(quantityToScalar('1Gi'))).toBe(1073741824);
    expect(Number(quantityToScalar('512Mi'))).toBe(536870912);
    expect(Number(quantityToScalar('8G'))).toBe(8e9);
    expect(Number(quantityToScalar('250m'))).toBe(0.25);
    expect(Number(quantityToScalar('1e3'))).toBe(1000);
  });

  it('throw on a quantity they cannot parse (memory-limits reads that as malformed)', () => {
    expect(() => quantityToScalar('lots')).toThrow();
    expect(() => quantityToScalar('8GB')).toThrow();
  });

  it('deserialize Deployment JSON into a V1Deployment, nested models and Date timestamps', () => {
    const json = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2026-01-02T03:04:05Z' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'shop:1' }] },
        },
      },
      status: {
        conditions: [
          {
            type: 'Available',
            status: 'True',
            lastUpdateTime: '2026-01-02T03:05:00Z',
            lastTransitionTime: '2026-01-02T03:05:00Z',
          },
        ],
      },
    };

    const deployment = ObjectSerializer.deserialize(json, 'V1Deployment');

    expect(deployment).toBeInstanceOf(V1Deployment);
    if (!(deployment instanceof V1Deployment)) return;
    expect(deployment.metadata).toBeInstanceOf(V1ObjectMeta);
    expect(deployment.metadata?.creationTimestamp).toEqual(new Date('2026-01-02T03:04:05Z'));
    expect(deployment.status?.conditions?.[0]?.lastUpdateTime).toEqual(
      new Date('2026-01-02T03:05:00Z'),
    );
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.template.spec?.containers[0]).toBeInstanceOf(V1Container);
  });

  it('serialize a model back to the JSON the API server sends', () => {
    const deployment = new V1Deployment();
    deployment.metadata = { name: 'web', creationTimestamp: new Date('2026-01-02T03:04:05Z') };

    expect(ObjectSerializer.serialize(deployment, 'V1Deployment')).toEqual({
      metadata: { name: 'web', creationTimestamp: '2026-01-02T03:04:05.000Z' },
    });
  });
});
