import { describe, expect, it } from 'vitest';
import { requireProcess } from '../../../main/operations/preconditions';
import { thrownScaleDeskError } from '../../fixtures/scaledesk-error';
import { makeApp } from '../../fixtures/app-model';

describe('requireProcess', () => {
  it('finds a scaled process and the workspace, which restart and undo act on too', () => {
    const app = makeApp();
    expect(requireProcess(app, 'worker').name).toBe('worker');
    expect(requireProcess(app, 'workspace')).toBe(app.workspace);
  });

  it('names every process there is, the workspace among them, where there is no such one', () => {
    const error = thrownScaleDeskError(() => requireProcess(makeApp(), 'beat'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(
      'shop has no process "beat" (its processes: web, worker, workspace).',
    );
  });

  it('names the scaled processes alone where the app has no workspace', () => {
    const error = thrownScaleDeskError(() => requireProcess(makeApp({ workspace: null }), 'beat'));
    expect(error.message).toBe('shop has no process "beat" (its processes: web, worker).');
  });

  it('says none where the app has neither', () => {
    const app = makeApp({ processes: [], workspace: null });
    expect(thrownScaleDeskError(() => requireProcess(app, 'web')).message).toContain(
      '(its processes: none)',
    );
  });
});
