import { describe, expect, it } from 'vitest';
import { applyPatch, mergePatch, strategicMerge } from '../../../main/sandbox/patch';

const deployment = {
  metadata: { name: 'web', annotations: { a: '1' } },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: 'x' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'app:1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 8050 }],
          },
          { name: 'sidecar', image: 'proxy:1' },
        ],
      },
    },
  },
};

describe('JSON merge patch', () => {
  it('merges maps, deletes with null and replaces lists', () => {
    const out = mergePatch(deployment, {
      metadata: { annotations: { a: null, b: '2' } },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'app:2' }] } } },
    }) as typeof deployment;
    expect(out.metadata.annotations).toEqual({ b: '2' });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'web', image: 'app:2' }]);
    expect(out.spec.replicas).toBe(2);
  });
});

describe('strategic merge patch', () => {
  it('merges containers and env by name, keeping the rest', () => {
    const out = strategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                image: 'app:2',
                env: [
                  { name: 'B', value: '3' },
                  { name: 'C', value: '4' },
                ],
              },
            ],
          },
        },
      },
    }) as typeof deployment;
    const [web, sidecar] = out.spec.template.spec.containers;
    expect(web?.image).toBe('app:2');
    expect(web?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);
    expect(web?.ports).toEqual([{ containerPort: 8050 }]);
    expect(sidecar).toEqual({ name: 'sidecar', image: 'proxy:1' });
  });

  it('adds the restartedAt annotation as kubectl rollout restart sends it', () => {
    const out = strategicMerge(deployment, {
      spec: {
        template: {
          metadata: {
            annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' },
          },
        },
      },
    }) as { spec: { template: { metadata: { labels: object; annotations: object } } } };
    expect(out.spec.template.metadata).toEqual({
      labels: { app: 'x' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' },
    });
  });

  it('honours $patch: delete, $setElementOrder and $deleteFromPrimitiveList', () => {
    const out = strategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
            containers: [{ name: 'web', env: [{ name: 'A', $patch: 'delete' }] }],
          },
        },
      },
    }) as typeof deployment;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['sidecar', 'web']);
    expect(out.spec.template.spec.containers[1]?.env).toEqual([{ name: 'B', value: '2' }]);

    const fin = strategicMerge(
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    );
    expect(fin).toEqual({ metadata: { finalizers: ['b'] } });
  });

  it('replaces a list marked $patch: replace', () => {
    const out = strategicMerge(deployment, {
      spec: {
        template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } },
      },
    }) as typeof deployment;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });
});

describe('applyPatch', () => {
  it('applies a JSON patch and refuses one that does not apply with 422', () => {
    const out = applyPatch('application/json-patch+json', deployment, [
      { op: 'replace', path: '/spec/replicas', value: 5 },
    ]) as typeof deployment;
    expect(out.spec.replicas).toBe(5);
    expect(deployment.spec.replicas).toBe(2);
    expect(() =>
      applyPatch('application/json-patch+json', deployment, [
        { op: 'test', path: '/spec/replicas', value: 9 },
      ]),
    ).toThrow(expect.objectContaining({ code: 422 }));
  });

  it('refuses an unknown patch type with 415', () => {
    expect(() => applyPatch('text/plain', deployment, {})).toThrow(
      expect.objectContaining({ code: 415 }),
    );
  });
});
