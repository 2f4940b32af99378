import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  AppsV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubeConfig,
  type V1Deployment,
} from '@kubernetes/client-node';
import { ACTIVITY_KEY, DEFAULT_ACTIVITY_CAP } from '../../main/store/activity-log';
import { createConfStore } from '../../main/store/conf-store';
import { EventBus } from '../../main/transport/event-bus';
import { dispatch } from '../../main/transport/dispatch';
import { kubeConfigForContext, loadKubeconfig } from '../../main/kube/kubeconfig';
import { createServices, type Services } from '../../main/services';
import type { App } from '../../shared/app-model';
import type { ActivityEntry, OperationResult } from '../../shared/contract';
import { sleep, waitFor } from './stats';

const run = promisify(execFile);

/**
 * A change of replicas three ways on the same Deployment of the same sandbox, one after the other
 * in each round so that a slow moment of the machine falls on all three:
 *
 * - ScaleDesk: `process.setReplicas` through `dispatch` and the real handlers of
 *   `createServices` (input checked, permission and quota plan, guarded PATCH of the scale
 *   subresource, activity log), timed from the call until ScaleDesk's own live model (an `apps`
 *   event on the bus, what the renderer receives) shows the new desired count;
 * - the wire: one merge PATCH of the scale subresource with the bare client-node client, timed
 *   until its response; a bare client-node Watch of the namespace's Deployments also notes when
 *   the change reaches a watcher (the sandbox's watch delivery, the rest of the floor);
 * - kubectl: `kubectl scale deployment/X --replicas=N`, the wall time of the process (its
 *   discovery cache warm, as an admin's is after the first command).
 *
 * Then a restart of one process through `app.restart`, until the model shows the new rollout
 * started (the process's restartedAt is the new one). Between samples the app settles (every
 * replica ready, rollout complete) so each starts from a quiet cluster.
 *
 * ScaleDesk's store starts with a full activity log (its cap, 1,000 entries), as after weeks of
 * use (moved into the log's own file when it opens): every change appends its pending entry,
 * fsynced, before the write is sent, and the log's size is part of the cost.
 */

export const ACTIVITY_LOG_ENTRIES = DEFAULT_ACTIVITY_CAP;

/** Past changes, oldest first as the log keeps them, all settled. */
function pastActivity(count: number): ActivityEntry[] {
  const start = Date.now() - count * 15 * 60_000;
  return Array.from({ length: count }, (_, i) => {
    const app = `app-${String(i % 40).padStart(2, '0')}`;
    const to = 1 + (i % 5);
    return {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      at: new Date(start + i * 15 * 60_000).toISOString(),
      context: 'sandbox',
      namespace: 'demo',
      app,
      process: 'web',
      kind: 'replicas',
      from: to === 1 ? 2 : to - 1,
      to,
      result: 'done',
      message: `web runs ${to} replicas.`,
      command: `kubectl scale deployment/${app}-web --replicas=${to} -n demo --context sandbox`,
      undoOf: null,
    };
  });
}

export const SCALE_TARGET = { namespace: 'demo', app: 'sales-dash', process: 'web' };
export const RESTART_TARGET = { namespace: 'demo', app: 'pricing-api', process: 'web' };

export interface WriteSamples {
  /** ScaleDesk: call until the model shows it. */
  scaleRoundtrip: number[];
  /** ScaleDesk: call until the handler answered (the Save button's pending state ends). */
  scaleAnswered: number[];
  /** Bare client: PATCH until its response. */
  wire: number[];
  /** Bare client: the PATCH's response until the bare watch delivered the change (may be < 0). */
  watchAfterResponse: number[];
  kubectl: number[];
  restartRoundtrip: number[];
}

export interface WriteOptions {
  kubeconfigPath: string;
  warmup: number;
  rounds: number;
}

function deploymentOf(process: string, app: string): string {
  return `${app}-${process}`;
}

function processOf(app: App | undefined, name: string) {
  return app?.processes.find((p) => p.name === name);
}

export async function measureWrites(options: WriteOptions): Promise<WriteSamples> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bench-writes-'));
  const bus = new EventBus();
  const store = createConfStore(path.join(dir, 'config.json'));
  store.set(ACTIVITY_KEY, pastActivity(ACTIVITY_LOG_ENTRIES));
  const services: Services = await createServices({
    store,
    bus,
    mode: 'desktop',
    version: 'bench',
    kubeconfigPath: options.kubeconfigPath,
    context: 'sandbox',
    dataDir: dir,
  });
  const connection = await services.ready;
  if (connection.state !== 'live') {
    throw new Error(
      `bench: ScaleDesk did not connect (${connection.state}: ${connection.error?.message})`,
    );
  }
  const session = () => {
    const live = services.session();
    if (!live) throw new Error('bench: no live session');
    return live;
  };

  const admin: KubeConfig = kubeConfigForContext(
    loadKubeconfig([options.kubeconfigPath]),
    'sandbox',
    [options.kubeconfigPath],
  );
  const apps = admin.makeApiClient(AppsV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const kubectlCache = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-bench-kubectl-'));

  // The bare watcher: when each Deployment's spec.replicas was first seen at each value.
  const seen = new Map<string, number>();
  const watch = await new Watch(admin).watch(
    `/apis/apps/v1/namespaces/${SCALE_TARGET.namespace}/deployments`,
    {},
    (_type, object: V1Deployment) => {
      const key = `${object.metadata?.name}=${object.spec?.replicas}`;
      if (!seen.has(key)) seen.set(key, performance.now());
    },
    () => undefined,
  );

  const scaleId = `${SCALE_TARGET.namespace}/${SCALE_TARGET.app}`;
  const deployment = deploymentOf(SCALE_TARGET.process, SCALE_TARGET.app);

  /** Every replica ready and the rollout complete, then a moment for trailing status writes. */
  const settle = async (appId: string, process: string) => {
    await waitFor(
      `${appId} ${process} to settle`,
      () => {
        const p = processOf(session().getApp(appId), process);
        return (
          p &&
          p.rollout.state === 'complete' &&
          p.replicas.ready === p.replicas.desired &&
          p.pods.length === p.replicas.desired
        );
      },
      30_000,
      20,
    );
    await sleep(150);
  };
  const desiredNow = () =>
    processOf(session().getApp(scaleId), SCALE_TARGET.process)!.replicas.desired;
  const next = () => (desiredNow() === 2 ? 3 : 2);

  const modelShows = (appId: string, test: (app: App) => boolean): Promise<number> =>
    new Promise((resolve) => {
      const off = bus.on('apps', (event) => {
        const app = event.upserted.find((a) => a.id === appId);
        if (app && test(app)) {
          off();
          resolve(performance.now());
        }
      });
    });

  const viaScaleDesk = async (): Promise<{ roundtrip: number; answered: number }> => {
    const to = next();
    const shown = modelShows(
      scaleId,
      (app) => processOf(app, SCALE_TARGET.process)?.replicas.desired === to,
    );
    const t0 = performance.now();
    const result = await dispatch(services.handlers, 'process.setReplicas', {
      ...SCALE_TARGET,
      replicas: to,
    });
    const answered = performance.now() - t0;
    if (!result.ok) throw new Error(`bench: set replicas failed: ${result.error.message}`);
    const roundtrip = (await shown) - t0;
    return { roundtrip, answered };
  };

  const viaWire = async (): Promise<{ wire: number; watch: number }> => {
    const to = next();
    const key = `${deployment}=${to}`;
    seen.delete(key);
    const t0 = performance.now();
    await apps.patchNamespacedDeploymentScale(
      { name: deployment, namespace: SCALE_TARGET.namespace, body: { spec: { replicas: to } } },
      mergePatch,
    );
    const t1 = performance.now();
    // The bare watch saw it before or after the response.
    const tw = await waitFor('the bare watch to see the change', () => seen.get(key), 10_000, 1);
    return { wire: t1 - t0, watch: tw - t1 };
  };

  const viaKubectl = async (): Promise<number> => {
    const to = next();
    const t0 = performance.now();
    await run(
      'kubectl',
      ['scale', `deployment/${deployment}`, `--replicas=${to}`, '-n', SCALE_TARGET.namespace],
      { env: { ...process.env, KUBECONFIG: options.kubeconfigPath, KUBECACHEDIR: kubectlCache } },
    );
    return performance.now() - t0;
  };

  const restartId = `${RESTART_TARGET.namespace}/${RESTART_TARGET.app}`;
  const viaRestart = async (): Promise<number> => {
    let at: string | null = null;
    const started = (app: App | undefined) => {
      const p = processOf(app, RESTART_TARGET.process);
      return at !== null && p?.lastRestartAt === at && p.rollout.state === 'progressing';
    };
    const shown = modelShows(restartId, started);
    const t0 = performance.now();
    const result = await dispatch(services.handlers, 'app.restart', RESTART_TARGET);
    if (!result.ok) throw new Error(`bench: restart failed: ${result.error.message}`);
    at = String((result.value as OperationResult).activity.to);
    // The model may have shown it before the handler answered: then it is there already.
    if (started(session().getApp(restartId))) return performance.now() - t0;
    return (await shown) - t0;
  };

  const samples: WriteSamples = {
    scaleRoundtrip: [],
    scaleAnswered: [],
    wire: [],
    watchAfterResponse: [],
    kubectl: [],
    restartRoundtrip: [],
  };
  try {
    for (let round = 0; round < options.warmup + options.rounds; round++) {
      const keep = round >= options.warmup;
      await settle(scaleId, SCALE_TARGET.process);
      const ours = await viaScaleDesk();
      await settle(scaleId, SCALE_TARGET.process);
      const wire = await viaWire();
      await settle(scaleId, SCALE_TARGET.process);
      const kubectl = await viaKubectl();
      await settle(restartId, RESTART_TARGET.process);
      const restart = await viaRestart();
      if (!keep) continue;
      samples.scaleRoundtrip.push(ours.roundtrip);
      samples.scaleAnswered.push(ours.answered);
      samples.wire.push(wire.wire);
      samples.watchAfterResponse.push(wire.watch);
      samples.kubectl.push(kubectl);
      samples.restartRoundtrip.push(restart);
    }
    await settle(restartId, RESTART_TARGET.process);
  } finally {
    watch.abort();
    await services.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(kubectlCache, { recursive: true, force: true });
  }
  return samples;
}
