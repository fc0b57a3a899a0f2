/**
 * Waiting for the fleet to answer. The registry calls `notify()` after every ack, heartbeat and
 * migration result it takes; a caller waiting for one (a spawn's ack, a finished move, a node's
 * new key) re-checks its condition then — no polling — and gives up after its deadline, when it
 * answers "queued" or "in progress" instead (the node may still do it later).
 */
export class NodeChanges {
  private readonly listeners = new Set<() => void>();

  /** Something changed: every waiter re-checks. */
  notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves with `check()`'s first defined value, re-checked on every notify(); `check()` once more after `ms`. */
  waitFor<T>(check: () => T | undefined, ms: number): Promise<T | undefined> {
    const now = check();
    if (now !== undefined || ms <= 0) return Promise.resolve(now);
    return new Promise<T | undefined>((resolve) => {
      const listener = (): void => {
        const v = check();
        if (v === undefined) return;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        resolve(check());
      }, ms);
      this.listeners.add(listener);
    });
  }
}
