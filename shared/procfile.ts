/**
 * The Procfile line of a process is its container's command and args (DOMAIN.md). This module
 * reads that line as a shell would: it splits a script into words with their source positions,
 * finds the script of a `sh -c SCRIPT` wrapper, and quotes words back for display.
 *
 * A container often wraps the line in a shell (`sh -c "exec gunicorn ..."`): the script string is
 * then tokenised with source positions so an edit replaces exactly the characters of the count.
 * (General shell-parsing libraries return the words but not where they were in the text, which
 * is what an edit that keeps the admin's quoting needs.)
 */

/** Shells whose `-c SCRIPT` form we look inside. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'busybox']);

/** The program a word names, without its folder: `/usr/local/bin/gunicorn` is `gunicorn`. */
export function programName(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash === -1 ? word : word.slice(slash + 1);
}

/** One word of a shell script: its value after quote removal and where it sits in the text. */
export interface ShellWord {
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
export function shellWords(script: string): ShellWord[] {
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

/** The index of the script argument in `sh -c SCRIPT` / `bash -lc SCRIPT`, else -1. */
export function shellScriptIndex(argv: readonly string[]): number {
  if (argv.length < 3 || !SHELLS.has(programName(argv[0]!))) return -1;
  let i = 1;
  if (programName(argv[0]!) === 'busybox') i = 2; // busybox sh -c
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('-')) return -1;
    if (/^-[a-z]*c[a-z]*$/.test(word)) return i + 1 < argv.length ? i + 1 : -1;
  }
  return -1;
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
