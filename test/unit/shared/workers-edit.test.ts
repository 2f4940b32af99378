import { describe, expect, it } from 'vitest';
import { parseWorkers } from '../../../shared/gunicorn-workers';
import { setContainerWorkers, setWorkers } from '../../../shared/workers-edit';
import { ScaleDeskError } from '../../../shared/errors';

/** Splits a simple test line on spaces: the container argv as a Procfile line would give it. */
const words = (line: string): string[] => line.split(' ');

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

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
