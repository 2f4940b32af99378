/**
 * A controller's queue of keys to reconcile, as client-go's workqueue: a key added many times
 * before it is processed is processed once, and processing happens in a later turn of the
 * event loop so a burst of store changes becomes one pass.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly process: (key: string) => void,
    private readonly onError: (key: string, error: unknown) => void = (key, error) => {
      console.error(`sandbox controller failed on ${key}:`, error);
    },
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Processes everything queued now (and what that queues), synchronously. */
  drain(): void {
    this.scheduled = false;
    let rounds = 0;
    while (this.pending.size > 0 && !this.stopped && rounds++ < 50) {
      const keys = [...this.pending];
      this.pending.clear();
      for (const key of keys) {
        try {
          this.process(key);
        } catch (error) {
          this.onError(key, error);
        }
      }
    }
    if (this.pending.size > 0 && !this.stopped && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  get size(): number {
    return this.pending.size;
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }
}

export function nsKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
