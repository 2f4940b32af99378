import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { createBigApp } from './big-app';
import { measureBigCluster } from './big-cluster';
import { describeMachine } from './machine';
import { measureManyNamespaces } from './many-namespaces';
import { table, toJson, type Figures } from './report';
import { startSandboxProcess } from './sandbox-process';
import { measureScaleTab } from './scale-tab';
import { summarize } from './stats';
import { ACTIVITY_LOG_ENTRIES, measureWrites } from './writes';

/**
 * `npm run bench -- [--json PATH] [--quick] [--renderer DIR]`
 *
 * ScaleDesk against kubectl and the wire on the same sandbox cluster, and against sandboxes of
 * 1,000 apps and of 5,000 apps over 2,000 namespaces; see docs/performance.md for what each
 * figure means. Every sandbox runs in a process
 * of its own. --quick takes one or a few samples of each, as a smoke run (not figures to quote).
 * --renderer serves an already built renderer instead of building one into a temporary folder.
 */

const USAGE = 'usage: npm run bench -- [--json PATH] [--quick] [--renderer DIR]';

function log(message: string): void {
  console.error(`bench: ${message}`);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        json: { type: 'string' },
        quick: { type: 'boolean' },
        renderer: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const quick = values.quick ?? false;
  const machine = describeMachine();
  const began = performance.now();
  log(
    `${machine.cpu_model}, ${machine.cpu_cores} cores, ${machine.memory_gib} GiB, Node ${machine.node}, ` +
      `commit ${machine.git_commit.slice(0, 12)}${machine.git_dirty ? ' (with uncommitted changes)' : ''}, ` +
      `load ${machine.load_average_1m}${quick ? ', quick run' : ''}`,
  );

  // One sandbox (the demo seed and the 10 x 10 app) for the writes and the renderer.
  const sandbox = await startSandboxProcess({ metricsIntervalMs: 1000, readyDelayMs: 200 });
  let writes;
  let ui;
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(sandbox.kubeconfigPath);
    await createBigApp(kubeConfig);
    log('set replicas: ScaleDesk, the wire, kubectl; restart');
    writes = await measureWrites({
      kubeconfigPath: sandbox.kubeconfigPath,
      warmup: quick ? 1 : 3,
      rounds: quick ? 3 : 30,
    });
    log('the Scale tab and Save in Chromium');
    ui = await measureScaleTab({
      kubeconfigPath: sandbox.kubeconfigPath,
      warmup: quick ? 1 : 2,
      renders: quick ? 3 : 15,
      clicks: quick ? 3 : 30,
      externalChanges: { sandbox, warmup: quick ? 1 : 2, changes: quick ? 3 : 15 },
      ...(values.renderer ? { rendererDir: path.resolve(values.renderer) } : {}),
    });
  } finally {
    await sandbox.stop();
  }

  log('1,000 apps: first sync, memory, idle requests');
  const metricsIntervalSeconds = quick ? 1 : 2;
  const big = await measureBigCluster({
    apps: 1000,
    warmup: quick ? 0 : 1,
    runs: quick ? 1 : 3,
    metricsIntervalSeconds,
    idleTicks: quick ? 5 : 10,
  });

  // --quick seeds a fifth of the cluster (as wide per namespace), so the smoke run stays quick;
  // its figures are not the 5,000-app ones.
  const wideApps = quick ? 1000 : 5000;
  const wideNamespaces = quick ? 400 : 2000;
  log(`${wideApps} apps over ${wideNamespaces} namespaces: first sync, memory, access reviews`);
  const wide = await measureManyNamespaces({
    apps: wideApps,
    namespaces: wideNamespaces,
    warmup: quick ? 0 : 1,
    runs: quick ? 1 : 3,
    metricsIntervalSeconds,
  });

  const figures: Figures = {
    scaleRoundtrip: summarize(writes.scaleRoundtrip),
    scaleAnswered: summarize(writes.scaleAnswered),
    wire: summarize(writes.wire),
    watchAfterResponse: summarize(writes.watchAfterResponse),
    kubectl: summarize(writes.kubectl),
    restart: summarize(writes.restartRoundtrip),
    firstSync: summarize(big.firstSyncMs),
    rssMiB: big.rssMiB,
    heapUsedMiB: big.heapUsedMiB,
    sandboxRssMiB: big.sandboxRssMiB,
    connectRequests: big.connectRequests,
    apps: big.apps,
    namespacesWithApps: big.namespacesWithApps,
    idle: big.idle,
    benchMetricsIntervalSeconds: metricsIntervalSeconds,
    render: summarize(ui.renderMs),
    clickFeedback: summarize(ui.clickFeedbackMs),
    externalChange: summarize(ui.externalChangeMs),
    wide: { ...wide, firstSync: summarize(wide.firstSyncMs) },
    historySamples: ui.historySamples,
    activityLogEntries: ACTIVITY_LOG_ENTRIES,
  };
  console.log(table(figures));
  console.log(
    `\n${machine.cpu_model}, ${machine.cpu_cores} cores, ${machine.memory_gib} GiB; Node ${machine.node}; ` +
      `commit ${machine.git_commit}${machine.git_dirty ? ' + uncommitted changes' : ''}; ` +
      `load average ${machine.load_average_1m} at the start; ${Math.round((performance.now() - began) / 1000)} s.`,
  );
  if (values.json) {
    const file = path.resolve(values.json);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(toJson(figures, machine, quick), null, 2)}\n`);
    log(`figures written to ${file}`);
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
