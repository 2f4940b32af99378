import { describe, expect, it } from 'vitest';
import { isGunicorn } from '../../../shared/gunicorn-command';
import {
  describeWorkerCount,
  knownWorkerCount,
  parseWorkers,
} from '../../../shared/gunicorn-workers';

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
        w(null, null, false, 'gunicorn.conf.py'),
      ],
      [
        'a config file with a count on the line: the line wins',
        words('gunicorn -c config.py -w 3 app:server'),
        {},
        w(3, '-w', false, 'config.py'),
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
    ['-c FILE', words('gunicorn -c gunicorn.conf.py app:server'), {}],
    ['-cFILE glued', words('gunicorn -cgunicorn.conf.py app:server'), {}],
    ['--config FILE', words('gunicorn --config gunicorn.conf.py app:server'), {}],
    ['--config=FILE', words('gunicorn app:server --config=gunicorn.conf.py'), {}],
    [
      'inside GUNICORN_CMD_ARGS',
      words('gunicorn app:server'),
      { GUNICORN_CMD_ARGS: '--bind=0.0.0.0:8000 -c gunicorn.conf.py' },
    ],
    ['in a sh -c script', ['sh', '-c', 'exec gunicorn --config "gunicorn.conf.py" app:server'], {}],
  ])('a config file named by %s decides the count: unknown, never 1', (_title, argv, env) => {
    const workers = parseWorkers(argv, env)!;
    expect(workers).toEqual(w(null, null, false, 'gunicorn.conf.py'));
    expect(knownWorkerCount(workers)).toBeNull();
    expect(describeWorkerCount(workers)).toBe('set by the config file (gunicorn.conf.py)');
  });

  it('a config file is read before WEB_CONCURRENCY, even one named in GUNICORN_CMD_ARGS', () => {
    const workers = parseWorkers(words('gunicorn app:server'), {
      GUNICORN_CMD_ARGS: '--config=conf/gunicorn.py',
      WEB_CONCURRENCY: '4',
    });
    expect(workers).toEqual(w(null, null, false, 'conf/gunicorn.py'));
  });

  it('the count known: the one set, 1 where nothing sets it, null for a variable without a value', () => {
    expect(knownWorkerCount(parseWorkers(words('gunicorn app -w 3'), {})!)).toBe(3);
    expect(knownWorkerCount(parseWorkers(words('gunicorn app'), {})!)).toBe(1);
    expect(describeWorkerCount(parseWorkers(words('gunicorn app'), {})!)).toBe(
      'gunicorn default 1',
    );
    expect(knownWorkerCount(parseWorkers(words('gunicorn app -w $(WORKERS)'), {})!)).toBeNull();
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
  configFile: string | null = null,
): ReturnType<typeof parseWorkers> {
  return { count, spelling, preload, configFile };
}
