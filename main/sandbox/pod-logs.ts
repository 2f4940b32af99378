import { badRequest } from './api-errors';
import type { Container, ContainerStatus, Pod } from './kube-types';
import { processShape } from './process-command';

/**
 * What `kubectl logs` shows for a simulated container: the start-up lines its program prints
 * (gunicorn's master and one "Booting worker" per worker, celery's banner, Jupyter's URL),
 * and for a run that ended in an OOM kill, gunicorn's own hint that a worker was SIGKILLed.
 * `previous` gives the run before the last restart, as the kubelet keeps it.
 */

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' +0000');
}

function runLines(
  container: Container,
  pod: Pod,
  startedMs: number,
  oomKilledMs?: number,
): string[] {
  const shape = processShape(container);
  const lines: string[] = [];
  if (shape.program === 'gunicorn') {
    const bind =
      /--bind[= ](\S+)/.exec(
        [...(container.command ?? []), ...(container.args ?? [])].join(' '),
      )?.[1] ?? '0.0.0.0:8000';
    const at = (offset: number) => `[${stamp(startedMs + offset)}]`;
    lines.push(`${at(0)} [1] [INFO] Starting gunicorn 23.0.0`);
    lines.push(`${at(5)} [1] [INFO] Listening at: http://${bind} (1)`);
    lines.push(`${at(5)} [1] [INFO] Using worker: sync`);
    for (let w = 0; w < shape.workers; w++) {
      lines.push(`${at(20 + w * 15)} [${7 + w}] [INFO] Booting worker with pid: ${7 + w}`);
    }
    if (oomKilledMs !== undefined) {
      lines.push(
        `[${stamp(oomKilledMs)}] [1] [ERROR] Worker (pid:7) was sent SIGKILL! Perhaps out of memory?`,
      );
    }
  } else if (shape.program === 'celery') {
    lines.push(`[${stamp(startedMs)}: INFO/MainProcess] Connected to redis://redis:6379/0`);
    lines.push(`[${stamp(startedMs + 40)}: INFO/MainProcess] celery@${pod.metadata.name} ready.`);
  } else {
    lines.push(`[I ${stamp(startedMs)} ServerApp] Jupyter Server 2.14.2 is running at:`);
    lines.push(`[I ${stamp(startedMs)} ServerApp] http://${pod.metadata.name}:8888/lab`);
  }
  return lines;
}

export function podLogs(
  pod: Pod,
  options: { container?: string | null; previous?: boolean; tailLines?: number },
): string {
  const containers = pod.spec.containers;
  const name = options.container ?? (containers.length === 1 ? containers[0]?.name : undefined);
  if (!name) {
    throw badRequest(
      `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
    );
  }
  const container = containers.find((c) => c.name === name);
  if (!container) throw badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
  const status = pod.status?.containerStatuses?.find((s: ContainerStatus) => s.name === name);
  const last = status?.lastState.terminated;
  let lines: string[];
  if (options.previous) {
    if (!last) {
      throw badRequest(
        `previous terminated container "${name}" in pod "${pod.metadata.name}" not found`,
      );
    }
    lines = runLines(
      container,
      pod,
      Date.parse(last.startedAt ?? ''),
      last.reason === 'OOMKilled' ? Date.parse(last.finishedAt ?? '') : undefined,
    );
  } else if (status?.state.running) {
    lines = runLines(container, pod, Date.parse(status.state.running.startedAt));
  } else if (last) {
    // Waiting to restart: the logs of the run that ended are still what `kubectl logs` shows.
    lines = runLines(
      container,
      pod,
      Date.parse(last.startedAt ?? ''),
      last.reason === 'OOMKilled' ? Date.parse(last.finishedAt ?? '') : undefined,
    );
  } else {
    const reason = status?.state.waiting?.reason ?? 'ContainerCreating';
    throw badRequest(
      `container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`,
    );
  }
  if (options.tailLines !== undefined && options.tailLines >= 0)
    lines = lines.slice(-options.tailLines || lines.length);
  if (options.tailLines === 0) lines = [];
  return lines.map((l) => `${l}\n`).join('');
}
