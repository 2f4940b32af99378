import { describe, expect, it } from 'vitest';
import { formatCommand, procfileLine, quoteWord } from '../../../shared/procfile';

/** Splits a simple test line on spaces: the container argv as a Procfile line would give it. */
const words = (line: string): string[] => line.split(' ');

describe('formatting a command as a shell shows it', () => {
  it('leaves plain words bare', () => {
    expect(formatCommand(words('gunicorn app:server --bind 0.0.0.0:8050 -w 4'))).toBe(
      'gunicorn app:server --bind 0.0.0.0:8050 -w 4',
    );
  });
  it('quotes words with spaces, quotes and expansions', () => {
    expect(formatCommand(['sh', '-c', "echo 'hi' && gunicorn app:server"])).toBe(
      `sh -c 'echo '\\''hi'\\'' && gunicorn app:server'`,
    );
    expect(quoteWord('')).toBe("''");
    expect(quoteWord('$(WORKERS)')).toBe("'$(WORKERS)'");
  });
  it('shows the script of a sh -c wrapper as the Procfile line', () => {
    expect(procfileLine(['sh', '-c', 'exec gunicorn app:server -w 2 '])).toBe(
      'exec gunicorn app:server -w 2',
    );
    expect(procfileLine(words('celery -A tasks worker'))).toBe('celery -A tasks worker');
  });
});
