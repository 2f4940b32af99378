import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from './api-server';
import { makeTokens, type Tokens } from './authorization';
import { makeServingCertificates } from './certificates';
import { ControlPlane } from './control-plane';
import { createExecPlugin, type ExecPlugin } from './exec-plugin';
import { createFaults, type SandboxFaults } from './faults';
import { writeKubeconfigFile } from './kubeconfig-file';
import type { StoreListener } from './object-store';
import { seedCluster } from './seed';

/**
 * The sandbox cluster: a Kubernetes API server over HTTPS on 127.0.0.1 with a simulated
 * control plane, kubelets, metrics-server and app endpoints, which the real client-node and
 * kubectl use as they would a cluster. `startSandbox()` makes a CA, seeds the cluster, listens,
 * and writes a kubeconfig with the contexts `sandbox` (admin) and `sandbox-viewer` (viewer).
 */

export interface SandboxOptions {
  /** 0 = any free port (default 0). */
  port?: number;
  /** Where to write the kubeconfig (default: a new temp dir). */
  kubeconfigPath?: string;
  /** Generated apps beyond the seed, 50 per namespace `apps-NN` (default 0). */
  apps?: number;
  /** Namespaces the generated apps spread over instead, evenly (`apps-0001`, ...). */
  namespaces?: number;
  /** The demo seed: namespaces demo and analytics and their apps (default true). */
  seed?: boolean;
  /** How often metrics-server scrapes and the kubelet checks memory limits (default 15000). */
  metricsIntervalMs?: number;
  /** How long a new or restarted container takes to become ready (default 1500). */
  readyDelayMs?: number;
  /** How often the HorizontalPodAutoscaler controller syncs every HPA (default 15000). */
  hpaSyncIntervalMs?: number;
  /** How often watches that asked for bookmarks get one (default 60000). */
  bookmarkIntervalMs?: number;
}

export interface Sandbox {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /**
   * Contexts `sandbox` (user admin, current) and `sandbox-viewer` (user viewer); namespace demo.
   * Without `kubeconfigPath` it is written in a temp dir that stop() removes.
   */
  readonly kubeconfigPath: string;
  readonly tokens: Tokens;
  /** The CA that signed the server certificate (PEM), also embedded in the kubeconfig. */
  readonly caPem: string;
  readonly faults: SandboxFaults;
  /** The exec credential plugin of the context `sandbox-exec`: what it does, how often it ran. */
  readonly execPlugin: ExecPlugin;
  /** API requests served since start (all paths, including failed and unauthorised ones). */
  requestCount(): number;
  /** The same, by Kubernetes verb (get, list, watch, create, update, patch, delete, proxy, discovery, ...). */
  requestCountsByVerb(): Record<string, number>;
  /**
   * Makes an app's web pods pass their memory limit: OOMKilled now and on every restart, until a
   * rollout replaces them. Throws where the app has no running web pods in that namespace.
   */
  triggerOom(namespace: string, app: string): void;
  /** Runs a metrics-server scrape (and memory-limit check) now instead of at the next interval. */
  scrapeMetrics(): void;
  /**
   * Every change the store commits, as it commits it: the moment the API server accepted a write
   * (before its response and before any watch is sent the event). For the bench, which times a
   * change from there to the screen. Returns an unsubscribe.
   */
  onStoreEvent(listener: StoreListener): () => void;
  /** Stops listening and listens again on the same port, keeping all state (open streams are cut). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const metricsIntervalMs = options.metricsIntervalMs ?? 15_000;
  const readyDelayMs = options.readyDelayMs ?? 1500;
  const cp = new ControlPlane({
    metricsIntervalMs,
    readyDelayMs,
    hpaSyncIntervalMs: options.hpaSyncIntervalMs,
  });
  seedCluster(cp, {
    demo: options.seed ?? true,
    apps: options.apps ?? 0,
    namespaces: options.namespaces,
  });

  // A kubeconfig in a temp dir of its own is the sandbox's to clean up; a given path is the caller's.
  const ownDir = options.kubeconfigPath
    ? undefined
    : mkdtempSync(join(tmpdir(), 'scaledesk-sandbox-'));
  const kubeconfigPath = options.kubeconfigPath ?? join(ownDir as string, 'kubeconfig');
  const execPlugin = createExecPlugin(kubeconfigPath);
  const certs = makeServingCertificates();
  const tokens = makeTokens();
  let api: ApiServer | undefined = undefined;
  const faults = createFaults({
    cutWatches: () => api?.cutWatches() ?? 0,
    down: (ms) => api?.down(ms) ?? Promise.resolve(),
    expireWatchHistory: () => cp.store.compact(),
  });
  api = new ApiServer(
    {
      store: cp.store,
      registry: cp.registry,
      metrics: cp.metrics,
      load: cp.load,
      tokens,
      execPlugin,
      faults,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    },
    { cert: certs.certPem, key: certs.keyPem },
  );
  const server = api;
  const port = await server.listen(options.port ?? 0);
  cp.start();
  const url = `https://127.0.0.1:${port}`;
  writeKubeconfigFile(kubeconfigPath, {
    server: url,
    caPem: certs.caPem,
    tokens,
    execScriptPath: execPlugin.scriptPath,
  });

  let stopped = false;
  return {
    url,
    port,
    kubeconfigPath,
    tokens,
    caPem: certs.caPem,
    faults,
    execPlugin,
    requestCount: () => server.requestCount(),
    requestCountsByVerb: () => server.requestCountsByVerb(),
    triggerOom(namespace, app) {
      if (cp.kubelet.surgePastLimit(namespace, app) === 0) {
        throw new Error(
          `triggerOom: app "${app}" has no running web pods with a memory limit in namespace "${namespace}"`,
        );
      }
    },
    scrapeMetrics() {
      cp.metrics.scrape();
    },
    onStoreEvent: (listener) => cp.store.subscribe(listener),
    restart: () => server.restart(),
    async stop() {
      if (stopped) return;
      stopped = true;
      cp.stop();
      await server.stop();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
