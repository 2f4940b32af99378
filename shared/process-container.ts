import { isGunicorn } from './gunicorn-command';

/**
 * The container of a pod template whose command is a process's Procfile line, and the parts of
 * it (command, args, literal environment) the worker count is read from and written to.
 */

/** A container's command and args kept apart, as the pod template has them. */
export interface ContainerCommand {
  command: string[];
  args: string[];
  env: Record<string, string>;
}

/**
 * A container of a pod template, as far as its Procfile line goes: the fields of client-node's
 * V1Container that matter here, written out because shared/ does not import client-node.
 */
export interface PodContainer {
  command?: readonly string[];
  args?: readonly string[];
  env?: readonly { name: string; value?: string; valueFrom?: unknown }[];
}

/**
 * The container's literal environment: variables with a value written in the template. Values
 * from secrets, config maps or fields cannot be read here, and are never a count to edit.
 */
export function literalEnv(container: PodContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined && variable.valueFrom === undefined) {
      env[variable.name] = variable.value;
    }
  }
  return env;
}

/** A container's command, args and literal environment, as the worker edit takes them. */
export function containerCommand(container: PodContainer): ContainerCommand {
  return {
    command: [...(container.command ?? [])],
    args: [...(container.args ?? [])],
    env: literalEnv(container),
  };
}

/**
 * Which container of a pod template is the process's own, the one whose command is the Procfile
 * line and whose workers are read and set: the first that runs gunicorn, so a sidecar listed
 * before it (a cloud-sql-proxy, an envoy) is passed over; else the first container. -1 where
 * there are no containers. The model and set-workers both ask this, so what is shown is what is
 * changed.
 */
export function processContainerIndex(containers: readonly PodContainer[]): number {
  const gunicorn = containers.findIndex((container) =>
    isGunicorn([...(container.command ?? []), ...(container.args ?? [])]),
  );
  if (gunicorn !== -1) return gunicorn;
  return containers.length > 0 ? 0 : -1;
}
