import type { BigClusterFigures } from './big-cluster';
import type { Machine } from './machine';
import type { ManyNamespacesFigures } from './many-namespaces';
import { round, summarize, type Summary } from './stats';

/** The figures of one run: the JSON the issue names, the table printed, and the targets. */

export interface Figures {
  scaleRoundtrip: Summary;
  scaleAnswered: Summary;
  wire: Summary;
  watchAfterResponse: Summary;
  kubectl: Summary;
  restart: Summary;
  firstSync: Summary;
  rssMiB: number;
  heapUsedMiB: number;
  sandboxRssMiB: number;
  apps: number;
  namespacesWithApps: number;
  connectRequests: Record<string, number>;
  idle: BigClusterFigures['idle'];
  benchMetricsIntervalSeconds: number;
  render: Summary;
  clickFeedback: Summary;
  externalChange: Summary;
  wide: ManyNamespacesFigures & { firstSync: Summary };
  historySamples: number;
  activityLogEntries: number;
}

/** The default metrics interval (settings): what "per minute" is reckoned at. */
export const DEFAULT_INTERVAL_SECONDS = 15;

export interface Target {
  name: string;
  goal: string;
  actual: string;
  met: boolean;
}

export function targets(f: Figures): Target[] {
  const watchDelivery = Math.max(0, f.watchAfterResponse.p50);
  const scaleLimit = 1.5 * f.wire.p50 + watchDelivery;
  const idleBudgetPerInterval = f.namespacesWithApps;
  return [
    {
      name: 'scale_roundtrip_ms_p50 vs the wire',
      goal: `<= 1.5 x wire ${round(f.wire.p50)} + watch delivery ${round(watchDelivery)} = ${round(scaleLimit)} ms`,
      actual: `${round(f.scaleRoundtrip.p50)} ms`,
      met: f.scaleRoundtrip.p50 <= scaleLimit,
    },
    {
      name: 'scale_roundtrip_ms_p50 vs kubectl',
      goal: '>= 5x faster than kubectl scale',
      actual: `${round(f.kubectl.p50 / f.scaleRoundtrip.p50)}x`,
      met: f.kubectl.p50 / f.scaleRoundtrip.p50 >= 5,
    },
    {
      name: 'first_sync_ms_1000_apps',
      goal: '< 2000 ms',
      actual: `${round(f.firstSync.p50)} ms`,
      met: f.firstSync.p50 < 2000,
    },
    {
      name: 'main_rss_mib_1000_apps',
      goal: '< 250 MiB',
      actual: `${round(f.rssMiB)} MiB`,
      met: f.rssMiB < 250,
    },
    {
      name: 'idle_requests_per_min_1000_apps',
      goal: `<= 1 per watched namespace per interval (${idleBudgetPerInterval} namespaces: ${idleBudgetPerInterval * (60 / DEFAULT_INTERVAL_SECONDS)}/min)`,
      actual: `${round(f.idle.perInterval)} per interval = ${round(idlePerMinute(f))}/min`,
      met: f.idle.perInterval <= idleBudgetPerInterval,
    },
    {
      name: 'first_sync_ms_5000_apps',
      goal: '< 2000 ms',
      actual: `${round(f.wide.firstSync.p50)} ms (${f.wide.apps} apps, ${f.wide.namespaces} namespaces)`,
      met: f.wide.firstSync.p50 < 2000,
    },
    {
      name: 'main_rss_mib_5000_apps',
      goal: '< 300 MiB',
      actual: `${round(f.wide.rssMiB)} MiB`,
      met: f.wide.rssMiB < 300,
    },
    {
      name: 'viewer_access_reviews_5000_apps',
      goal: '<= 50',
      actual: `${f.wide.viewerAccessReviews}`,
      met: f.wide.viewerAccessReviews <= 50,
    },
    {
      name: 'scale_tab_render_ms',
      goal: '< 150 ms',
      actual: `${round(f.render.p50)} ms`,
      met: f.render.p50 < 150,
    },
    {
      name: 'click_feedback_ms_p95',
      goal: '< 50 ms',
      actual: `${round(f.clickFeedback.p95)} ms`,
      met: f.clickFeedback.p95 < 50,
    },
    {
      name: 'external_change_to_screen_ms_p50',
      goal: '< 100 ms',
      actual: `${round(f.externalChange.p50)} ms`,
      met: f.externalChange.p50 < 100,
    },
  ];
}

export function idlePerMinute(f: Figures): number {
  return f.idle.perInterval * (60 / DEFAULT_INTERVAL_SECONDS);
}

export function toJson(f: Figures, machine: Machine, quick: boolean): Record<string, unknown> {
  return {
    scale_roundtrip_ms_p50: round(f.scaleRoundtrip.p50),
    scale_roundtrip_ms_p95: round(f.scaleRoundtrip.p95),
    wire_scale_ms_p50: round(f.wire.p50),
    kubectl_scale_ms_p50: round(f.kubectl.p50),
    restart_roundtrip_ms_p50: round(f.restart.p50),
    first_sync_ms_1000_apps: round(f.firstSync.p50),
    main_rss_mib_1000_apps: round(f.rssMiB),
    idle_requests_per_min_1000_apps: round(idlePerMinute(f)),
    scale_tab_render_ms: round(f.render.p50),
    click_feedback_ms_p95: round(f.clickFeedback.p95),
    first_sync_ms_5000_apps: round(f.wide.firstSync.p50),
    main_rss_mib_5000_apps: round(f.wide.rssMiB),
    viewer_access_reviews_5000_apps: f.wide.viewerAccessReviews,
    external_change_to_screen_ms_p50: round(f.externalChange.p50),
    machine: {
      cpu_model: machine.cpu_model,
      cpu_cores: machine.cpu_cores,
      memory_gib: machine.memory_gib,
      os: machine.os,
      load_average_1m_at_start: machine.load_average_1m,
    },
    node: machine.node,
    git_commit: machine.git_commit,
    git_dirty: machine.git_dirty,
    started_at: machine.started_at,
    quick,
    details: {
      scale_roundtrip_ms: rounded(f.scaleRoundtrip),
      scale_answered_ms: rounded(f.scaleAnswered),
      wire_scale_ms: rounded(f.wire),
      watch_delivery_after_response_ms: rounded(f.watchAfterResponse),
      kubectl_scale_ms: rounded(f.kubectl),
      restart_roundtrip_ms: rounded(f.restart),
      scale_vs_wire: round(f.scaleRoundtrip.p50 / f.wire.p50),
      kubectl_vs_scale: round(f.kubectl.p50 / f.scaleRoundtrip.p50),
      activity_log_entries: f.activityLogEntries,
      apps: f.apps,
      namespaces_with_apps: f.namespacesWithApps,
      first_sync_ms: rounded(f.firstSync),
      heap_used_mib_1000_apps: round(f.heapUsedMiB),
      sandbox_rss_mib_not_counted: round(f.sandboxRssMiB),
      connect_requests_by_verb: f.connectRequests,
      idle: {
        bench_metrics_interval_s: f.benchMetricsIntervalSeconds,
        window_ms: round(f.idle.windowMs),
        metrics_ticks: f.idle.ticks,
        requests: f.idle.requests,
        by_verb: f.idle.byVerb,
        per_interval: round(f.idle.perInterval),
        per_min_at_default_interval: round(idlePerMinute(f)),
        default_interval_s: DEFAULT_INTERVAL_SECONDS,
      },
      scale_tab_render_ms: rounded(f.render),
      click_feedback_ms: rounded(f.clickFeedback),
      history_samples_filled: f.historySamples,
      external_change_to_screen_ms: rounded(f.externalChange),
      many_namespaces: {
        apps: f.wide.apps,
        namespaces: f.wide.namespaces,
        namespaces_with_apps: f.wide.namespacesWithApps,
        first_sync_ms: rounded(f.wide.firstSync),
        heap_used_mib: round(f.wide.heapUsedMiB),
        connect_requests_by_verb: f.wide.connectRequests,
        viewer_first_sync_ms:
          f.wide.viewerFirstSyncMs === null ? null : round(f.wide.viewerFirstSyncMs),
        viewer_requests_by_verb: f.wide.viewerRequests,
        sandbox_start_ms_not_counted: round(f.wide.sandboxStartMs),
        sandbox_rss_mib_not_counted: round(f.wide.sandboxRssMiB),
      },
    },
    targets: targets(f),
  };
}

function rounded(s: Summary): Summary {
  return { n: s.n, p50: round(s.p50), p95: round(s.p95), min: round(s.min), max: round(s.max) };
}

function cell(value: number): string {
  return Number.isFinite(value) ? String(round(value)) : '-';
}

/** The table as Markdown (printed, and pasted into docs/performance.md). */
export function table(f: Figures): string {
  const ms = (label: string, v: Summary): string[] => [
    label,
    'ms',
    cell(v.p50),
    cell(v.p95),
    `${v.n}`,
  ];
  const rows: string[][] = [
    ms('Set replicas, ScaleDesk: call until its own model shows it', f.scaleRoundtrip),
    ms('… of which: call until the handler answered', f.scaleAnswered),
    ms('Set replicas, the wire: one PATCH of deployments/scale', f.wire),
    ms('… then the watch delivers it (after the response)', f.watchAfterResponse),
    ms('Set replicas, `kubectl scale` (wall time of the process)', f.kubectl),
    ms('Restart, ScaleDesk: call until the model shows the new rollout', f.restart),
    ms(`First sync, ${f.apps} apps`, f.firstSync),
    [`Main-process RSS holding ${f.apps} apps live`, 'MiB', cell(f.rssMiB), '', '1'],
    [
      `Idle API requests, ${f.apps} apps (at the default 15 s interval)`,
      'per min',
      cell(idlePerMinute(f)),
      '',
      `${f.idle.ticks} intervals`,
    ],
    ms('Scale tab drawn: 10 processes × 10 replicas, 24 h of history', f.render),
    ms('Click on Save until the pending state is on screen', f.clickFeedback),
    ms(
      `First sync, ${f.wide.apps} apps in ${f.wide.namespaces} namespaces (all namespaces)`,
      f.wide.firstSync,
    ),
    [`Main-process RSS holding ${f.wide.apps} apps live`, 'MiB', cell(f.wide.rssMiB), '', '1'],
    [
      `Access reviews, a read-only user's first sync over ${f.wide.namespaces} namespaces`,
      'requests',
      String(f.wide.viewerAccessReviews),
      '',
      '1',
    ],
    ms('`kubectl scale` until the Scale tab shows it (from the write)', f.externalChange),
  ];
  const lines = [
    '| Measurement | Unit | p50 | p95 | n |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Ratios: ScaleDesk / wire = ${cell(f.scaleRoundtrip.p50 / f.wire.p50)}; kubectl / ScaleDesk = ${cell(f.kubectl.p50 / f.scaleRoundtrip.p50)}.`,
    '',
    '| Target | Goal | Measured | Met |',
    '| --- | --- | --- | :---: |',
    ...targets(f).map((t) => `| ${t.name} | ${t.goal} | ${t.actual} | ${t.met ? 'yes' : 'NO'} |`),
  ];
  return lines.join('\n');
}

export { summarize };
