/**
 * One teardown stack for everything a start-up opens (persistence, the bus, the actor system,
 * integrations, HTTP servers). Policy:
 *
 * - **LIFO**: whatever started last closes first (servers before the actors they call, actors
 *   before the bus they publish on, the bus before the database).
 * - **Usable while start-up is in progress**: each step adds its closer as soon as the thing
 *   exists, so a start-up that throws halfway closes exactly what it opened (`await
 *   teardown.close()` in its catch). A closer added while `close()` runs is closed next (it is the
 *   newest); one added after it finished is closed at once: a late step racing a stop leaks nothing.
 * - **Errors are logged, never thrown**: a closer that fails does not keep the others from
 *   running; `close()` always resolves.
 * - **Idempotent**: `close()` returns the same promise every time.
 */

export type TeardownLogger = (level: 'warning', message: string) => void;

type Closer = { name: string; close: () => Promise<void> | void };

export class Teardown {
  private readonly stack: Closer[] = [];
  private closing: Promise<void> | undefined;
  private drained = false;

  constructor(private readonly log: TeardownLogger = () => {}) {}

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Number of closers waiting (for tests and diagnostics). */
  get size(): number {
    return this.stack.length;
  }

  /** Adds a closer (named for the log line when it fails). */
  add(name: string, close: () => Promise<void> | void): void {
    const closer = { name, close };
    if (this.drained) {
      // Everything else is closed already: close this one now (close() then waits for it too).
      this.closing = this.closing!.then(() => this.run(closer));
      return;
    }
    // While closing, the loop in close() picks it up next.
    this.stack.push(closer);
  }

  /** Closes everything, newest first. Resolves when all closers have run (errors logged). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (let c = this.stack.pop(); c; c = this.stack.pop()) await this.run(c);
      this.drained = true;
    })();
    return this.closing;
  }

  private async run(c: Closer): Promise<void> {
    try {
      await c.close();
    } catch (e) {
      this.log('warning', `while stopping ${c.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
