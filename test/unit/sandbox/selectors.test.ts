import { describe, expect, it } from 'vitest';
import { fieldMatcher, labelMatcher, selectorMatches } from '../../../main/sandbox/selectors';
import type { KubeObject } from '../../../main/sandbox/kube-types';

const pod = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'p', namespace: 'demo', labels },
  ...extra,
});

describe('label selectors', () => {
  const web = pod({ app: 'sales', component: 'web' });
  const worker = pod({ app: 'sales', component: 'worker' });
  const bare = pod({});
  const match = (selector: string, object: KubeObject) => labelMatcher(selector)!(object);

  it('supports =, ==, !=', () => {
    expect(match('app=sales,component==web', web)).toBe(true);
    expect(match('app=sales,component==web', worker)).toBe(false);
    expect(match('component!=web', worker)).toBe(true);
    expect(match('component!=web', bare)).toBe(true);
  });

  it('supports in, notin, exists and !exists', () => {
    expect(match('component in (web, worker)', worker)).toBe(true);
    expect(match('component notin (web)', worker)).toBe(true);
    expect(match('component notin (web)', web)).toBe(false);
    expect(match('component', bare)).toBe(false);
    expect(match('!component', bare)).toBe(true);
  });

  it('refuses a malformed key with 400', () => {
    expect(() => labelMatcher('bad key=1')).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('matches matchLabels and matchExpressions', () => {
    expect(
      selectorMatches(
        {
          matchLabels: { app: 'sales' },
          matchExpressions: [{ key: 'component', operator: 'In', values: ['web'] }],
        },
        { app: 'sales', component: 'web' },
      ),
    ).toBe(true);
    expect(selectorMatches({}, { app: 'sales' })).toBe(false);
  });
});

describe('field selectors', () => {
  it('matches dotted paths with = and !=', () => {
    const p = pod({}, { spec: { nodeName: 'node-1' }, status: { phase: 'Running' } });
    expect(fieldMatcher('spec.nodeName=node-1')!(p)).toBe(true);
    expect(fieldMatcher('metadata.name=p,status.phase!=Succeeded')!(p)).toBe(true);
    expect(fieldMatcher('spec.nodeName=node-2')!(p)).toBe(false);
  });
});
