import { quoteWord } from './procfile';

/**
 * The kubectl command that makes the same change from a terminal, shown beside every change and
 * kept in the activity log, so an admin can check what ScaleDesk did or do it without it.
 */

export interface KubectlTarget {
  /** The kubeconfig context; null leaves it to kubectl's current context. */
  context: string | null;
  namespace: string;
}

/** One JSON patch operation (RFC 6902), as `kubectl patch --type=json` takes them. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

function scope(target: KubectlTarget): string {
  const parts = ['-n', quoteWord(target.namespace)];
  if (target.context !== null) parts.push('--context', quoteWord(target.context));
  return parts.join(' ');
}

/** `kubectl scale deployment/web --replicas=3 -n NS --context C` */
export function kubectlScale(target: KubectlTarget, deployment: string, replicas: number): string {
  return `kubectl scale deployment/${quoteWord(deployment)} --replicas=${replicas} ${scope(target)}`;
}

/** `kubectl rollout restart deployment/web deployment/worker -n NS --context C` */
export function kubectlRolloutRestart(
  target: KubectlTarget,
  deployments: readonly string[],
): string {
  const names = deployments.map((d) => `deployment/${quoteWord(d)}`).join(' ');
  return `kubectl rollout restart ${names} ${scope(target)}`;
}

/** `kubectl set env deployment/web -c CONTAINER WEB_CONCURRENCY=4 -n NS --context C` */
export function kubectlSetEnv(
  target: KubectlTarget,
  deployment: string,
  container: string,
  variables: Record<string, string>,
): string {
  const pairs = Object.entries(variables)
    .map(([name, value]) => quoteWord(`${name}=${value}`))
    .join(' ');
  return `kubectl set env deployment/${quoteWord(deployment)} -c ${quoteWord(container)} ${pairs} ${scope(target)}`;
}

/** `kubectl patch deployment/web --type=json -p '[...]' -n NS --context C` */
export function kubectlJsonPatch(
  target: KubectlTarget,
  deployment: string,
  operations: readonly JsonPatchOperation[],
): string {
  return `kubectl patch deployment/${quoteWord(deployment)} --type=json -p ${quoteWord(JSON.stringify(operations))} ${scope(target)}`;
}

/** Several commands run one after the other, stopping at the first that fails. */
export function kubectlSequence(commands: readonly string[]): string {
  return commands.join(' && ');
}
