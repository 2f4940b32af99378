import { ScaleDeskError } from './errors';
import { effectiveEnv, locate, scanCmdArgs, wordValue } from './gunicorn-command';
import type { ContainerCommand } from './process-container';
import { formatCommand, quoteWord, type ShellWord } from './procfile';

/**
 * Setting gunicorn's worker count in a Procfile line: the edit touches the count and nothing
 * else (same order, same other flags, same quoting), where gunicorn reads it from
 * (gunicorn-workers.ts gives the precedence), so the admin's line still reads as they wrote it.
 */

/** The container fields a worker edit may touch. `env` holds the literal env values only. */
export interface CommandLine {
  argv: string[];
  env: Record<string, string>;
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
  // A config file is read before WEB_CONCURRENCY: setting that variable would change nothing.
  const config = (scan.configFile ?? cmdArgs?.scan.configFile ?? null) !== null;

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
  if (!config && inlineConcurrency !== undefined) {
    const word = wordValue(located, argv, inlineConcurrency);
    rewrite(inlineConcurrency, word.slice(word.indexOf('=') + 1), count);
    return { argv: nextArgv, env: nextEnv };
  }
  if (!config && env['WEB_CONCURRENCY'] !== undefined) {
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

/**
 * Undoes what {@link setWorkers} added where nothing set the count (gunicorn's default, or a
 * config file that decides it): the `--workers N` words are removed and nothing else, so the
 * config file (or the default) decides again. Throws CONFLICT where the command does not hold
 * exactly that flag with `n` any more: it was changed since, and removing something else would
 * overwrite that change.
 */
export function removeAddedWorkers(
  argv: readonly string[],
  env: Record<string, string>,
  n: number,
): CommandLine {
  const located = locate(argv);
  const site = located?.scan.count;
  if (!located || !site || site.spelling !== '--workers' || located.scan.countText !== String(n)) {
    throw new ScaleDeskError(
      'CONFLICT',
      `The command no longer has the --workers ${n} that ScaleDesk added, so there is nothing of it to remove: ${formatCommand(argv)}`,
      { command: formatCommand(argv), expected: n },
    );
  }
  const nextArgv = [...argv];
  if (located.form === 'argv') {
    nextArgv.splice(site.flag, 2);
  } else {
    // The exact inverse of the addition: from the end of the word before the flag to the count.
    const script = argv[located.scriptIndex]!;
    const before = located.words[site.flag - 1]!;
    const value = located.words[site.value]!;
    nextArgv[located.scriptIndex] = script.slice(0, before.end) + script.slice(value.end);
  }
  return { argv: nextArgv, env: { ...env } };
}

/** {@link removeAddedWorkers} on a container's command and args kept apart. */
export function removeContainerWorkers(container: ContainerCommand, n: number): ContainerCommand {
  const argv = [...container.command, ...container.args];
  const next = removeAddedWorkers(argv, container.env, n);
  const removed = argv.length - next.argv.length;
  if (removed === 0) {
    return {
      command: next.argv.slice(0, container.command.length),
      args: next.argv.slice(container.command.length),
      env: next.env,
    };
  }
  // Words were removed only in the argv form: from the flag's index (removeAddedWorkers found it).
  const at = locate(argv)?.scan.count?.flag ?? 0;
  // Of the words removed, those before the end of the command were the command's.
  const fromCommand = Math.max(0, Math.min(removed, container.command.length - at));
  const commandLength = container.command.length - fromCommand;
  return {
    command: next.argv.slice(0, commandLength),
    args: next.argv.slice(commandLength),
    env: next.env,
  };
}
