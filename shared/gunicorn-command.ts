import { programName, shellScriptIndex, shellWords, type ShellWord } from './procfile';

/**
 * Finding gunicorn in a container's command, in every form a Procfile line runs it (directly,
 * via `python -m`, behind a launcher such as `ddtrace-run`, or inside `sh -c SCRIPT`), and where
 * its worker flags are written. Reading the count (gunicorn-workers.ts) and editing it
 * (workers-edit.ts) both start from this scan, so they agree on which word is the count.
 */

const GUNICORN_PROGRAMS = new Set(['gunicorn', 'gunicorn3']);
/**
 * Words which, seen before `gunicorn` in the same simple command, mean gunicorn is an argument
 * (an install, a print), not the program being run.
 */
const NOT_A_LAUNCH = new Set(['install', 'echo', 'printf', 'add', 'download', 'show', 'which']);

/** Where the worker count is written, so that an edit can find it again. */
type CountSite =
  | { spelling: '--workers' | '-w'; flag: number; value: number }
  | { spelling: '--workers=' | '-wN'; flag: number; value: number };

/** What gunicorn's arguments say about its workers, by word index into the scanned words. */
export interface GunicornScan {
  /** Index of the word after which gunicorn's own arguments start. */
  program: number;
  /** Index just past gunicorn's last argument (before `--`, an operator or the end). */
  end: number;
  count: CountSite | null;
  /** The raw text of the count as written (`4`, `$(WORKERS)`, `${WEB_CONCURRENCY:-2}`). */
  countText: string | null;
  preload: boolean;
  /** The config file named by `-c FILE`, `-cFILE`, `--config FILE` or `--config=FILE` (the last). */
  configFile: string | null;
  /** `NAME=value` words before the program (`WEB_CONCURRENCY=4 gunicorn ...`): index by name. */
  assignments: Record<string, number>;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Finds gunicorn as the program of a simple command in `words[from, to)`. */
function findGunicorn(words: readonly string[], from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const word = words[i]!;
    if (NOT_A_LAUNCH.has(word)) return -1;
    if (GUNICORN_PROGRAMS.has(programName(word)) && !ASSIGNMENT.test(word)) return i;
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
    configFile: null,
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
    } else if ((word === '-c' || word === '--config') && i + 1 < to) {
      scan.configFile = words[i + 1]!;
      i++;
    } else if (word.startsWith('--config=')) {
      scan.configFile = word.slice('--config='.length);
    } else if (word.startsWith('-c') && word.length > 2 && !word.startsWith('--')) {
      // gunicorn's only short option starting with c is -c: `-cFILE` is the config file glued.
      scan.configFile = word.slice(2);
    }
  }
  return scan;
}

/** A command found to run gunicorn: as a plain argv, or as the script of a shell wrapper. */
export type Located =
  | { form: 'argv'; scan: GunicornScan }
  | { form: 'shell'; scriptIndex: number; words: ShellWord[]; scan: GunicornScan };

/** Where gunicorn runs in a command and its arguments scanned; null where it does not. */
export function locate(argv: readonly string[]): Located | null {
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
export function scanCmdArgs(
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

/** True where the command runs gunicorn (directly, via `python -m`, a launcher, or `sh -c`). */
export function isGunicorn(argv: readonly string[]): boolean {
  return locate(argv) !== null;
}

/** The word at an index of the located command, as the shell or kubelet hands it over. */
export function wordValue(located: Located, argv: readonly string[], index: number): string {
  return located.form === 'argv' ? argv[index]! : located.words[index]!.value;
}

/** The environment gunicorn sees: the container's, then the command's own `NAME=value` words. */
export function effectiveEnv(
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
