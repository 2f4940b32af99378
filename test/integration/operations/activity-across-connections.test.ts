import { describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/transport/dispatch';
import type { ActivityEntry, OperationResult } from '../../../shared/contract';
import { adminClient, until, useConnectedSandbox } from '../../fixtures/services';

/**
 * The composition root: a change made just before `cluster.connect` moves the admin to another
 * namespace is still followed to its end, from the Deployment it changed, and listed there.
 */

const connected = useConnectedSandbox({
  namespace: 'demo',
  services: {
    operations: { tracking: { timeoutMs: 30_000, recheckMs: 200, probeIntervalMs: 150 } },
  },
});

async function call(operation: string, input: unknown): Promise<unknown> {
  const result = await dispatch(connected.harness.services.handlers, operation, input);
  if (!result.ok) throw new Error(`${operation}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

describe('a change, then another namespace connected at once', () => {
  it('ends done, not timed out, and is listed in the namespace connected now', async () => {
    await until('sales-dash in the model', async () =>
      ((await call('apps.list', {})) as Array<{ id: string }>).some(
        (app) => app.id === 'demo/sales-dash',
      ),
    );
    const change = (await call('process.setReplicas', {
      namespace: 'demo',
      app: 'sales-dash',
      process: 'web',
      replicas: 3,
    })) as OperationResult;
    // The session the change was made in is stopped and replaced.
    await call('cluster.connect', { context: 'sandbox', namespace: 'analytics' });

    const entry = await until('the change settled', async () => {
      const listed = (await call('activity.list', {})) as ActivityEntry[];
      const found = listed.find((e) => e.id === change.activity.id);
      return found && found.result !== 'pending' ? found : undefined;
    });
    expect(entry).toMatchObject({ result: 'done', message: 'web runs 3 replicas.' });
    const { apps } = adminClient(connected.sandbox);
    const web = await apps.readNamespacedDeployment({ name: 'sales-dash-web', namespace: 'demo' });
    expect(web.spec?.replicas).toBe(3);
  });
});
