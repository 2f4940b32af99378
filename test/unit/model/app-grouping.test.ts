import { describe, expect, it } from 'vitest';
import { appIdOf, selectorMatches } from '../../../main/model/app-grouping';
import { deployment } from '../../fixtures/kube-objects';

describe('which app a Deployment belongs to', () => {
  it('is the part-of label within the namespace, and none without the label', () => {
    const web = deployment({ namespace: 'shop', app: 'sales', component: 'web' });
    expect(appIdOf(web)).toBe('shop/sales');
    delete web.metadata!.labels!['app.kubernetes.io/part-of'];
    expect(appIdOf(web)).toBeNull();
  });
});

describe('label selectors', () => {
  it('matches labels and expressions as Kubernetes does', () => {
    const labels = { app: 'a', tier: 'web' };
    expect(selectorMatches({ matchLabels: { app: 'a' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'b' } }, labels)).toBe(false);
    expect(
      selectorMatches(
        { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
        labels,
      ),
    ).toBe(true);
    expect(
      selectorMatches(
        { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] },
        labels,
      ),
    ).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels),
    ).toBe(true);
    expect(selectorMatches({}, labels)).toBe(false);
  });
});
