/**
 * Those waiting for a session's first sync: each is let go at the first sync, when a required
 * watch fails before it (waiting on would only delay the error), when the session stops, or
 * after its own timeout — then it answers with the state there is.
 */
export class FirstSyncWait {
  private waiters: (() => void)[] = [];
  private released = false;

  /** Resolves when released, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.released) return resolve();
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  /** Lets everyone waiting now go; `forGood` also lets every later caller through at once. */
  release(forGood: boolean): void {
    if (forGood) this.released = true;
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
