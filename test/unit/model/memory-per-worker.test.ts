import { describe, expect, it } from 'vitest';
import { processOf } from '../../../main/model/process-model';
import { GIB } from '../../../shared/app-model';
import { planWorkers } from '../../../shared/worker-plan';
import { catalogContext } from '../../fixtures/catalog-context';
import { deployment, pod } from '../../fixtures/kube-objects';
import { asDeployment } from '../../fixtures/workloads';

/**
 * Memory per worker is a replica's memory over its worker count: where a config file sets the
 * count it is not known, and no figure (nor an estimate from it) rests on a guessed 1.
 */

function web(args: string[]) {
  const d = deployment({ app: 'a', component: 'web', command: ['gunicorn'], args });
  const replica = pod({ deployment: d, index: 0 });
  const memory = new Map([[`shop/${replica.metadata?.name}`, 2 * GIB]]);
  return processOf(asDeployment(d), 'web', [replica], catalogContext({ memory }));
}

describe('memory per worker rests on a known count only', () => {
  it('divides a replica by the count on the command line, or by gunicorn default 1', () => {
    expect(web(['app:server', '--workers', '4']).memoryPerWorkerBytes).toBe(0.5 * GIB);
    expect(web(['app:server']).memoryPerWorkerBytes).toBe(2 * GIB);
  });

  it('gives none where a config file sets the count, and the plan estimates nothing from it', () => {
    const configured = web(['-c', 'gunicorn.conf.py', 'app:server']);
    expect(configured.memoryUsedBytes).toBe(2 * GIB);
    expect(configured.workers).toMatchObject({ count: null, configFile: 'gunicorn.conf.py' });
    expect(configured.memoryPerWorkerBytes).toBeNull();

    // Even handed a figure, the plan does not multiply a guess.
    const result = planWorkers({ ...configured, memoryPerWorkerBytes: 2 * GIB }, 8);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan).toMatchObject({
      from: null,
      memoryPerWorkerBytes: null,
      estimatedReplicaBytes: null,
      overLimit: false,
    });
  });
});
