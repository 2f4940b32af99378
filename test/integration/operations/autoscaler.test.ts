import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutoscalingV2Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import { createOperations, type OperationHandlers } from '../../../main/operations';
import { startSandbox, type Sandbox } from '../../../main/sandbox';
import type { ClusterSession } from '../../../main/session/cluster-session';
import { createConfStore } from '../../../main/store/conf-store';
import { createSettings } from '../../../main/store/settings';
import { dispatch, type Handlers } from '../../../main/transport/dispatch';
import { EventBus } from '../../../main/transport/event-bus';
import type { Process } from '../../../shared/app-model';
import type {
  OperationInput,
  OperationName,
  OperationOutput,
  OperationProgress,
} from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import { errorOf, sandboxSession, valueOf } from '../../fixtures/operations-harness';

/**
 * Who else sets the count, against the sandbox over HTTPS: the seed's namespace `mixed` has
 * checkout's web process autoscaled (HPA checkout-web, 2–5 on 70 % CPU, its load keeping it at
 * 2) and an Argo CD-managed app (reports). The HPA controller syncs every 200 ms here.
 */

const NS = 'mixed';
const WEB = { namespace: NS, app: 'checkout', process: 'web' };
const HPA = 'checkout-web';

let sandbox: Sandbox;
let session: ClusterSession;
let ops: OperationHandlers;
let hpas: AutoscalingV2Api;
let dir: string;
const events: OperationProgress[] = [];
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  sandbox = await startSandbox({
    metricsIntervalMs: 200,
    readyDelayMs: 100,
    hpaSyncIntervalMs: 200,
  });
  const kubeConfig = kubeConfigForContext(loadKubeconfig([sandbox.kubeconfigPath]), 'sandbox', [
    sandbox.kubeconfigPath,
  ]);
  hpas = kubeConfig.makeApiClient(AutoscalingV2Api);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-autoscaler-'));
  const store = createConfStore(path.join(dir, 'config.json'));
  const bus = new EventBus();
  const settings = createSettings(store, bus);
  // Done as soon as the new pods are ready (the settle time has tests of its own).
  settings.set({ settleSeconds: 0 });
  bus.on('operation', (event) => events.push(event));
  session = sandboxSession(sandbox, 'sandbox', bus, settings, NS);
  await session.start();
  ops = createOperations({
    session: () => session,
    store,
    bus,
    settings,
    tracking: { timeoutMs: 30_000, probeIntervalMs: 150, recheckMs: 200, autoscalerSyncMs: 1_500 },
  });
}, 60_000);

afterAll(async () => {
  await session?.stop();
  await sandbox?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function call<N extends OperationName>(
  operation: N,
  input: OperationInput<N>,
): Promise<Result<OperationOutput<N>>> {
  return dispatch(ops as unknown as Handlers, operation, input) as never;
}

function web(): Process | undefined {
  return session.getApp(`${NS}/checkout`)?.processes.find((p) => p.name === 'web');
}

async function waitFor<T>(what: string, check: () => T | undefined | null | false, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function outcome(operationId: string, ms = 15_000) {
  return waitFor(
    `the outcome of ${operationId}`,
    () =>
      events.find(
        (e) => e.operationId === operationId && (e.phase === 'done' || e.phase === 'failed'),
      ),
    ms,
  );
}

async function hpaRange() {
  const hpa = await hpas.readNamespacedHorizontalPodAutoscaler({ name: HPA, namespace: NS });
  return { minReplicas: hpa.spec?.minReplicas, maxReplicas: hpa.spec?.maxReplicas };
}

describe('autoscaled processes', () => {
  it('shows the HPA that owns web, and Argo CD on the app it manages but not on a Helm release', async () => {
    const process = await waitFor('web with its autoscaler', () => web()?.autoscaler && web());
    expect(process.autoscaler).toMatchObject({
      kind: 'HorizontalPodAutoscaler',
      name: HPA,
      apiVersion: 'autoscaling/v2',
      minReplicas: 2,
      maxReplicas: 5,
      targets: ['70 % CPU'],
      editable: true,
    });
    expect(process.managedBy).toBeNull();
    const reports = session.listApps().find((a) => a.name === 'reports');
    expect(reports?.processes[0]?.managedBy).toMatchObject({ tool: 'argocd', name: 'reports' });
    const storefront = session.listApps().find((a) => a.name === 'storefront');
    expect(storefront?.processes.every((p) => p.managedBy === null && p.autoscaler === null)).toBe(
      true,
    );
  });

  it("takes in the autoscaler's changes within one sync: its range, then the count it sets", async () => {
    await hpas.patchNamespacedHorizontalPodAutoscaler(
      { name: HPA, namespace: NS, body: { spec: { minReplicas: 3 } } },
      merge,
    );
    await waitFor(
      'the new minimum in the model',
      () => web()?.autoscaler?.minReplicas === 3,
      3_000,
    );
    // The HPA raises the count to its new minimum at its next sync; the model follows.
    await waitFor('the count the HPA set', () => web()?.replicas.desired === 3, 5_000);
    await hpas.patchNamespacedHorizontalPodAutoscaler(
      { name: HPA, namespace: NS, body: { spec: { minReplicas: 2 } } },
      merge,
    );
    await waitFor('the minimum back at 2', () => web()?.autoscaler?.minReplicas === 2, 3_000);
  });

  it("sets the autoscaler's range, guarded, logged with its command, and undoes it", async () => {
    const result = valueOf(
      await call('process.setAutoscaler', {
        ...WEB,
        minReplicas: 2,
        maxReplicas: 6,
        expected: { minReplicas: 2, maxReplicas: 5 },
      }),
    );
    expect(result.activity).toMatchObject({
      kind: 'autoscaler',
      from: '2–5',
      to: '2–6',
      result: 'done',
      command: `kubectl patch hpa ${HPA} --type=merge -p '{"spec":{"minReplicas":2,"maxReplicas":6}}' -n ${NS} --context sandbox`,
    });
    expect(await hpaRange()).toEqual({ minReplicas: 2, maxReplicas: 6 });
    await waitFor(
      'the new maximum in the model',
      () => web()?.autoscaler?.maxReplicas === 6,
      3_000,
    );

    // What the admin saw is no longer there: refused, nothing written.
    const stale = errorOf(
      await call('process.setAutoscaler', {
        ...WEB,
        minReplicas: 3,
        maxReplicas: 5,
        expected: { minReplicas: 2, maxReplicas: 4 },
      }),
    );
    expect(stale.code).toBe('CONFLICT');
    expect(stale.message).toContain('changed to 2–6 by someone else');
    expect(await hpaRange()).toEqual({ minReplicas: 2, maxReplicas: 6 });

    const undone = valueOf(await call('activity.undo', { id: result.activity.id }));
    expect(undone.activity).toMatchObject({ kind: 'autoscaler', from: '2–6', to: '2–5' });
    expect(await hpaRange()).toEqual({ minReplicas: 2, maxReplicas: 5 });
  });

  it('refuses a minimum of 0 with what Kubernetes allows', async () => {
    const error = errorOf(
      await call('process.setAutoscaler', { ...WEB, minReplicas: 0, maxReplicas: 5 }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('HPAScaleToZero');
  });

  it('refuses a count for an autoscaled process, and ends one written anyway superseded, naming the autoscaler, within seconds', async () => {
    await waitFor('web at 2 with the HPA at 2–5', () => {
      const p = web();
      return p?.replicas.desired === 2 && p.autoscaler?.maxReplicas === 5;
    });
    const refused = errorOf(
      await call('process.setReplicas', { ...WEB, replicas: 8, expectedReplicas: 2 }),
    );
    expect(refused.code).toBe('INVALID_INPUT');
    expect(refused.message).toContain('set by HorizontalPodAutoscaler checkout-web (2–5)');
    expect(web()?.replicas.desired).toBe(2);
    // Written all the same (force), the count is put back by the autoscaler: superseded.
    const started = Date.now();
    const result = valueOf(
      await call('process.setReplicas', { ...WEB, replicas: 8, expectedReplicas: 2, force: true }),
    );
    const end = await outcome(result.operationId);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(end.phase).toBe('done');
    expect(end.message).toBe(
      'Superseded by the autoscaler (HorizontalPodAutoscaler checkout-web): web now has 5 replicas.',
    );
    const [entry] = await ops['activity.list']({ limit: 1 });
    expect(entry).toMatchObject({ id: result.activity.id, result: 'superseded' });
    expect(entry?.message).toBe(end.message);
  });
});
