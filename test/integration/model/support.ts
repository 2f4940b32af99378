import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { COMPONENT_LABEL, PART_OF_LABEL, type App } from '../../../shared/app-model';
import { afterAll, beforeAll } from 'vitest';
import type { EventName, EventPayload } from '../../../shared/contract';
import { createConfStore } from '../../../main/conf-store';
import { EventBus } from '../../../main/event-bus';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../main/sandbox';
import { createServices, type Services, type ServicesOptions } from '../../../main/services';

/** The sandbox cluster and the composition root wired to it, with short intervals for tests. */

export const FAST_LIVE: NonNullable<ServicesOptions['live']> = {
  timing: {
    metricsIntervalMs: 300,
    backoffBaseMs: 50,
    backoffMaxMs: 500,
    requestTimeoutMs: 5_000,
    probeTimeoutMs: 2_000,
  },
};

export async function fastSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ metricsIntervalMs: 60_000, readyDelayMs: 100, ...options });
}

export interface Harness {
  services: Services;
  bus: EventBus;
  events: { name: EventName; payload: unknown }[];
  dir: string;
  stop(): Promise<void>;
}

export async function connectServices(
  kubeconfigPath: string,
  extra: Partial<ServicesOptions> = {},
): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-model-'));
  const bus = new EventBus();
  const events: Harness['events'] = [];
  bus.onAny((name, payload) => events.push({ name, payload }));
  const services = await createServices({
    store: createConfStore(path.join(dir, 'config.json')),
    bus,
    mode: 'browser',
    version: '0.0.0-test',
    kubeconfigPath,
    live: FAST_LIVE,
    ...extra,
  });
  return {
    services,
    bus,
    events,
    dir,
    async stop() {
      await services.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ConnectedSandbox {
  sandbox: Sandbox;
  harness: Harness;
}

/**
 * A test file's sandbox and services connected to its `sandbox` context: started before the
 * file's tests and stopped after them. `prepare` runs before the services connect, for objects
 * the model must find in its first list.
 */
export function useConnectedSandbox(
  options: {
    sandbox?: SandboxOptions;
    services?: Partial<ServicesOptions>;
    namespace?: string | null;
    prepare?: (sandbox: Sandbox) => Promise<void>;
  } = {},
): ConnectedSandbox {
  const live = {} as ConnectedSandbox;
  beforeAll(async () => {
    live.sandbox = await fastSandbox(options.sandbox);
    await options.prepare?.(live.sandbox);
    live.harness = await connectServices(live.sandbox.kubeconfigPath, options.services);
    await live.harness.services.handlers['cluster.connect']({
      context: 'sandbox',
      namespace: options.namespace ?? null,
    });
  });
  afterAll(async () => {
    await live.harness?.stop();
    await live.sandbox?.stop();
  });
  return live;
}

/** Waits until `check` returns a value (not undefined/false); fails with `what` after the test's patience. */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function lastEvent<E extends EventName>(
  harness: Harness,
  name: E,
): EventPayload<E> | undefined {
  for (let i = harness.events.length - 1; i >= 0; i--) {
    const event = harness.events[i]!;
    if (event.name === name) return event.payload as EventPayload<E>;
  }
  return undefined;
}

/** A second client, as an admin's kubectl would be: the sandbox's own kubeconfig. */
export function adminClient(
  sandbox: Sandbox,
  context = 'sandbox',
): { kc: KubeConfig; apps: AppsV1Api; core: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  kc.setCurrentContext(context);
  return { kc, apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api) };
}

export function appDeployment(opts: {
  namespace: string;
  app: string;
  component: string;
  replicas: number;
  memoryLimit?: string;
  args?: string[];
}): V1Deployment {
  const labels = { [PART_OF_LABEL]: opts.app, [COMPONENT_LABEL]: opts.component };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${opts.app}-${opts.component}`, namespace: opts.namespace, labels },
    spec: {
      replicas: opts.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: opts.component,
              image: 'registry.sandbox.local/test:1',
              command: opts.component === 'workspace' ? ['jupyter'] : ['gunicorn'],
              args:
                opts.args ??
                (opts.component === 'workspace' ? ['lab'] : ['app:server', '--workers', '2']),
              ...(opts.memoryLimit ? { resources: { limits: { memory: opts.memoryLimit } } } : {}),
            },
          ],
        },
      },
    },
  };
}

/** Pod names per app id as the model has them. */
export function modelPods(apps: readonly App[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const app of apps) {
    const names: string[] = [];
    for (const process of [...app.processes, ...(app.workspace ? [app.workspace] : [])]) {
      for (const pod of process.pods) names.push(pod.name);
    }
    result.set(app.id, names.sort());
  }
  return result;
}

/** Pod names per app id as the cluster has them now (a fresh list by the second client). */
export async function clusterPods(core: CoreV1Api): Promise<Map<string, string[]>> {
  const list = await core.listPodForAllNamespaces();
  const result = new Map<string, string[]>();
  for (const pod of list.items) {
    const app = pod.metadata?.labels?.[PART_OF_LABEL];
    if (!app) continue;
    const id = `${pod.metadata?.namespace}/${app}`;
    const names = result.get(id) ?? [];
    names.push(pod.metadata!.name!);
    result.set(id, names);
  }
  for (const names of result.values()) names.sort();
  return result;
}

export function samePods(a: Map<string, string[]>, b: Map<string, string[]>): boolean {
  const ids = new Set([...a.keys(), ...b.keys()]);
  for (const id of ids) {
    const x = a.get(id) ?? [];
    const y = b.get(id) ?? [];
    if (x.length !== y.length || x.some((name, i) => name !== y[i])) return false;
  }
  return true;
}
