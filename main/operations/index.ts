import { createActivityLog, type ActivityLog } from '../store/activity-log';
import type { SessionPort } from './session-port';
import type { EventBus } from '../transport/event-bus';
import type { Handlers } from '../transport/dispatch';
import type { SettingsService } from '../store/settings';
import type { KeyValueStore } from '../store/key-value-store';
import { setReplicas } from './replicas';
import { restart } from './restart';
import { DEFAULT_TRACKING, type TrackingOptions } from './rollout-progress';
import { start } from './start';
import { undo } from './undo';
import { setWorkers } from './workers';
import { WriteGuard } from './write-guard';

/**
 * The operations that change a cluster, and the activity log that remembers them. Each handler
 * answers as soon as the cluster accepted the write; the rollout is followed in the background
 * and reported as `operation` events, its outcome written back to the activity entry.
 */

export type OperationHandlers = Pick<
  Handlers,
  | 'process.setReplicas'
  | 'process.setWorkers'
  | 'app.restart'
  | 'app.start'
  | 'activity.list'
  | 'activity.undo'
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
}

/**
 * The activity log is written this long after a change: the write (~6 ms with a full log) would
 * otherwise come between the cluster's answer and the handler's, and before the model sees the
 * change (see docs/performance.md). Pending changes are written at exit.
 */
export const ACTIVITY_WRITE_BEHIND_MS = 100;

export function createOperations(deps: OperationsDeps): OperationHandlers {
  const ctx: OperationContext = {
    session: deps.session,
    store: deps.store,
    bus: deps.bus,
    settings: deps.settings,
    log: createActivityLog(deps.store, deps.bus, {
      writeBehindMs: ACTIVITY_WRITE_BEHIND_MS,
      ...(deps.activityCap === undefined ? {} : { cap: deps.activityCap }),
    }),
    tracking: { ...DEFAULT_TRACKING, ...deps.tracking },
    guard: new WriteGuard(),
  };
  return {
    'process.setReplicas': (input) => setReplicas(ctx, input),
    'process.setWorkers': (input) => setWorkers(ctx, input),
    'app.restart': (input) => restart(ctx, input),
    'app.start': (input) => start(ctx, input),
    'activity.list': async (input) => ctx.log.list(input.limit),
    'activity.undo': (input) => undo(ctx, input.id),
  };
}
