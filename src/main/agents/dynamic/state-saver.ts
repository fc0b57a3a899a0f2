/**
 * Saves a DynamicAgent's `state` (reported by the sandbox after every call that changed it) to the
 * durable tier, coalescing bursts: at most one write per `delayMs`, the newest state wins, and
 * `flush()` writes what is pending (at stop, before a restart reads it back). A saver starts held:
 * an agent being tried out (create, replace) must not overwrite the state of the one still running
 * under its name until it is accepted (`activate()`).
 */
import type { Persistence } from '../../persistence/persistence.js';

/** Durable key (SQLite) of a DynamicAgent's state, per agent name. */
export const AGENT_STATE_KEY = 'durable:dynamic_agent_state';

export class StateSaver {
  private pending: Record<string, unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private held = true;

  constructor(
    private readonly persistence: Persistence,
    private readonly agent: string,
    private readonly onError: (message: string) => void,
    private readonly delayMs = 100,
  ) {}

  static load(persistence: Persistence, agent: string): Promise<Record<string, unknown> | undefined> {
    return persistence.recall<Record<string, unknown>>(agent, AGENT_STATE_KEY);
  }

  save(state: Record<string, unknown>): void {
    this.pending = state;
    if (!this.held && !this.timer) this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** From now on states are written (the agent was accepted). */
  activate(): void {
    this.held = false;
    if (this.pending && !this.timer) this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Drops what is pending and writes nothing more (the agent was refused or deleted). */
  discard(): void {
    this.held = true;
    this.pending = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held || !this.pending) return this.writing;
    const state = this.pending;
    this.pending = undefined;
    this.writing = this.writing.then(() =>
      this.persistence.persist(this.agent, AGENT_STATE_KEY, state).catch((e: unknown) => this.onError(`could not save the agent's state: ${(e as Error).message}`)),
    );
    return this.writing;
  }
}
