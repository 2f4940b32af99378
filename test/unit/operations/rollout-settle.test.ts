import { KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App, Pod } from '../../../shared/app-model';
import { DEFAULT_TRACKING, trackOperation } from '../../../main/operations/rollout-progress';
import type { SessionPort } from '../../../main/operations/session-port';
import { createActivityLog, type ActivityLog } from '../../../main/store/activity-log';
import { createConfStore } from '../../../main/store/conf-store';
import { EventBus } from '../../../main/transport/event-bus';
import { makeApp, makePod, makeProcess } from '../../fixtures/app-model';
import { useStoreFile } from '../../fixtures/store-file';

/**
 * A change is done only once its new pods have stayed ready for the settle time; a new pod
 * OOMKilled before then (or while the change is still followed) fails it. Timers are fake: the
 * settle's 30 s pass in no time.
 */

const SETTLE_MS = 30_000;
const temp = useStoreFile('scaledesk-settle-');

/** shop-web rolled out at `generation` with 2 replicas of gunicorn at `workers`, all available. */
function rolledOut(workers = 6, generation = 2): V1Deployment {
  return {
    metadata: { name: 'shop-web', namespace: 'team-a', generation },
    spec: {
      replicas: 2,
      selector: {},
      template: {
        spec: {
          containers: [{ name: 'web', command: ['gunicorn', 'app', '--workers', String(workers)] }],
        },
      },
    },
    status: {
      observedGeneration: generation,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    },
  };
}

function appWith(pods: Pod[]): App {
  const web = makeProcess({
    name: 'web',
    replicas: {
      desired: pods.length,
      ready: pods.length,
      updated: pods.length,
      available: pods.length,
    },
    pods,
  });
  // No endpoint to wait for: the ready pods are all there is to check.
  return makeApp({ processes: [web], workspace: null, endpoint: null });
}

const newPods = (overrides: Partial<Pod> = {}): Pod[] => [
  makePod({ name: 'shop-web-new-1', ...overrides }),
  makePod({ name: 'shop-web-new-2' }),
];

interface Followed {
  log: ActivityLog;
  id: string;
  /** The model's next update of the app (and of its workload, where given). */
  update(app: App, workload?: V1Deployment): void;
  result(): string | undefined;
  message(): string | null | undefined;
}

function follow(app: App, podsBefore: string[], settleMs = SETTLE_MS): Followed {
  const bus = new EventBus();
  const log = createActivityLog(createConfStore(temp.file), bus);
  const entry = log.begin(
    {
      context: 'sandbox',
      namespace: 'team-a',
      app: 'shop',
      process: 'web',
      kind: 'workers',
      from: 4,
      to: 6,
      command: 'kubectl patch deployment/shop-web',
    },
    {
      cluster: 'https://sandbox.test',
      targets: [],
      doneMessage: 'web runs 6 workers per replica.',
    },
  );
  log.accept(entry.id, {});
  let current = app;
  let workload = rolledOut();
  const listeners = new Set<(app: App | undefined) => void>();
  const session: SessionPort = {
    kubeConfig: new KubeConfig(),
    contextName: 'sandbox',
    getApp: () => current,
    getWorkload: () => workload,
    onAppChange: (_id, listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    probeEndpoint: async () => {},
  };
  void trackOperation({
    session,
    current: () => true,
    kubeConfig: session.kubeConfig,
    bus,
    log,
    operationId: 'op-1',
    announce: true,
    activityId: entry.id,
    appId: app.id,
    namespace: 'team-a',
    process: 'web',
    workloads: [
      {
        process: 'web',
        kind: 'Deployment',
        deployment: 'shop-web',
        generation: 2,
        replicas: null,
        podsBefore: new Set(podsBefore),
      },
    ],
    targets: [{ process: 'web', deployment: 'shop-web', workers: 6 }],
    doneMessage: 'web runs 6 workers per replica.',
    options: { ...DEFAULT_TRACKING, recheckMs: 60_000 },
    settleMs,
  });
  return {
    log,
    id: entry.id,
    update(app, next) {
      current = app;
      if (next) workload = next;
      for (const listener of listeners) listener(app);
    },
    result: () => log.get(entry.id)?.result,
    message: () => log.get(entry.id)?.message,
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a change is done once its new pods have stayed ready for the settle time', () => {
  it('stays in progress while the settle time runs, and is done once it has passed', async () => {
    const followed = follow(appWith(newPods()), ['shop-web-old-1', 'shop-web-old-2']);
    await vi.advanceTimersByTimeAsync(SETTLE_MS - 1_000);
    expect(followed.result()).toBe('pending');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(followed.result()).toBe('done');
    expect(followed.message()).toBe('web runs 6 workers per replica.');
  });

  it('fails with "OOMKilled after the change" when a new pod is OOMKilled within it', async () => {
    const followed = follow(appWith(newPods()), ['shop-web-old-1']);
    await vi.advanceTimersByTimeAsync(15_000);
    followed.update(
      appWith(
        newPods({
          restarts: 1,
          lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: null },
        }),
      ),
    );
    expect(followed.result()).toBe('failed');
    expect(followed.message()).toBe(
      "OOMKilled after the change: web's new pod shop-web-new-1 was stopped by its memory limit of 8 GiB.",
    );
    // Nothing later turns it back to done.
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
    expect(followed.result()).toBe('failed');
  });

  it('starts the clock again when a new pod stops being ready', async () => {
    const followed = follow(appWith(newPods()), []);
    await vi.advanceTimersByTimeAsync(20_000);
    followed.update(appWith(newPods({ ready: false })));
    await vi.advanceTimersByTimeAsync(5_000);
    followed.update(appWith(newPods()));
    // 30 s after the first ready it would have been done; the break moved that to 55 s.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(followed.result()).toBe('pending');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(followed.result()).toBe('done');
  });

  it('ends superseded where a later change replaces the count within it', async () => {
    const followed = follow(appWith(newPods()), []);
    await vi.advanceTimersByTimeAsync(10_000);
    followed.update(appWith(newPods()), rolledOut(8, 3));
    expect(followed.result()).toBe('superseded');
    expect(followed.message()).toBe('Superseded by a later change: web now runs 8 workers.');
  });

  it('is done at once where no pod was replaced or added (replicas down)', async () => {
    const before = newPods().map((pod) => pod.name);
    const followed = follow(appWith(newPods()), before);
    await vi.advanceTimersByTimeAsync(0);
    expect(followed.result()).toBe('done');
  });

  it('is done at once with a settle time of 0', async () => {
    const followed = follow(appWith(newPods()), [], 0);
    await vi.advanceTimersByTimeAsync(0);
    expect(followed.result()).toBe('done');
  });
});
