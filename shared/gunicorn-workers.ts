import type { Workers } from './app-model';
import { effectiveEnv, locate, scanCmdArgs } from './gunicorn-command';

/**
 * The gunicorn worker count of a Procfile line, in every spelling gunicorn accepts.
 *
 * Where gunicorn takes its worker count from, strongest first (gunicorn's own precedence):
 *   1. the command line: `--workers N`, `--workers=N`, `-w N`, `-wN` (the last one given wins);
 *   2. the `GUNICORN_CMD_ARGS` environment variable, holding the same flags;
 *   3. a config file (`-c file.py`), which we cannot see: the count is then unknown (null);
 *   4. the `WEB_CONCURRENCY` environment variable, gunicorn's default for `workers`;
 *   5. else 1.
 */

/**
 * Resolves a count as written: a number, or a variable the kubelet (`$(VAR)`) or the shell
 * (`$VAR`, `${VAR}`, `${VAR:-4}`) expands from the container's environment.
 */
function resolveCount(text: string | null, env: Record<string, string>): number | null {
  if (text === null) return null;
  let resolved: string | undefined = text;
  const variable =
    /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(text) ??
    /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(text) ??
    /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(text);
  const withDefault = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}$/.exec(text);
  if (variable) resolved = env[variable[1]!];
  else if (withDefault) resolved = env[withDefault[1]!] ?? withDefault[2];
  if (resolved === undefined || !/^\s*\d+\s*$/.test(resolved)) return null;
  const count = Number(resolved);
  return count >= 1 ? count : null;
}

/**
 * The worker count gunicorn will run with, how it is spelled and whether `--preload` is on; null
 * where the command is not gunicorn. `count` is null where it cannot be known from the command
 * and environment (a config file sets it, or a variable without a value).
 */
export function parseWorkers(argv: readonly string[], env: Record<string, string>): Workers | null {
  const located = locate(argv);
  if (!located) return null;
  const { scan } = located;
  const seen = effectiveEnv(located, argv, env);
  const cmdArgs = scanCmdArgs(seen);
  const preload = scan.preload || (cmdArgs?.scan.preload ?? false);
  // The command line's own -c beats one in GUNICORN_CMD_ARGS, as its flags do.
  const configFile = scan.configFile ?? cmdArgs?.scan.configFile ?? null;
  if (scan.count) {
    return {
      count: resolveCount(scan.countText, seen),
      spelling: scan.count.spelling,
      preload,
      configFile,
    };
  }
  if (cmdArgs?.scan.count) {
    return {
      count: resolveCount(cmdArgs.scan.countText, seen),
      spelling: 'GUNICORN_CMD_ARGS',
      preload,
      configFile,
    };
  }
  if (configFile !== null) return { count: null, spelling: null, preload, configFile };
  if (seen['WEB_CONCURRENCY'] !== undefined) {
    return {
      count: resolveCount(seen['WEB_CONCURRENCY'], seen),
      spelling: 'WEB_CONCURRENCY',
      preload,
      configFile,
    };
  }
  return { count: null, spelling: null, preload, configFile };
}

/**
 * The worker count gunicorn runs with, where it can be known: the count set, or gunicorn's
 * default of 1 where nothing sets one; null where a config file decides or the count is a
 * variable without a value here. Nothing is computed from a guess (memory per worker included).
 */
export function knownWorkerCount(workers: Workers): number | null {
  if (workers.count !== null) return workers.count;
  return workers.spelling === null && workers.configFile === null ? 1 : null;
}

/**
 * The worker count as the admin reads it: `4`, `gunicorn default 1`, `set by the config file
 * (gunicorn.conf.py)`, or unknown where a variable without a value sets it.
 */
export function describeWorkerCount(workers: Workers): string {
  if (workers.count !== null) return String(workers.count);
  if (workers.spelling !== null)
    return `not known (${workers.spelling} names a variable without a value)`;
  if (workers.configFile !== null) return `set by the config file (${workers.configFile})`;
  return 'gunicorn default 1';
}
