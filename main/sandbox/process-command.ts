import type { Container } from './kube-types';

/**
 * What a container's command says about the processes it runs: gunicorn's worker count in any
 * spelling gunicorn accepts (`--workers N`, `--workers=N`, `-w N`, `-wN`, the WEB_CONCURRENCY
 * environment variable; the flag wins over the variable, as in gunicorn), `--preload`, and
 * celery's `--concurrency`/`-c`. The memory and load models read their process counts here.
 */

export interface ProcessShape {
  program: 'gunicorn' | 'celery' | 'other';
  /** Worker processes: gunicorn workers, celery pool size, 1 otherwise. */
  workers: number;
  preload: boolean;
}

/** The argv a shell would run: command then args, with `sh -c "..."` unwrapped. */
export function argv(container: Container): string[] {
  const all = [...(container.command ?? []), ...(container.args ?? [])];
  const shell = all.findIndex((t) => t === '-c');
  if (shell > 0 && /(^|\/)(ba)?sh$/.test(all[0] ?? '') && all[shell + 1] !== undefined) {
    return (all[shell + 1] as string).split(/\s+/).filter((t) => t.length > 0);
  }
  return all.flatMap((t) => (t.includes(' ') ? t.split(/\s+/) : [t])).filter((t) => t.length > 0);
}

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

function flagValue(tokens: string[], long: string, short: string): number | undefined {
  let found: number | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (t === long || t === short) found = positiveInt(tokens[i + 1]) ?? found;
    else if (t.startsWith(`${long}=`)) found = positiveInt(t.slice(long.length + 1)) ?? found;
    else if (t.startsWith(short) && t.length > short.length && !t.startsWith('--')) {
      found = positiveInt(t.slice(short.length)) ?? found;
    }
  }
  return found;
}

export function processShape(container: Container): ProcessShape {
  const tokens = argv(container);
  const program = tokens.find((t) => /(^|\/)(gunicorn|celery)$/.test(t));
  const env = new Map((container.env ?? []).map((e) => [e.name, e.value]));
  if (program?.endsWith('gunicorn')) {
    const flag = flagValue(tokens, '--workers', '-w');
    const fromEnv = positiveInt(env.get('WEB_CONCURRENCY'));
    return {
      program: 'gunicorn',
      workers: flag ?? fromEnv ?? 1,
      preload: tokens.includes('--preload') || tokens.includes('--preload-app'),
    };
  }
  if (program?.endsWith('celery')) {
    return {
      program: 'celery',
      workers: flagValue(tokens, '--concurrency', '-c') ?? 2,
      preload: false,
    };
  }
  return { program: 'other', workers: 1, preload: false };
}
