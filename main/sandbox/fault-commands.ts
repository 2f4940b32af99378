import { execPluginCommand } from './exec-plugin';
import type { Sandbox } from './sandbox-cluster';

/**
 * The fault hooks of `npm run sandbox`: one command per line on its standard input, so a person
 * (or a script) driving the CLI can make the cluster misbehave as the tests do. Standard input
 * and nothing else: there is no control endpoint on the network, and the app's own sandbox
 * (default-sandbox.ts) has no fault hooks at all.
 */

export type FaultTarget = Pick<
  Sandbox,
  'faults' | 'triggerOom' | 'scrapeMetrics' | 'restart' | 'execPlugin'
>;

export const FAULT_COMMANDS_HELP = `fault commands (one per line on stdin):
  latency MS          add MS milliseconds before every API answer (0 = none)
  errors SHARE        answer a share (0..1) of API requests 500 InternalError
  throttle SHARE      answer a share (0..1) of API requests 429 TooManyRequests
  metrics STATE       the metrics API: ok, absent (no metrics-server: 404) or failing (503)
  reset               latency and both shares back to 0, the metrics API served
  cut-watches         end every open watch stream now
  down MS             refuse connections for MS milliseconds, then listen again
  expire-history      forget the watch history: older resourceVersions get 410 Expired
  restart             listen again on the same port, state kept, streams cut
  oom NAMESPACE APP   make the app's web pods pass their memory limit (OOMKilled until a rollout)
  scrape              run a metrics-server scrape and memory-limit check now
  exec-plugin WHAT     the sandbox-exec context's credential plugin: fail [MESSAGE],
                      ttl SECONDS, no-expiry, revoke (its tokens get 401), runs
  help                this list`;

const METRICS_API_SAID = {
  ok: 'served',
  absent: 'absent, as without metrics-server (404, not in discovery)',
  failing: 'failing, as an unavailable APIService (503 ServiceUnavailable)',
} as const;

function wholeMs(text: string | undefined, command: string): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new Error(`${command} takes a whole number of milliseconds, got "${text ?? ''}"`);
  }
  return Number(text);
}

function share(text: string | undefined, command: string): number {
  const value = text === undefined || text.trim() === '' ? NaN : Number(text);
  if (!(value >= 0 && value <= 1)) {
    throw new Error(`${command} takes a share from 0 to 1, got "${text ?? ''}"`);
  }
  return value;
}

function percent(value: number): string {
  return `${Math.round(value * 1000) / 10}%`;
}

/**
 * Runs one command line against the sandbox. Resolves to what to print (empty for a blank line);
 * rejects, changing nothing, where the line is not a command or its arguments are wrong.
 */
export async function runFaultCommand(target: FaultTarget, line: string): Promise<string> {
  const [command, ...args] = line.trim().split(/\s+/).filter(Boolean);
  const { faults } = target;
  const expectArgs = (count: number, usage: string) => {
    if (args.length !== count) throw new Error(`usage: ${usage}`);
  };
  switch (command) {
    case undefined:
      return '';
    case 'help':
      return FAULT_COMMANDS_HELP;
    case 'latency':
      expectArgs(1, 'latency MS');
      faults.latencyMs = wholeMs(args[0], 'latency');
      return `latency: ${faults.latencyMs} ms before every API answer`;
    case 'errors':
      expectArgs(1, 'errors SHARE');
      faults.serverErrorRate = share(args[0], 'errors');
      return `500 InternalError: ${percent(faults.serverErrorRate)} of API requests`;
    case 'throttle':
      expectArgs(1, 'throttle SHARE');
      faults.throttleRate = share(args[0], 'throttle');
      return `429 TooManyRequests: ${percent(faults.throttleRate)} of API requests`;
    case 'metrics': {
      expectArgs(1, 'metrics ok|absent|failing');
      const state = args[0];
      if (state !== 'ok' && state !== 'absent' && state !== 'failing') {
        throw new Error(`metrics takes ok, absent or failing, got "${state ?? ''}"`);
      }
      faults.metricsApi = state;
      return `metrics API: ${METRICS_API_SAID[state]}`;
    }
    case 'reset':
      expectArgs(0, 'reset');
      faults.reset();
      return 'faults reset: no latency, no injected errors';
    case 'cut-watches':
      expectArgs(0, 'cut-watches');
      return `cut ${faults.cutWatches()} watch stream(s)`;
    case 'down': {
      expectArgs(1, 'down MS');
      const ms = wholeMs(args[0], 'down');
      await faults.down(ms);
      return `back up after ${ms} ms down`;
    }
    case 'expire-history':
      expectArgs(0, 'expire-history');
      faults.expireWatchHistory();
      return 'watch history expired: a watch from an earlier resourceVersion gets 410 Expired';
    case 'restart':
      expectArgs(0, 'restart');
      await target.restart();
      return 'restarted on the same port, state kept';
    case 'oom': {
      expectArgs(2, 'oom NAMESPACE APP');
      const [namespace = '', app = ''] = args;
      target.triggerOom(namespace, app);
      return `${namespace}/${app}: web pods pass their memory limit until a rollout replaces them`;
    }
    case 'exec-plugin':
      return execPluginCommand(target.execPlugin, args);
    case 'scrape':
      expectArgs(0, 'scrape');
      target.scrapeMetrics();
      return 'metrics scraped';
    default:
      throw new Error(`unknown command "${command}" (type help)`);
  }
}
