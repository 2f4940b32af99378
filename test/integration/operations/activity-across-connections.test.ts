import { describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/transport/dispatch';
import type { App } from '../../../shared/app-model';
import type { ActivityEntry, OperationResult } from '../../../shared/contract';
import { adminClient, until, useConnectedSandbox } from '../../fixtures/services';

/**
 * The composition root: a change made just before `cluster.connect` moves the admin to another
 * namespace is still followed to its end, from the Deployment or StatefulSet it changed, and
 * listed there.
 */

/** The seed's StatefulSet (main/sandbox/seed-mixed.ts), in the namespace `mixed`. */
const STATEFUL_SET = 'plain-db';

const connected = useConnectedSandbox({
  namespace: 'demo',
  // Pods slow to become ready: a rollout outlasts the switch, so it is followed from the cluster.
  sandbox: { readyDelayMs: 1_000 },
  services: {
    operations: { tracking: { timeoutMs: 30_000, recheckMs: 200, probeIntervalMs: 150 } },
  },
});

async function call(operation: string, input: unknown): Promise<unknown> {
  const result = await dispatch(connected.harness.services.handlers, operation, input);
  if (!result.ok) throw new Error(`${operation}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

async function settled(id: string): Promise<ActivityEntry> {
  return until('the change settled', async () => {
    const listed = (await call('activity.list', {})) as ActivityEntry[];
    const found = listed.find((e) => e.id === id);
    return found && found.result !== 'pending' ? found : undefined;
  });
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

    const entry = await settled(change.activity.id);
    expect(entry).toMatchObject({ result: 'done', message: 'web runs 3 replicas.' });
    const { apps } = adminClient(connected.sandbox);
    const web = await apps.readNamespacedDeployment({ name: 'sales-dash-web', namespace: 'demo' });
    expect(web.spec?.replicas).toBe(3);
  });
});

describe('a StatefulSet scaled, then another namespace connected at once', () => {
  it('ends done, read from the StatefulSet (not a Deployment of its name)', async () => {
    const ns = 'mixed';
    await call('cluster.connect', { context: 'sandbox', namespace: ns });
    const { app, process } = await until(`${STATEFUL_SET} in the model`, async () => {
      for (const found of (await call('apps.list', {})) as App[]) {
        const db = found.processes.find(
          (p) => p.workloadKind === 'StatefulSet' && p.deployment === STATEFUL_SET,
        );
        if (db && found.namespace === ns) return { app: found, process: db };
      }
      return undefined;
    });
    const replicas = process.replicas.desired + 1;
    const change = (await call('process.setReplicas', {
      namespace: ns,
      app: app.name,
      process: process.name,
      replicas,
    })) as OperationResult;
    await call('cluster.connect', { context: 'sandbox', namespace: 'demo' });

    expect(await settled(change.activity.id)).toMatchObject({
      result: 'done',
      message: `${process.name} runs ${replicas} replicas.`,
    });
    const { apps } = adminClient(connected.sandbox);
    const set = await apps.readNamespacedStatefulSet({ name: STATEFUL_SET, namespace: ns });
    expect(set.status?.readyReplicas).toBe(replicas);
  });
});
