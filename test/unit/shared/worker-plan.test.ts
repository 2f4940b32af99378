import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import { PRELOAD_WARNING, planWorkers, validateWorkers } from '../../../shared/worker-plan';
import { shopProcess } from '../../fixtures/app-model';

describe('planWorkers estimates a replica at the new worker count', () => {
  it('multiplies the memory per worker measured now by the new count', () => {
    const web = shopProcess('web', 2, { memoryPerWorkerBytes: 1.5 * GIB });
    const result = planWorkers(web, 3);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan).toMatchObject({
      from: 4,
      to: 3,
      estimatedReplicaBytes: 4.5 * GIB,
      memoryLimitBytes: 8 * GIB,
      overLimit: false,
      withinRecommended: true,
      warnings: [],
    });
  });

  it('warns when the new count would take a replica past its memory limit', () => {
    const web = shopProcess('web', 2, { memoryPerWorkerBytes: 1.5 * GIB });
    const result = planWorkers(web, 6);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.overLimit).toBe(true);
    expect(result.plan.warnings[0]).toEqual({
      kind: 'over-limit',
      message:
        'At 6 workers a replica of web would use about 9 GiB (1.5 GiB per worker measured now), past its 8 GiB memory limit: it would be stopped by its memory limit.',
    });
    expect(result.plan.warnings[1]).toEqual({
      kind: 'outside-recommended',
      message: '2 to 4 workers is the recommended range for most apps.',
    });
  });

  it('cautions when a replica would be within 10% of its limit', () => {
    const web = shopProcess('web', 2, { memoryPerWorkerBytes: 1.9 * GIB });
    const result = planWorkers(web, 4);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.overLimit).toBe(false);
    expect(result.plan.warnings[0]?.kind).toBe('little-room');
    expect(result.plan.warnings[0]?.message).toContain('little room is left');
  });

  it('warns about --preload and shared database connection pools', () => {
    const web = shopProcess('web', 1, {
      workers: { count: 2, spelling: '-w', preload: true, configFile: null },
    });
    const result = planWorkers(web, 3);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.warnings).toEqual([{ kind: 'preload', message: PRELOAD_WARNING }]);
    expect(PRELOAD_WARNING).toContain('shared database connection pools');
  });

  it('has no estimate without metrics, and no memory warning', () => {
    const result = planWorkers(shopProcess('web', 1), 3);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan).toMatchObject({ estimatedReplicaBytes: null, overLimit: false });
    expect(result.plan.warnings).toEqual([]);
  });

  it('refuses a process that is not gunicorn', () => {
    const worker = shopProcess('worker', 1, { workers: null, command: 'celery -A tasks worker' });
    expect(planWorkers(worker, 2)).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      message: 'worker does not run gunicorn, so it has no workers to set: celery -A tasks worker',
    });
  });

  it.each([
    [0, 'A gunicorn process needs at least 1 worker.'],
    [-1, 'A gunicorn process needs at least 1 worker.'],
    [2.5, 'Workers must be a whole number.'],
    [Number.NaN, 'Workers must be a number.'],
    ['3', 'Workers must be a number, not text.'],
    [65, 'Workers cannot be more than 64.'],
  ])('refuses %s workers: %s', (value, message) => {
    expect(validateWorkers(value)).toEqual({ ok: false, message });
    expect(planWorkers(shopProcess('web', 1), value)).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      message,
    });
  });
});
