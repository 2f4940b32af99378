import { describe, expect, it } from 'vitest';
import { ControlPlane } from '../../../main/sandbox/control-plane';
import { TYPES } from '../../../main/sandbox/resource-types';
import { generatedNamespace, seedCluster } from '../../../main/sandbox/seed';

describe('sandbox seed: generated apps over namespaces', () => {
  it('puts 50 apps to a namespace by default', () => {
    expect(generatedNamespace(0)).toBe('apps-01');
    expect(generatedNamespace(49)).toBe('apps-01');
    expect(generatedNamespace(50)).toBe('apps-02');
  });

  it('spreads the apps evenly over the namespaces asked for, every one used, named to sort', () => {
    const spread = { apps: 5000, namespaces: 2000 };
    const names = Array.from({ length: spread.apps }, (_, i) => generatedNamespace(i, spread));
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    expect(counts.size).toBe(2000);
    expect(new Set(counts.values())).toEqual(new Set([2, 3]));
    expect(names[0]).toBe('apps-0001');
    expect(names.at(-1)).toBe('apps-2000');
    expect([...names].sort()).toEqual(names);
  });

  it('seeds each of those namespaces with its LimitRange and quota, and their apps', () => {
    const cp = new ControlPlane({ metricsIntervalMs: 60_000, readyDelayMs: 100 });
    try {
      seedCluster(cp, { demo: false, apps: 7, namespaces: 3 });
      const namespaces = [...cp.store.each(TYPES.namespaces, '')].map((n) => n.metadata.name);
      expect(namespaces.filter((n) => n?.startsWith('apps-')).sort()).toEqual([
        'apps-01',
        'apps-02',
        'apps-03',
      ]);
      for (const ns of ['apps-01', 'apps-02', 'apps-03']) {
        expect([...cp.store.each(TYPES.limitranges, ns)]).toHaveLength(1);
        expect([...cp.store.each(TYPES.resourcequotas, ns)]).toHaveLength(1);
        expect([...cp.store.each(TYPES.deployments, ns)].length).toBeGreaterThan(1);
      }
    } finally {
      cp.stop();
    }
  });

  it('refuses a namespace count below one', () => {
    const cp = new ControlPlane({ metricsIntervalMs: 60_000, readyDelayMs: 100 });
    try {
      expect(() => seedCluster(cp, { demo: false, apps: 3, namespaces: 0 })).toThrow(/at least 1/);
    } finally {
      cp.stop();
    }
  });
});
