import type { Workers } from './app-model';
import { ScaleDeskError } from './errors';

/**
 * The Procfile line of a process is its container's command and args (DOMAIN.md). This module
 * reads the gunicorn worker count out of it, in every spelling gunicorn accepts, and edits that
 * count and nothing else: same order, same other flags, same quoting.
 *
 * Where gunicorn takes its worker count from, strongest first (gunicorn's own precedence):
 *   1. the command line: `--workers N`, `--workers=N`, `-w N`, `-wN` (the last one given wins);
 *   2. the `GUNICORN_CMD_ARGS` environment variable, holding the same flags;
 *   3. a config file (`-c file.py`), which we cannot see: the count is then unknown (null);
 *   4. the `WEB_CONCURRENCY` environment variable, gunicorn's default for `workers`;
 *   5. else 1.
 *
 * A container often wraps the line in a shell (`sh -c "exec gunicorn ..."`): the script string is
 * then tokenised with source positions so an edit replaces exactly the characters of the count.
 * (General shell-parsing libraries return the words but not where they were in the text, which
 * is what an edit that keeps the admin's quoting needs.)
 */

/** The container fields a worker edit may touch. `env` holds the literal env values only. */
export interface CommandLine {
  argv: string[];
  env: Record<string, string>;
}

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

/** Shells whose `-c SCRIPT` form we look inside. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'busybox']);
const GUNICORN_PROGRAMS = new Set(['gunicorn', 'gunicorn3']);
/**
 * Words which, seen before `gunicorn` in the same simple command, mean gunicorn is an argument
 * (an install, a print), not the program being run.
 */
const NOT_A_LAUNCH = new Set(['install', 'echo', 'printf', 'add', 'download', 'show', 'which']);

function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash === -1 ? word : word.slice(slash + 1);
}

// ---------------------------------------------------------------------------------------------
// Shell words with positions

/** One word of a shell script: its value after quote removal and where it sits in the text. */
interface ShellWord {
  value: string;
  start: number;
  end: number;
  /** `;`, `&&`, `||`, `|`, `&`, newline, `(`, `)`: separates simple commands. */
  operator: boolean;
}

/**
 * Splits a POSIX shell script into words as `sh` would before expansion: single quotes are
 * literal, double quotes keep `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside quotes
 * escapes the next character. Expansions (`$VAR`, `${VAR:-4}`) are kept verbatim in the value.
 */
function shellWords(script: string): ShellWord[] {
  const words: ShellWord[] = [];
  let i = 0;
  const n = script.length;
  while (i < n) {
    const c = script[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') {
      // A comment runs to the end of the line.
      while (i < n && script[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === ';' || c === '(' || c === ')') {
      words.push({ value: c, start: i, end: i + 1, operator: true });
      i++;
      continue;
    }
    if (c === '&' || c === '|') {
      const double = script[i + 1] === c;
      const len = double ? 2 : 1;
      words.push({ value: script.slice(i, i + len), start: i, end: i + len, operator: true });
      i += len;
      continue;
    }
    const start = i;
    let value = '';
    while (i < n) {
      const ch = script[i]!;
      if (' \t\n;&|()'.includes(ch)) break;
      if (ch === "'") {
        const close = script.indexOf("'", i + 1);
        const stop = close === -1 ? n : close;
        value += script.slice(i + 1, stop);
        i = stop + 1;
      } else if (ch === '"') {
        i++;
        while (i < n && script[i] !== '"') {
          if (script[i] === '\\' && i + 1 < n && '"\\$`\n'.includes(script[i + 1]!)) {
            value += script[i + 1];
            i += 2;
          } else {
            value += script[i];
            i++;
          }
        }
        i++;
      } else if (ch === '\\' && i + 1 < n) {
        value += script[i + 1];
        i += 2;
      } else if (ch === '$' && script[i + 1] === '{') {
        // Keep `${VAR:-a b}` whole: the braces may hold spaces.
        const close = script.indexOf('}', i);
        const stop = close === -1 ? n : close + 1;
        value += script.slice(i, stop);
        i = stop;
      } else if (ch === '$' && script[i + 1] === '(') {
        let depth = 0;
        let j = i + 1;
        for (; j < n; j++) {
          if (script[j] === '(') depth++;
          else if (script[j] === ')' && --depth === 0) break;
        }
        value += script.slice(i, j + 1);
        i = j + 1;
      } else {
        value += ch;
        i++;
      }
    }
    words.push({ value, start, end: Math.min(i, n), operator: false });
  }
  return words;
}

// ---------------------------------------------------------------------------------------------
// Finding gunicorn and its worker flags in a list of words

/** Where the worker count is written, so that an edit can find it again. */
type CountSite =
  | { spelling: '--workers' | '-w'; flag: number; value: number }
  | { spelling: '--workers=' | '-wN'; flag: number; value: number };

interface GunicornScan {
  /** Index of the word after which gunicorn's own arguments start. */
  program: number;
  /** Index just past gunicorn's last argument (before `--`, an operator or the end). */
  end: number;
  count: CountSite | null;
  /** The raw text of the count as written (`4`, `$(WORKERS)`, `${WEB_CONCURRENCY:-2}`). */
  countText: string | null;
  preload: boolean;
  config: boolean;
  /** `NAME=value` words before the program (`WEB_CONCURRENCY=4 gunicorn ...`): index by name. */
  assignments: Record<string, number>;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Finds gunicorn as the program of a simple command in `words[from, to)`. */
function findGunicorn(words: readonly string[], from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const word = words[i]!;
    if (NOT_A_LAUNCH.has(word)) return -1;
    if (GUNICORN_PROGRAMS.has(basename(word)) && !ASSIGNMENT.test(word)) return i;
    // `python -m gunicorn`, `python3 -mgunicorn`
    if (word === '-m' && words[i + 1] === 'gunicorn') return i + 1;
    if (word === '-mgunicorn') return i;
  }
  return -1;
}

/** Scans gunicorn's arguments `words[program+1, to)` for the worker count and `--preload`. */
function scanArguments(
  words: readonly string[],
  from: number,
  program: number,
  to: number,
): GunicornScan {
  const scan: GunicornScan = {
    program,
    end: to,
    count: null,
    countText: null,
    preload: false,
    config: false,
    assignments: {},
  };
  for (let i = from; i < program; i++) {
    const match = ASSIGNMENT.exec(words[i]!);
    if (match) scan.assignments[match[0].slice(0, -1)] = i;
  }
  for (let i = program + 1; i < to; i++) {
    const word = words[i]!;
    if (word === '--') {
      scan.end = i;
      break;
    }
    if ((word === '--workers' || word === '-w') && i + 1 < to) {
      scan.count = { spelling: word, flag: i, value: i + 1 };
      scan.countText = words[i + 1]!;
      i++;
    } else if (word.startsWith('--workers=')) {
      scan.count = { spelling: '--workers=', flag: i, value: i };
      scan.countText = word.slice('--workers='.length);
    } else if (word.startsWith('-w') && word.length > 2 && !word.startsWith('--')) {
      scan.count = { spelling: '-wN', flag: i, value: i };
      scan.countText = word.slice(2);
    } else if (word === '--preload') {
      scan.preload = true;
    } else if (word === '-c' || word === '--config' || word.startsWith('--config=')) {
      scan.config = true;
    }
  }
  return scan;
}

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

// ---------------------------------------------------------------------------------------------
// The forms a container runs gunicorn in

type Located =
  | { form: 'argv'; scan: GunicornScan }
  | { form: 'shell'; scriptIndex: number; words: ShellWord[]; scan: GunicornScan };

/** The index of the script argument in `sh -c SCRIPT` / `bash -lc SCRIPT`, else -1. */
function shellScriptIndex(argv: readonly string[]): number {
  if (argv.length < 3 || !SHELLS.has(basename(argv[0]!))) return -1;
  let i = 1;
  if (basename(argv[0]!) === 'busybox') i = 2; // busybox sh -c
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('-')) return -1;
    if (/^-[a-z]*c[a-z]*$/.test(word)) return i + 1 < argv.length ? i + 1 : -1;
  }
  return -1;
}

function locate(argv: readonly string[]): Located | null {
  const scriptIndex = shellScriptIndex(argv);
  if (scriptIndex !== -1) {
    const words = shellWords(argv[scriptIndex]!);
    const values = words.map((w) => (w.operator ? '\u0000' : w.value));
    let from = 0;
    while (from < words.length) {
      let to = from;
      while (to < words.length && !words[to]!.operator) to++;
      const program = findGunicorn(values, from, to);
      if (program !== -1) {
        return {
          form: 'shell',
          scriptIndex,
          words,
          scan: scanArguments(values, from, program, to),
        };
      }
      from = to + 1;
    }
    return null;
  }
  const program = findGunicorn(argv, 0, argv.length);
  if (program === -1) return null;
  return { form: 'argv', scan: scanArguments(argv, 0, program, argv.length) };
}

/** `GUNICORN_CMD_ARGS` scanned as gunicorn scans it (shlex-split flags, no program word). */
function scanCmdArgs(
  env: Record<string, string>,
): { text: string; words: ShellWord[]; scan: GunicornScan } | null {
  const text = env['GUNICORN_CMD_ARGS'];
  if (text === undefined) return null;
  const words = shellWords(text).filter((w) => !w.operator);
  return {
    text,
    words,
    scan: scanArguments(['gunicorn', ...words.map((w) => w.value)], 0, 0, words.length + 1),
  };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** True where the command runs gunicorn (directly, via `python -m`, a launcher, or `sh -c`). */
export function isGunicorn(argv: readonly string[]): boolean {
  return locate(argv) !== null;
}

/** The word at an index of the located command, as the shell or kubelet hands it over. */
function wordValue(located: Located, argv: readonly string[], index: number): string {
  return located.form === 'argv' ? argv[index]! : located.words[index]!.value;
}

/** The environment gunicorn sees: the container's, then the command's own `NAME=value` words. */
function effectiveEnv(
  located: Located,
  argv: readonly string[],
  env: Record<string, string>,
): Record<string, string> {
  const merged = { ...env };
  for (const [name, index] of Object.entries(located.scan.assignments)) {
    const word = wordValue(located, argv, index);
    merged[name] = word.slice(word.indexOf('=') + 1);
  }
  return merged;
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
  if (scan.count) {
    return { count: resolveCount(scan.countText, seen), spelling: scan.count.spelling, preload };
  }
  if (cmdArgs?.scan.count) {
    return {
      count: resolveCount(cmdArgs.scan.countText, seen),
      spelling: 'GUNICORN_CMD_ARGS',
      preload,
    };
  }
  if (scan.config) return { count: null, spelling: null, preload };
  if (seen['WEB_CONCURRENCY'] !== undefined) {
    return {
      count: resolveCount(seen['WEB_CONCURRENCY'], seen),
      spelling: 'WEB_CONCURRENCY',
      preload,
    };
  }
  return { count: null, spelling: null, preload };
}

function assertCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      'A gunicorn process needs a whole number of workers, at least 1.',
      {
        workers: n,
      },
    );
  }
}

/** Replaces one word of a shell script, keeping the quoting style it was written in. */
function replaceShellWord(script: string, word: ShellWord, value: string): string {
  const raw = script.slice(word.start, word.end);
  const quote = raw[0] === "'" || raw[0] === '"' ? raw[0] : '';
  return script.slice(0, word.start) + quote + value + quote + script.slice(word.end);
}

/**
 * Replaces the last `old` in a word's source text with `replacement`, so `--workers="3"`,
 * `-w'3'` and `${WEB_CONCURRENCY:-3}` keep every character but the count's.
 */
function spliceLast(raw: string, old: string, replacement: string): string | null {
  const at = raw.lastIndexOf(old);
  return at === -1 ? null : raw.slice(0, at) + replacement + raw.slice(at + old.length);
}

/**
 * The same command with gunicorn set to `n` workers, changing only the count: the flag's value
 * where a flag sets it, else the `GUNICORN_CMD_ARGS` or `WEB_CONCURRENCY` variable that sets it,
 * else `--workers N` added after gunicorn's last argument. Throws INVALID_INPUT where the command
 * is not gunicorn.
 */
export function setWorkers(
  argv: readonly string[],
  env: Record<string, string>,
  n: number,
): CommandLine {
  assertCount(n);
  const located = locate(argv);
  if (!located) {
    throw new ScaleDeskError(
      'INVALID_INPUT',
      `This process does not run gunicorn, so it has no workers to set: ${formatCommand(argv)}`,
      {
        command: formatCommand(argv),
      },
    );
  }
  const nextArgv = [...argv];
  const nextEnv = { ...env };
  const { scan } = located;
  const count = String(n);
  /** Rewrites `old` to `replacement` inside one word of the command, whatever its form. */
  const rewrite = (index: number, old: string, replacement: string): void => {
    if (located.form === 'argv') {
      nextArgv[index] = spliceLast(argv[index]!, old, replacement) ?? replacement;
      return;
    }
    const script = argv[located.scriptIndex]!;
    const word = located.words[index]!;
    const spliced = spliceLast(script.slice(word.start, word.end), old, replacement);
    nextArgv[located.scriptIndex] =
      spliced === null
        ? replaceShellWord(script, word, replacement)
        : script.slice(0, word.start) + spliced + script.slice(word.end);
  };
  const inlineCmdArgs = scan.assignments['GUNICORN_CMD_ARGS'];
  const inlineConcurrency = scan.assignments['WEB_CONCURRENCY'];
  const cmdArgs = scanCmdArgs(effectiveEnv(located, argv, env));

  if (scan.count) {
    rewrite(scan.count.value, scan.countText!, count);
    return { argv: nextArgv, env: nextEnv };
  }
  if (cmdArgs?.scan.count) {
    // Index 0 of the scan is the stand-in program word: shift back by one.
    const word = cmdArgs.words[cmdArgs.scan.count.value - 1]!;
    const text = cmdArgs.text;
    const spliced = spliceLast(text.slice(word.start, word.end), cmdArgs.scan.countText!, count);
    const edited = text.slice(0, word.start) + (spliced ?? count) + text.slice(word.end);
    if (inlineCmdArgs === undefined) nextEnv['GUNICORN_CMD_ARGS'] = edited;
    else {
      // Inline in a shell script: the whole assignment is re-quoted (its quoting is not kept).
      const value = `GUNICORN_CMD_ARGS=${edited}`;
      if (located.form === 'argv') nextArgv[inlineCmdArgs] = value;
      else {
        const script = argv[located.scriptIndex]!;
        const assignment = located.words[inlineCmdArgs]!;
        nextArgv[located.scriptIndex] =
          script.slice(0, assignment.start) +
          `GUNICORN_CMD_ARGS=${quoteWord(edited)}` +
          script.slice(assignment.end);
      }
    }
    return { argv: nextArgv, env: nextEnv };
  }
  if (!scan.config && inlineConcurrency !== undefined) {
    const word = wordValue(located, argv, inlineConcurrency);
    rewrite(inlineConcurrency, word.slice(word.indexOf('=') + 1), count);
    return { argv: nextArgv, env: nextEnv };
  }
  if (!scan.config && env['WEB_CONCURRENCY'] !== undefined) {
    nextEnv['WEB_CONCURRENCY'] = count;
    return { argv: nextArgv, env: nextEnv };
  }
  if (located.form === 'argv') {
    nextArgv.splice(scan.end, 0, '--workers', count);
  } else {
    const script = argv[located.scriptIndex]!;
    const last = located.words[scan.end - 1]!;
    nextArgv[located.scriptIndex] =
      `${script.slice(0, last.end)} --workers ${count}${script.slice(last.end)}`;
  }
  return { argv: nextArgv, env: nextEnv };
}

/**
 * {@link setWorkers} on a container's command and args kept apart: an added `--workers N` goes
 * where gunicorn's arguments are (the args where there are any, else the command).
 */
export function setContainerWorkers(container: ContainerCommand, n: number): ContainerCommand {
  const argv = [...container.command, ...container.args];
  const next = setWorkers(argv, container.env, n);
  const added = next.argv.length - argv.length;
  if (added === 0) {
    return {
      command: next.argv.slice(0, container.command.length),
      args: next.argv.slice(container.command.length),
      env: next.env,
    };
  }
  // Find where the words were inserted: the first index at which the lists differ.
  let at = 0;
  while (at < argv.length && argv[at] === next.argv[at]) at++;
  const intoCommand =
    at < container.command.length ||
    (at === container.command.length && container.args.length === 0);
  const commandLength = container.command.length + (intoCommand ? added : 0);
  return {
    command: next.argv.slice(0, commandLength),
    args: next.argv.slice(commandLength),
    env: next.env,
  };
}

const SAFE_WORD = /^[A-Za-z0-9_\-.,:=/@%+]+$/;

/** One word quoted for a POSIX shell where it needs it: `'a b'`, `'it'\''s'`, `''`. */
export function quoteWord(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command as a shell would show it, e.g. `sh -c 'exec gunicorn app:server -w 4'`. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map(quoteWord).join(' ');
}

/**
 * The Procfile line of a command: the script of a `sh -c SCRIPT` wrapper as written, else the
 * command formatted as a shell would show it.
 */
export function procfileLine(argv: readonly string[]): string {
  const scriptIndex = shellScriptIndex(argv);
  if (scriptIndex !== -1 && scriptIndex === argv.length - 1) return argv[scriptIndex]!.trim();
  return formatCommand(argv);
}
