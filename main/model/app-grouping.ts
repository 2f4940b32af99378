import type { V1Deployment, V1LabelSelector } from '@kubernetes/client-node';
import { PART_OF_LABEL, appId } from '../../shared/app-model';

/**
 * Which app a Deployment belongs to (DOMAIN.md: the Deployments of a namespace sharing
 * `app.kubernetes.io/part-of`), and the label selector matching that tells which Deployment a pod
 * without a ReplicaSet owner belongs to.
 */

/** The app a Deployment belongs to, or null where it carries no part-of label. */
export function appIdOf(deployment: V1Deployment): string | null {
  const partOf = deployment.metadata?.labels?.[PART_OF_LABEL];
  if (!partOf) return null;
  return appId(deployment.metadata?.namespace ?? '', partOf);
}

/** Whether a label selector selects these labels (matchLabels and matchExpressions). */
export function selectorMatches(
  selector: V1LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) return false; // selects nothing we would own
  for (const [name, value] of matchLabels) if (labels[name] !== value) return false;
  for (const expression of expressions) {
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
