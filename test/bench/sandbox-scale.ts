import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSandbox } from '../../main/sandbox';

/**
 * The sandbox at scale: `npx tsx --expose-gc test/bench/sandbox-scale.ts [APPS [NAMESPACES]]`
 * (default 1000 apps, 50 to a namespace) starts a sandbox with that many generated apps beside
 * the demo seed (spread over NAMESPACES when given), and reports how long
 * the start takes, how long full lists of deployments and pods take through client-node
 * (median of 5), and the sandbox's memory (heap after GC, and the process RSS).
 */

const MIB = 1024 * 1024;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const apps = Number(process.argv[2] ?? 1000);
  const namespaces = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const sandbox = await startSandbox({ apps, namespaces });
  const startMs = performance.now() - started;
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const rss = process.memoryUsage().rss;

  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  const appsApi = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const deployments = (await appsApi.listDeploymentForAllNamespaces()).items.length;
  const pods = (await core.listPodForAllNamespaces()).items.length;
  const listDeploymentsMs = await median(5, () => appsApi.listDeploymentForAllNamespaces());
  const listPodsMs = await median(5, () => core.listPodForAllNamespaces());
  await sandbox.stop();

  const result = {
    apps,
    namespaces,
    deployments,
    pods,
    startMs: Math.round(startMs),
    listDeploymentsMs: Math.round(listDeploymentsMs),
    listPodsMs: Math.round(listPodsMs),
    sandboxHeapMiB: Math.round((heapAfter - heapBefore) / MIB),
    processRssMiB: Math.round(rss / MIB),
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
