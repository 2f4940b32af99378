import { describe, expect, it } from 'vitest';
import { groupingDescription } from '../../../shared/app-grouping';
import { makeApp, makeProcess } from '../../fixtures/app-model';

describe('how an app was grouped, as its header says it', () => {
  it('names the Helm release, or the label and its value', () => {
    expect(
      groupingDescription(
        makeApp({
          name: 'shop',
          groupedBy: { rule: 'helm-release', key: 'app.kubernetes.io/instance' },
        }),
      ),
    ).toBe('Grouped by Helm release shop');
    expect(
      groupingDescription(
        makeApp({
          name: 'billing',
          groupedBy: { rule: 'grouping-label', key: 'team.example.com/app' },
        }),
      ),
    ).toBe('Grouped by the label team.example.com/app=billing');
    expect(
      groupingDescription(makeApp({ name: 'plain', groupedBy: { rule: 'app-label', key: 'app' } })),
    ).toBe('Grouped by the label app=plain');
  });

  it('says a workload stands alone, by its kind', () => {
    const db = makeProcess({ name: 'db', workloadKind: 'StatefulSet', deployment: 'db' });
    expect(
      groupingDescription(
        makeApp({
          name: 'db',
          groupedBy: { rule: 'workload', key: null },
          processes: [db],
          workspace: null,
        }),
      ),
    ).toBe('A StatefulSet on its own: no app label names it');
  });
});
