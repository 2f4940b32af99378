import {
  CoreV1Api,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  Observable,
  PatchStrategy,
  ResponseContext,
  setHeaderOptions,
  type ApiConstructor,
  type ApiType,
  type HttpLibrary,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import { retryingApiClient } from '../../../main/kube/request-retry';
import { ResourceWatch } from '../../../main/kube/resource-watch';
import { patchScale } from '../../../main/operations/cluster-writes';
import { replicasIn } from '../../../main/operations/replicas';
import { WriteGuard } from '../../../main/operations/write-guard';
import { ScaleDeskError } from '../../../shared/errors';
import { NS, SHOP_WEB, useHarness, valueOf } from '../../fixtures/operations-harness';
import { recordSandboxRequests } from '../../fixtures/sandbox-requests';

/**
 * A cluster that answers half of all requests with 429 and Retry-After: 1 (the sandbox's
 * throttleRate fault), driven through ScaleDesk's own operations and watches with the real
 * client-node over HTTPS. kubectl makes 6 changes of 6 against it by honouring Retry-After.
 */

const h = useHarness();
const QUIET_NS = 'default';

afterEach(() => {
  h.sandbox.faults.reset();
});

describe('a throttling cluster', () => {
  it('takes 6 of 6 replica changes at a throttle rate of 0.5, and says it throttles', async () => {
    const throttledBefore = h.sandbox.requestCountsByVerb()['throttled'] ?? 0;
    h.sandbox.faults.throttleRate = 0.5;
    let seen = 2;
    for (const replicas of [3, 2, 3, 2, 3, 2]) {
      // As the replica editor sends it: the count the admin saw, once the model showed it.
      const result = await h.call('process.setReplicas', {
        ...SHOP_WEB,
        replicas,
        expectedReplicas: seen,
      });
      expect(valueOf(result).activity).toMatchObject({ kind: 'replicas', to: replicas });
      await h.waitFor(`the model to show web at ${replicas}`, () => {
        const web = h.app('shop').processes.find((p) => p.name === 'web');
        return web?.replicas.desired === replicas;
      });
      seen = replicas;
    }
    // Half of the requests were refused on the way, and none of them failed a change.
    expect((h.sandbox.requestCountsByVerb()['throttled'] ?? 0) - throttledBefore).toBeGreaterThan(
      2,
    );
    expect(h.live.connection().throttledSince).not.toBeNull();
    h.sandbox.faults.reset();
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(2);
  }, 120_000);

  it('waits out the Retry-After of a refused watch before it asks again', async () => {
    const kubeConfig = kubeConfigForContext(loadKubeconfig([h.sandbox.kubeconfigPath]), 'sandbox', [
      h.sandbox.kubeconfigPath,
    ]);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    let synced: () => void = () => {};
    const listed = new Promise<void>((resolve) => (synced = resolve));
    const watch = new ResourceWatch<V1Pod>({
      kubeConfig,
      // A namespace the harness's sessions do not watch: the requests counted are this watch's.
      path: `/api/v1/namespaces/${QUIET_NS}/pods`,
      type: 'V1Pod',
      list: (page) => core.listNamespacedPod({ namespace: QUIET_NS, ...page }),
      request: { resource: 'pods', namespace: QUIET_NS },
      onEvent: () => {},
      onSynced: () => synced(),
      // The usual backoff alone would ask again within 100 ms.
      timing: { backoffBaseMs: 50, backoffMaxMs: 100 },
    });
    const recorder = recordSandboxRequests(h.sandbox.port);
    try {
      watch.start();
      await listed;
      await h.waitFor('the watch to be open', () => watch.streaming);
      h.sandbox.faults.throttleRate = 1;
      h.sandbox.faults.cutWatches();
      const starts = () =>
        recorder.requests
          .filter(
            (r) =>
              r.query.get('watch') === 'true' && r.path === `/api/v1/namespaces/${QUIET_NS}/pods`,
          )
          .map((r) => r.at);
      // The first watch, then three refused attempts after the cut: each after the Retry-After.
      await h.waitFor('three refused watch attempts', () => starts().length >= 4, 10_000);
      const refused = starts().slice(1, 4);
      for (let i = 1; i < refused.length; i++) {
        expect(refused[i]! - refused[i - 1]!).toBeGreaterThanOrEqual(950);
      }
      expect(watch.currentHealth.error?.code).toBe('THROTTLED');
      h.sandbox.faults.reset();
      await h.waitFor('the watch to open again', () => watch.streaming, 5_000);
    } finally {
      recorder.stop();
      await watch.stop();
    }
  }, 30_000);

  it("keeps a guarded write's guard when it is sent again: someone else's change meanwhile is a CONFLICT", async () => {
    const before = await h.deployment('shop-web');
    const seen = before.spec?.replicas ?? 1;
    let throttledOnce = false;
    const real = new IsomorphicFetchHttpLibrary();
    // The first PATCH is throttled; while ScaleDesk waits, someone else scales web to 5.
    const inner: HttpLibrary = {
      send: (request) => {
        if (throttledOnce || request.getHttpMethod() !== HttpMethod.PATCH) {
          return real.send(request);
        }
        throttledOnce = true;
        return new Observable(
          h.apps
            .patchNamespacedDeploymentScale(
              { name: 'shop-web', namespace: NS, body: { spec: { replicas: 5 } } },
              setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
            )
            .then(
              () =>
                new ResponseContext(
                  429,
                  { 'retry-after': '1' },
                  { text: async () => '{}', binary: async () => Buffer.from('{}') },
                ),
            ),
        );
      },
    };
    class FirstPatchThrottled extends KubeConfig {
      override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
        return retryingApiClient(this, apiClientType, { inner });
      }
    }
    const kubeConfig = new FirstPatchThrottled();
    kubeConfig.loadFromFile(h.sandbox.kubeconfigPath);
    kubeConfig.setCurrentContext('sandbox');
    const ref = {
      kubeConfig,
      context: 'sandbox',
      namespace: NS,
      kind: 'Deployment',
      name: 'shop-web',
    } as const;
    const patches: string[] = [];
    const error = await new WriteGuard()
      .write({
        ref,
        field: 'replicas',
        valueIn: replicasIn,
        expected: seen,
        force: false,
        wanted: seen + 1,
        cached: undefined,
        write: (_current, version) => {
          patches.push(version ?? 'unguarded');
          return patchScale(ref, seen + 1, version);
        },
        conflict: (now) =>
          new ScaleDeskError('CONFLICT', `changed to ${now ? replicasIn(now) : '?'}`),
      })
      .catch((e: unknown) => e);
    expect(throttledOnce).toBe(true);
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'changed to 5' });
    // One write, sent twice at the version judged; never unguarded.
    expect(patches).toEqual([before.metadata?.resourceVersion]);
    expect((await h.deployment('shop-web')).spec?.replicas).toBe(5);
  }, 30_000);
});
