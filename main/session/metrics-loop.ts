import type { EventBus } from '../transport/event-bus';

/**
 * When a session samples: one tick per metrics interval, the next timed from the end of the
 * last one (a slow cluster does not pile ticks up), and a new interval in the settings taken up
 * at once rather than after the old interval has run out.
 */

export interface MetricsLoopOptions {
  /** The interval now (it follows the settings). */
  intervalMs(): number;
  /** One sampling; its errors are logged, and the loop goes on. */
  sample(): Promise<void>;
  /** Where the settings changes are announced. */
  bus: EventBus;
}

export class MetricsLoop {
  private timer: NodeJS.Timeout | null = null;
  private lastTickAt = 0;
  /** The interval the pending timer was set for. */
  private scheduledIntervalMs = 0;
  private running: Promise<void> | null = null;
  private offSettings: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly options: MetricsLoopOptions) {}

  /** Follows settings changes from now on; the first tick is `tick()`'s to make. */
  start(): void {
    this.offSettings ??= this.options.bus.on('settings', () => this.reschedule());
  }

  /** Samples now, then at every interval. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // No timer while a tick runs: a new interval set meanwhile is taken up when it ends, rather
    // than a second timer started beside the one the tick's end schedules.
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastTickAt = Date.now();
    const tick = (async () => {
      try {
        await this.options.sample();
      } catch (error) {
        console.error('scaledesk: sampling failed', error);
      }
    })();
    this.running = tick;
    return tick.finally(() => {
      if (!this.stopped) this.schedule(this.options.intervalMs());
    });
  }

  /** No more ticks; resolves when the one running, if any, has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.offSettings?.();
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.scheduledIntervalMs = this.options.intervalMs();
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
  }

  private reschedule(): void {
    const intervalMs = this.options.intervalMs();
    if (this.stopped || !this.timer || intervalMs === this.scheduledIntervalMs) return;
    this.schedule(this.lastTickAt + intervalMs - Date.now());
  }
}
