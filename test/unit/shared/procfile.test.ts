import { describe, expect, it } from 'vitest';
import {
  formatCommand,
  isGunicorn,
  literalEnv,
  parseWorkers,
  processContainerIndex,
  procfileLine,
  quoteWord,
  setContainerWorkers,
  setWorkers,
} from '../../../shared/procfile';
import { ScaleDeskError } from '../../../shared/errors';

/** Splits a simple test line on spaces: the container argv as a Procfile line would give it. */
const words = (line: string): string[] => line.split(' ');

describe('parseWorkers reads the count in every spelling gunicorn accepts', () => {
  const cases: Array<[string, string[], Record<string, string>, ReturnType<typeof parseWorkers>]> =
    [
      ['-w N after the app', words('gunicorn app:server -w 4'), {}, w(4, '-w')],
      ['--workers=N', words('gunicorn app:server --workers=3'), {}, w(3, '--workers=')],
      ['-wN glued', words('gunicorn -w4 app:server'), {}, w(4, '-wN')],
      [
        '--workers N with --preload',
        words('gunicorn app:server --workers 2 --preload'),
        {},
        w(2, '--workers', true),
      ],
      [
        'flags around the app and after it',
        words('gunicorn --bind 0.0.0.0:8050 --workers 4 app:server --timeout 120'),
        {},
        w(4, '--workers'),
      ],
      ['python -m gunicorn', words('python -m gunicorn app:server -w 3'), {}, w(3, '-w')],
      ['python3 -m gunicorn', words('python3 -m gunicorn -w 5 wsgi'), {}, w(5, '-w')],
      [
        'full path to gunicorn',
        words('/usr/local/bin/gunicorn --workers 6 app:server'),
        {},
        w(6, '--workers'),
      ],
      [
        'uvicorn worker class',
        words('gunicorn -k uvicorn.workers.UvicornWorker main:app -w 4 -b 0.0.0.0:80'),
        {},
        w(4, '-w'),
      ],
      [
        'a launcher in front (ddtrace-run)',
        words('ddtrace-run gunicorn app:server --workers 3'),
        {},
        w(3, '--workers'),
      ],
      [
        'newrelic-admin run-program',
        words('newrelic-admin run-program gunicorn -w 2 app:server'),
        {},
        w(2, '-w'),
      ],
      ['poetry run', words('poetry run gunicorn app:server -w 2'), {}, w(2, '-w')],
      ['the last flag wins', words('gunicorn -w 2 app:server --workers 5'), {}, w(5, '--workers')],
      ['no count: gunicorn default', words('gunicorn app:server'), {}, w(null, null)],
      [
        'a config file and no count: unknown',
        words('gunicorn -c gunicorn.conf.py app:server'),
        { WEB_CONCURRENCY: '3' },
        w(null, null),
      ],
      [
        'a config file with a count on the line: the line wins',
        words('gunicorn -c config.py -w 3 app:server'),
        {},
        w(3, '-w'),
      ],
      [
        'WEB_CONCURRENCY env',
        words('gunicorn app:server'),
        { WEB_CONCURRENCY: '4' },
        w(4, 'WEB_CONCURRENCY'),
      ],
      [
        'a flag beats WEB_CONCURRENCY',
        words('gunicorn app:server -w 2'),
        { WEB_CONCURRENCY: '4' },
        w(2, '-w'),
      ],
      [
        'GUNICORN_CMD_ARGS',
        words('gunicorn app:server'),
        { GUNICORN_CMD_ARGS: '--bind=0.0.0.0:8000 --workers=3 --preload' },
        w(3, 'GUNICORN_CMD_ARGS', true),
      ],
      [
        'Kubernetes $(VAR) expansion',
        words('gunicorn app:server --workers $(WORKERS)'),
        { WORKERS: '6' },
        w(6, '--workers'),
      ],
      [
        '$(VAR) without a value is unknown',
        words('gunicorn app:server --workers $(WORKERS)'),
        {},
        w(null, '--workers'),
      ],
      [
        'sh -c with a single-string command',
        ['sh', '-c', 'gunicorn app:server --workers 4 --bind 0.0.0.0:$PORT'],
        {},
        w(4, '--workers'),
      ],
      [
        'bash -lc with exec and quoting',
        ['/bin/bash', '-lc', 'cd /app && exec gunicorn "app:server" -w "3" --preload'],
        {},
        w(3, '-w', true),
      ],
      [
        'sh -c with ${WEB_CONCURRENCY:-2} and no env',
        ['sh', '-c', 'gunicorn app:server -w ${WEB_CONCURRENCY:-2}'],
        {},
        w(2, '-w'),
      ],
      [
        'sh -c with ${WEB_CONCURRENCY:-2} and the env set',
        ['sh', '-c', 'gunicorn app:server -w ${WEB_CONCURRENCY:-2}'],
        { WEB_CONCURRENCY: '5' },
        w(5, '-w'),
      ],
      [
        'sh -c: an inline assignment',
        ['sh', '-c', 'WEB_CONCURRENCY=3 exec gunicorn app:server'],
        {},
        w(3, 'WEB_CONCURRENCY'),
      ],
      [
        'sh -c: gunicorn installed first, then run',
        ['sh', '-c', 'pip install gunicorn && gunicorn app:server -w 2'],
        {},
        w(2, '-w'),
      ],
    ];
  it.each(cases)('%s', (_title, argv, env, expected) => {
    expect(parseWorkers(argv, env)).toEqual(expected);
    expect(isGunicorn(argv)).toBe(true);
  });

  it.each([
    ['celery', words('celery -A tasks worker --concurrency 4')],
    ['uvicorn', words('uvicorn main:app --workers 4')],
    ['flask run', words('flask run --host 0.0.0.0')],
    ['python app.py', words('python app.py')],
    ['waitress', words('waitress-serve --port=8080 app:server')],
    ['sh -c with only an install of gunicorn', ['sh', '-c', 'pip install gunicorn']],
    ['echo of gunicorn', ['sh', '-c', 'echo gunicorn -w 4']],
    ['a jupyter workspace', words('jupyter lab --ip 0.0.0.0')],
    ['an empty command', []],
  ])('%s is not gunicorn', (_title, argv) => {
    expect(parseWorkers(argv, {})).toBeNull();
    expect(isGunicorn(argv)).toBe(false);
  });
});

function w(
  count: number | null,
  spelling: NonNullable<ReturnType<typeof parseWorkers>>['spelling'],
  preload = false,
): ReturnType<typeof parseWorkers> {
  return { count, spelling, preload };
}

describe('setWorkers changes the count and nothing else', () => {
  const cases: Array<[string, string[], Record<string, string>, string[], Record<string, string>]> =
    [
      ['-w N', words('gunicorn app:server -w 4'), {}, words('gunicorn app:server -w 8'), {}],
      [
        '--workers=N',
        words('gunicorn app:server --workers=3 --timeout 120'),
        {},
        words('gunicorn app:server --workers=8 --timeout 120'),
        {},
      ],
      ['-wN', words('gunicorn -w4 app:server'), {}, words('gunicorn -w8 app:server'), {}],
      [
        'flags around the app keep their order',
        words('gunicorn --bind 0.0.0.0:8050 --workers 4 app:server --timeout 120'),
        {},
        words('gunicorn --bind 0.0.0.0:8050 --workers 8 app:server --timeout 120'),
        {},
      ],
      [
        'no count: --workers N added after the last argument',
        words('gunicorn app:server --preload'),
        {},
        words('gunicorn app:server --preload --workers 8'),
        {},
      ],
      [
        'a config file: the line overrides it',
        words('gunicorn -c config.py app:server'),
        { WEB_CONCURRENCY: '2' },
        words('gunicorn -c config.py app:server --workers 8'),
        { WEB_CONCURRENCY: '2' },
      ],
      [
        'WEB_CONCURRENCY edited in the env, the command untouched',
        words('gunicorn app:server'),
        { WEB_CONCURRENCY: '2', OTHER: 'x' },
        words('gunicorn app:server'),
        { WEB_CONCURRENCY: '8', OTHER: 'x' },
      ],
      [
        'GUNICORN_CMD_ARGS edited in place',
        words('gunicorn app:server'),
        { GUNICORN_CMD_ARGS: '--bind=0.0.0.0:80 -w 3 --preload' },
        words('gunicorn app:server'),
        { GUNICORN_CMD_ARGS: '--bind=0.0.0.0:80 -w 8 --preload' },
      ],
      [
        'only the last of two flags (the one gunicorn uses)',
        words('gunicorn -w 2 app:server --workers 5'),
        {},
        words('gunicorn -w 2 app:server --workers 8'),
        {},
      ],
      [
        'python -m gunicorn with -k',
        words('python -m gunicorn -k uvicorn.workers.UvicornWorker -w 4 main:app'),
        {},
        words('python -m gunicorn -k uvicorn.workers.UvicornWorker -w 8 main:app'),
        {},
      ],
      [
        '$(VAR) replaced by the number',
        words('gunicorn app:server --workers $(WORKERS)'),
        { WORKERS: '2' },
        words('gunicorn app:server --workers 8'),
        { WORKERS: '2' },
      ],
      [
        'sh -c: quoting preserved',
        ['sh', '-c', `exec gunicorn 'app:server' --workers="3" --bind "0.0.0.0:$PORT"`],
        {},
        ['sh', '-c', `exec gunicorn 'app:server' --workers="8" --bind "0.0.0.0:$PORT"`],
        {},
      ],
      [
        'sh -c: added before what follows the gunicorn command',
        ['sh', '-c', 'python manage.py migrate && gunicorn app:server --preload; echo bye'],
        {},
        [
          'sh',
          '-c',
          'python manage.py migrate && gunicorn app:server --preload --workers 8; echo bye',
        ],
        {},
      ],
      [
        'sh -c: ${WEB_CONCURRENCY:-2} becomes the number',
        ['sh', '-c', 'gunicorn app:server -w ${WEB_CONCURRENCY:-2} --timeout 60'],
        {},
        ['sh', '-c', 'gunicorn app:server -w 8 --timeout 60'],
        {},
      ],
      [
        'sh -c: inline WEB_CONCURRENCY',
        ['sh', '-c', 'WEB_CONCURRENCY=3 exec gunicorn app:server'],
        {},
        ['sh', '-c', 'WEB_CONCURRENCY=8 exec gunicorn app:server'],
        {},
      ],
      [
        'sh -c: quoted -w value',
        ['sh', '-c', "gunicorn -w '3' app:server"],
        {},
        ['sh', '-c', "gunicorn -w '8' app:server"],
        {},
      ],
      [
        'added before --',
        words('gunicorn app:server -- extra'),
        {},
        words('gunicorn app:server --workers 8 -- extra'),
        {},
      ],
    ];
  it.each(cases)('%s', (_title, argv, env, expectedArgv, expectedEnv) => {
    const before = [...argv];
    const next = setWorkers(argv, env, 8);
    expect(next).toEqual({ argv: expectedArgv, env: expectedEnv });
    expect(argv).toEqual(before); // the input is not mutated
    expect(parseWorkers(next.argv, next.env)?.count).toBe(8);
  });

  it('refuses a command that is not gunicorn with INVALID_INPUT', () => {
    const error = catchError(() => setWorkers(words('celery -A tasks worker'), {}, 3));
    expect(error).toBeInstanceOf(ScaleDeskError);
    expect((error as ScaleDeskError).code).toBe('INVALID_INPUT');
    expect((error as ScaleDeskError).message).toContain('celery -A tasks worker');
  });

  it.each([0, -1, 2.5, Number.NaN])('refuses %s workers', (n) => {
    const error = catchError(() => setWorkers(words('gunicorn app:server'), {}, n));
    expect((error as ScaleDeskError).code).toBe('INVALID_INPUT');
  });
});

describe('setContainerWorkers keeps command and args apart', () => {
  it('edits the count where it is, in args', () => {
    expect(
      setContainerWorkers(
        { command: ['gunicorn'], args: ['app:server', '--workers', '2'], env: {} },
        3,
      ),
    ).toEqual({ command: ['gunicorn'], args: ['app:server', '--workers', '3'], env: {} });
  });
  it('adds the count to args where gunicorn has args', () => {
    expect(
      setContainerWorkers({ command: ['gunicorn'], args: ['app:server'], env: {} }, 3),
    ).toEqual({ command: ['gunicorn'], args: ['app:server', '--workers', '3'], env: {} });
  });
  it('adds the count to the command where there are no args', () => {
    expect(
      setContainerWorkers({ command: ['gunicorn', 'app:server'], args: [], env: {} }, 3),
    ).toEqual({ command: ['gunicorn', 'app:server', '--workers', '3'], args: [], env: {} });
  });
  it('edits a sh -c script held in args', () => {
    expect(
      setContainerWorkers(
        { command: ['/bin/sh', '-c'], args: ['exec gunicorn app:server -w 2'], env: {} },
        4,
      ),
    ).toEqual({ command: ['/bin/sh', '-c'], args: ['exec gunicorn app:server -w 4'], env: {} });
  });
});

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

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe("the process's container is the one that runs gunicorn", () => {
  const proxy = { args: ['--port=5432', 'project:region:instance'] };
  const web = { command: ['sh', '-c', 'exec gunicorn app:server -w 2'] };
  const celery = { command: ['celery', '-A', 'tasks', 'worker'] };

  it('passes over a sidecar listed before it', () => {
    expect(processContainerIndex([proxy, web])).toBe(1);
  });

  it('is the first container where none runs gunicorn', () => {
    expect(processContainerIndex([celery, proxy])).toBe(0);
  });

  it('is none in a template without containers', () => {
    expect(processContainerIndex([])).toBe(-1);
  });
});

describe('literalEnv keeps the values written in the template', () => {
  it('leaves out variables whose value comes from elsewhere', () => {
    expect(
      literalEnv({
        env: [
          { name: 'WEB_CONCURRENCY', value: '3' },
          { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          { name: 'BOTH', value: '1', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
      }),
    ).toEqual({ WEB_CONCURRENCY: '3' });
  });
});
