/**
 * One operation per agent name at a time (the DynamicAgent service's invariant): create, deploy,
 * rollback, delete, a spawn spec's placement and a restore of one name queue behind each other, so
 * none sees the registry or the running actor half-changed by another. Operations on different
 * names run side by side. A failed operation does not block the next one.
 */
export class NameLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier operation on `name` has settled. */
  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.tails.set(name, tail);
    try {
      return await run;
    } finally {
      // The map holds only names with work queued: a hub with thousands of agents keeps none idle.
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}
