import { measureManyNamespaces } from './many-namespaces';
import { summarize } from './stats';

/**
 * The wide-cluster figures alone, for whoever changes what they measure (paged lists, access
 * reviews, the catalog): `npx tsx test/bench/many-namespaces-run.ts [APPS [NAMESPACES [RUNS]]]`
 * (default 5000 apps over 2000 namespaces, 3 runs after a warm-up) prints them as JSON. The full
 * bench (`npm run bench`) takes the same figures with the rest.
 */

async function main(): Promise<void> {
  const [apps = 5000, namespaces = 2000, runs = 3] = process.argv.slice(2).map(Number);
  const figures = await measureManyNamespaces({
    apps,
    namespaces,
    warmup: 1,
    runs,
    metricsIntervalSeconds: 2,
  });
  const firstSync = summarize(figures.firstSyncMs);
  console.log(
    JSON.stringify(
      {
        first_sync_ms_p50: Math.round(firstSync.p50),
        main_rss_mib: Math.round(figures.rssMiB),
        viewer_access_reviews: figures.viewerAccessReviews,
        ...figures,
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
