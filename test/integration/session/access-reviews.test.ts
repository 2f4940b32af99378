import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../shared/app-model';
import { SettingsSchema } from '../../../shared/contract';
import { kubeConfigForContext, loadKubeconfig } from '../../../main/kube/kubeconfig';
import { checkOf, describeCheck } from '../../../main/model/rbac-permissions';
import { startSandbox, type Sandbox } from '../../../main/sandbox';
import { ClusterSession } from '../../../main/session/cluster-session';
import { EventBus } from '../../../main/transport/event-bus';
import { until } from '../../fixtures/services';

/**
 * The real `view` role over many namespaces (the sandbox's `sandbox-view` context, the real
 * client-node over HTTPS): access reviews are asked only for the apps looked at, at most 4 at
 * once, each namespace and check once; a review that fails is "unknown", never "allowed"; and
 * the services proxy's 403 is "cannot check", not the app's answer. Reviews are counted on the
 * sandbox's side: the SelfSubjectAccessReviews it was sent, and how many were open at once.
 */

const NAMESPACES = 40;
const VIEW = 'sandbox-view';

let sandbox: Sandbox;
const sessions: ClusterSession[] = [];

/** SelfSubjectAccessReviews the sandbox received, and the most it was answering at once. */
const reviews = { received: 0, open: 0, maxOpen: 0 };

function onRequest(message: unknown): void {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  if (request.method !== 'POST' || !request.url?.includes('/selfsubjectaccessreviews')) return;
  reviews.received++;
  reviews.open++;
  reviews.maxOpen = Math.max(reviews.maxOpen, reviews.open);
  response.once('close', () => reviews.open--);
}

function viewSession(namespace: string | null): ClusterSession {
  const session = new ClusterSession({
    kubeConfig: kubeConfigForContext(loadKubeconfig([sandbox.kubeconfigPath]), VIEW, [
      sandbox.kubeconfigPath,
    ]),
    contextName: VIEW,
    namespace,
    source: 'kubeconfig',
    kubeconfigPaths: [sandbox.kubeconfigPath],
    bus: new EventBus(),
    settings: () => SettingsSchema.parse({}),
    // No interval during the test: every request seen is one the test set off.
    timing: { metricsIntervalMs: 60 * 60_000 },
  });
  sessions.push(session);
  return session;
}

/** The checks an app's processes need, as `namespace check`, one per workload kind and change. */
function checksOf(app: App): string[] {
  const kinds = new Set(
    [...app.processes, ...(app.workspace ? [app.workspace] : [])].map((p) => p.workloadKind),
  );
  return [...kinds].flatMap((kind) =>
    (['scale', 'patch'] as const).map(
      (change) => `${app.namespace} ${describeCheck(checkOf(kind, change))}`,
    ),
  );
}

beforeAll(async () => {
  diagnostics.subscribe('http.server.request.start', onRequest);
  sandbox = await startSandbox({ readyDelayMs: 100, apps: NAMESPACES * 2, namespaces: NAMESPACES });
});

afterAll(async () => {
  diagnostics.unsubscribe('http.server.request.start', onRequest);
  for (const session of sessions) await session.stop();
  await sandbox?.stop();
});

describe('a view user over many namespaces', () => {
  it('asks no review at its first sync, then only for the apps looked at: each check once, at most 4 at once', async () => {
    const session = viewSession(null);
    expect(await session.start()).toMatchObject({ state: 'live' });
    const apps = await until('every generated app', () => {
      const all = session.listApps();
      return all.filter((a) => a.namespace.startsWith('apps-')).length >= NAMESPACES * 2
        ? all
        : undefined;
    });
    expect(reviews.received).toBe(0);
    expect(apps.every((a) => a.permissions.scale.state === 'unknown')).toBe(true);

    // Every app opened one after the other, at once: what a screen could ask at worst. Each
    // review takes a while, so unbounded they would all be open together.
    sandbox.faults.latencyMs = 30;
    try {
      for (const app of apps) session.historyOf(app.id, '15m', 10);
      const denied = await until(
        'every app to know it may not change anything',
        () => {
          const now = apps.map((a) => session.getApp(a.id)!);
          return now.every(
            (a) => a.permissions.scale.state === 'denied' && a.permissions.patch.state === 'denied',
          )
            ? now
            : undefined;
        },
        30_000,
      );
      // One review per namespace and check, and one cluster-wide per check before them.
      const perNamespace = new Set(apps.flatMap(checksOf));
      const clusterWide = new Set([...perNamespace].map((key) => key.slice(key.indexOf(' ') + 1)));
      // An app with a Deployment and a StatefulSet is denied as soon as one kind is: the other
      // kind's reviews may still be on their way, so the count is read once none is open.
      await until('every review answered', () =>
        reviews.received >= perNamespace.size + clusterWide.size && reviews.open === 0
          ? true
          : undefined,
      );
      expect(reviews.received).toBe(perNamespace.size + clusterWide.size);
      // Bounded by the namespaces looked at (4 checks at most in each), not by the apps.
      const namespaces = new Set(apps.map((a) => a.namespace)).size;
      expect(reviews.received).toBeLessThanOrEqual(4 * (namespaces + 1));
      expect(reviews.received).toBeLessThan(2 * apps.length);
      expect(reviews.maxOpen).toBeLessThanOrEqual(4);
      expect(reviews.maxOpen).toBeGreaterThan(1);
      expect(session.permissions.stats().maxInFlight).toBeLessThanOrEqual(4);

      const first = denied.find((a) => a.namespace === 'apps-01')!;
      expect(first.permissions.scale.reason).toMatch(
        /^You may not patch deployments\/scale in namespace "apps-01"/,
      );

      // Looked at again: the answers are the session's, nothing is asked twice.
      const asked = reviews.received;
      for (const app of apps) session.historyOf(app.id, '15m', 10);
      await session.permissions.require('apps-01', 'Deployment', 'scale');
      expect(reviews.received).toBe(asked);
    } finally {
      sandbox.faults.latencyMs = 0;
    }
  });
});

describe('a view user in one namespace', () => {
  let session: ClusterSession;

  beforeAll(async () => {
    session = viewSession('demo');
    await session.start();
    await until('sales-dash', () => session.getApp('demo/sales-dash'));
  });

  it('cannot check the app endpoint: the proxy refuses it, which is no answer of the app', async () => {
    await session.probeEndpoint('demo/sales-dash');
    const endpoint = session.getApp('demo/sales-dash')?.endpoint;
    expect(endpoint).toMatchObject({
      state: 'cannot-check',
      latencyMs: null,
      errorRate: null,
      message: 'Cannot check this app: you may not use services/proxy in namespace demo.',
    });
  });

  it('leaves a check whose review fails unknown, never allowed, and does not ask again at once', async () => {
    const before = reviews.received;
    sandbox.faults.serverErrorRate = 1;
    let permission;
    try {
      permission = await session.permissions.require('demo', 'StatefulSet', 'scale');
    } finally {
      sandbox.faults.serverErrorRate = 0;
    }
    expect(permission.state).toBe('unknown');
    expect(permission.reason).toMatch(
      /^Could not check whether you may patch statefulsets\/scale in namespace "demo": .+ The cluster will judge the change\.$/,
    );
    expect(reviews.received).toBe(before + 1);

    // Needed again at once: still unknown, and not sent again (no hot loop).
    expect((await session.permissions.require('demo', 'StatefulSet', 'scale')).state).toBe(
      'unknown',
    );
    expect(reviews.received).toBe(before + 1);
  });
});
