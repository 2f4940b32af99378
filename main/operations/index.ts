import { createActivityLog, type ActivityLog, type ClusterScope } from '../store/activity-log';
import { clusterIdentity } from './cluster-identity';
import type { SessionPort } from './session-port';
import type { EventBus } from '../transport/event-bus';
import type { Handlers } from '../transport/dispatch';
import type { SettingsService } from '../store/settings';
import type { KeyValueStore } from '../store/key-value-store';
import { setAutoscaler } from './autoscaler';
import { planMemoryLimit, setMemoryLimit } from './memory-limit';
import { setReplicas } from './replicas';
import { restart } from './restart';
import { followPending } from './follow-from-cluster';
import { memoryDefaults, setMemoryDefault } from './memory-default';
import { DEFAULT_TRACKING, type TrackingOptions } from './rollout-progress';
import { start } from './start';
import { undo } from './undo';
import { setWorkers } from './workers';
import { WriteGuard } from './write-guard';

/**
 * The operations that change a cluster, and the activity log that remembers them. Each change is
 * logged (on disk) before it is sent; each handler answers as soon as the cluster accepted the
 * write; the rollout is followed in the background and reported as `operation` events, its
 * outcome written back to the activity entry. When a session goes live, the entries its cluster
 * still has pending (left by a run that was closed or killed) are judged from the cluster.
 */

export type OperationHandlers = Pick<
  Handlers,
  | 'process.setReplicas'
  | 'process.setWorkers'
  | 'process.setAutoscaler'
  | 'app.restart'
  | 'app.start'
  | 'activity.list'
  | 'activity.undo'
  | 'process.planMemoryLimit'
  | 'process.setMemoryLimit'
  | 'namespace.memoryDefaults'
  | 'namespace.setMemoryDefault'
>;

export interface OperationsDeps {
  /** null when not connected: every change is refused with NOT_CONNECTED. */
  session: () => SessionPort | null;
  store: KeyValueStore;
  bus: EventBus;
  settings: SettingsService;
  /** How rollouts are followed (tests shorten these). */
  tracking?: Partial<TrackingOptions>;
  /** Entries kept in the activity log (default 1000). */
  activityCap?: number;
}

/** What every operation is given: the session of the moment, the log, the bus, the settings. */
export interface OperationContext {
  session: () => SessionPort | null;
  store: KeyValueStore;
  bus: EventBus;
  settings: SettingsService;
  log: ActivityLog;
  tracking: TrackingOptions;
  /** Decides, for every replica and worker write, whether it would overwrite someone's change. */
  guard: WriteGuard;
  /** Activity entries being followed in this process: not judged again on a new connection. */
  following: Set<string>;
}

export function createOperations(deps: OperationsDeps): OperationHandlers {
  const ctx: OperationContext = {
    session: deps.session,
    store: deps.store,
    bus: deps.bus,
    settings: deps.settings,
    // Written as each change happens, small appends to a file of its own: store/activity-log.ts.
    log: createActivityLog(
      deps.store,
      deps.bus,
      deps.activityCap === undefined ? {} : { cap: deps.activityCap },
    ),
    tracking: { ...DEFAULT_TRACKING, ...deps.tracking },
    guard: new WriteGuard(),
    following: new Set(),
  };

  /** The cluster of the session connected last in this process: listed while disconnected. */
  let lastScope: ClusterScope | null = null;
  const scopeNow = (): ClusterScope | null => {
    const session = deps.session();
    if (session) {
      lastScope = { cluster: clusterIdentity(session.kubeConfig), context: session.contextName };
    }
    return lastScope;
  };
  /** Each time a session goes live (again): entries already followed here are left alone. */
  const judgePending = (): void => {
    const session = deps.session();
    if (!session) return;
    scopeNow();
    void followPending(ctx, session);
  };
  deps.bus.on('connection', (connection) => {
    if (connection.state === 'live') judgePending();
  });
  // Made with a session already live (tests, tools): judged now, as no `live` event will come.
  judgePending();

  return {
    'process.setReplicas': (input) => setReplicas(ctx, input),
    'process.setWorkers': (input) => setWorkers(ctx, input),
    'process.setAutoscaler': (input) => setAutoscaler(ctx, input),
    'app.restart': (input) => restart(ctx, input),
    'app.start': (input) => start(ctx, input),
    // Before any connection in this process: nothing, rather than another cluster's entries.
    'activity.list': async (input) => ctx.log.list(scopeNow(), input.limit),
    'activity.undo': (input) => undo(ctx, input.id),
    'process.planMemoryLimit': (input) => planMemoryLimit(ctx, input),
    'process.setMemoryLimit': (input) => setMemoryLimit(ctx, input),
    'namespace.memoryDefaults': (input) => memoryDefaults(ctx, input),
    'namespace.setMemoryDefault': (input) => setMemoryDefault(ctx, input),
  };
}
