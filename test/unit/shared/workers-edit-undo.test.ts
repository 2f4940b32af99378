import { describe, expect, it } from 'vitest';
import { parseWorkers } from '../../../shared/gunicorn-workers';
import {
  removeAddedWorkers,
  removeContainerWorkers,
  setContainerWorkers,
  setWorkers,
} from '../../../shared/workers-edit';
import { ScaleDeskError } from '../../../shared/errors';

const words = (line: string): string[] => line.split(' ');

describe('undoing a worker count ScaleDesk added: the config file decides again', () => {
  it.each([
    ['-c FILE', words('gunicorn -c gunicorn.conf.py app:server')],
    ['--config=FILE, before other flags', words('gunicorn --config=g.py app:server --preload')],
    ['nothing set (gunicorn default)', words('gunicorn app:server')],
    ['a sh -c script', ['sh', '-c', 'cd /app && exec gunicorn -c "g.py" app:server # web']],
    ['a sh -c script followed by another command', ['sh', '-c', 'gunicorn -c g.py app; echo bye']],
  ])('%s: removing it gives back the command as it was', (_title, argv) => {
    const changed = setWorkers(argv, {}, 6);
    expect(parseWorkers(changed.argv, {})?.count).toBe(6);
    expect(removeAddedWorkers(changed.argv, {}, 6).argv).toEqual(argv);
  });

  it('keeps command and args apart, taking the flag from where it was added', () => {
    const container = { command: ['gunicorn'], args: ['-c', 'g.py', 'app:server'], env: {} };
    const changed = setContainerWorkers(container, 3);
    expect(changed.args).toEqual(['-c', 'g.py', 'app:server', '--workers', '3']);
    expect(removeContainerWorkers(changed, 3)).toEqual(container);

    const onlyCommand = { command: ['gunicorn', '-c', 'g.py', 'app'], args: [], env: {} };
    expect(removeContainerWorkers(setContainerWorkers(onlyCommand, 2), 2)).toEqual(onlyCommand);
  });

  it.each([
    ['another count since', words('gunicorn -c g.py app:server --workers 5')],
    ['another spelling since', words('gunicorn -c g.py app:server -w 6')],
    ['no flag any more', words('gunicorn -c g.py app:server')],
  ])('refuses with CONFLICT where the command has %s', (_title, argv) => {
    const attempt = () => removeAddedWorkers(argv, {}, 6);
    expect(attempt).toThrow(ScaleDeskError);
    expect(attempt).toThrow(/no longer has the --workers 6 that ScaleDesk added/);
  });
});
