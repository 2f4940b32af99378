import type { App } from './app-model';

/**
 * How an app was found, in the words shown with it (App Info's header): the rule that grouped its
 * workloads (model/app-grouping.ts decides; docs/domain-mapping.md says the order), so an admin
 * who did not label for ScaleDesk can see why these workloads are one app.
 */
export function groupingDescription(
  app: Pick<App, 'name' | 'groupedBy' | 'processes' | 'workspace'>,
): string {
  const { rule, key } = app.groupedBy;
  switch (rule) {
    case 'helm-release':
      return `Grouped by Helm release ${app.name}`;
    case 'workload': {
      const kind = (app.processes[0] ?? app.workspace)?.workloadKind ?? 'workload';
      return `A ${kind} on its own: no app label names it`;
    }
    case 'grouping-label':
    case 'instance':
    case 'name-label':
    case 'app-label':
      return `Grouped by the label ${key ?? 'of the app'}=${app.name}`;
  }
}
