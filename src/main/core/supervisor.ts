/**
 * Restarts crashed actors from their factories (called fresh on every restart), Erlang-style:
 * ONE_FOR_ONE restarts the one that failed (the default), ONE_FOR_ALL every supervised actor,
 * REST_FOR_ONE the failed one and those supervised after it. Each actor may restart `maxRestarts`
 * times within `windowMs`, after `restartDelayMs` growing by `backoffFactor` per recent restart
 * (capped at `maxDelayMs`); past the limit it stays stopped in state `failed`, an alert is raised,
 * and it is never restarted again until someone restarts it explicitly.
 */
import type { Actor } from './actor.js';
import { backoffDelay } from '../base/backoff.js';

export type SupervisionStrategy = 'ONE_FOR_ONE' | 'ONE_FOR_ALL' | 'REST_FOR_ONE';

export interface SupervisionOptions {
  strategy?: SupervisionStrategy;
  maxRestarts?: number;
  windowMs?: number;
  restartDelayMs?: number;
  backoffFactor?: number;
  maxDelayMs?: number;
}

export const DEFAULT_SUPERVISION: Required<SupervisionOptions> = {
  strategy: 'ONE_FOR_ONE',
  maxRestarts: 5,
  windowMs: 60_000,
  restartDelayMs: 1_000,
  backoffFactor: 2,
  maxDelayMs: 30_000,
};

interface Spec {
  name: string;
  factory: () => Actor;
  opts: Required<SupervisionOptions>;
  /** Times (ms) of recent restarts, for the window. */
  restarts: number[];
  restartCount: number;
  pending: NodeJS.Timeout | undefined;
  gaveUp: boolean;
}

/** What the supervisor needs from the system. */
export interface SupervisorHost {
  /** Stops a running actor (not a failure) so that it can be restarted. */
  stopForRestart(name: string): Promise<void>;
  /** Spawns a fresh instance under its name. */
  spawnFresh(actor: Actor): Promise<void>;
  /** The actor exceeded its restart limit. */
  gaveUp(name: string, error: Error, restarts: number): void;
  /** Logs what the supervisor does (restarts are worth seeing). */
  note(name: string, message: string): void;
}

export class Supervisor {
  private readonly specs = new Map<string, Spec>();
  private closed = false;

  constructor(private readonly host: SupervisorHost) {}

  supervise(name: string, factory: () => Actor, opts: SupervisionOptions = {}): void {
    const existing = this.specs.get(name);
    if (existing) clearTimeout(existing.pending);
    this.specs.set(name, {
      name,
      factory,
      opts: { ...DEFAULT_SUPERVISION, ...opts },
      restarts: [],
      restartCount: existing?.restartCount ?? 0,
      pending: undefined,
      gaveUp: false,
    });
  }

  unsupervise(name: string): void {
    const spec = this.specs.get(name);
    if (spec) clearTimeout(spec.pending);
    this.specs.delete(name);
  }

  isSupervised(name: string): boolean {
    return this.specs.has(name);
  }

  names(): string[] {
    return [...this.specs.keys()];
  }

  /** A fresh instance from the factory, with the restart count carried over. */
  create(name: string): Actor {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`${name} is not supervised`);
    const actor = spec.factory();
    if (actor.name !== name) throw new Error(`factory for ${name} made an actor named ${actor.name}`);
    actor.restartCount = spec.restartCount;
    return actor;
  }

  /** Decides what happens after `name` crashed. Returns the delay before the restart, or null when it gave up. */
  onFailure(name: string, error: Error): number | null {
    const spec = this.specs.get(name);
    if (!spec || this.closed || spec.pending) return spec?.pending ? 0 : null;
    const now = Date.now();
    spec.restarts = spec.restarts.filter((t) => now - t < spec.opts.windowMs);
    if (spec.restarts.length >= spec.opts.maxRestarts) {
      spec.gaveUp = true;
      this.host.gaveUp(name, error, spec.restarts.length);
      return null;
    }
    const delay = backoffDelay(spec.restarts.length, { initialMs: spec.opts.restartDelayMs, maxMs: spec.opts.maxDelayMs, factor: spec.opts.backoffFactor });
    spec.restarts.push(now);
    const group = this.groupFor(spec);
    this.host.note(name, `crashed (${error.message}); restarting ${group.join(', ')} in ${delay} ms (${spec.opts.strategy})`);
    spec.pending = setTimeout(() => {
      spec.pending = undefined;
      void this.restartGroup(name, group);
    }, delay);
    return delay;
  }

  /** Explicit restart (a user command): resets the give-up state. */
  async restartNow(name: string): Promise<void> {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`${name} is not supervised`);
    clearTimeout(spec.pending);
    spec.pending = undefined;
    spec.gaveUp = false;
    spec.restarts = [];
    await this.restartGroup(name, [name]);
  }

  close(): void {
    this.closed = true;
    for (const s of this.specs.values()) clearTimeout(s.pending);
  }

  private groupFor(spec: Spec): string[] {
    const order = this.names();
    switch (spec.opts.strategy) {
      case 'ONE_FOR_ALL':
        return order;
      case 'REST_FOR_ONE':
        return order.slice(order.indexOf(spec.name));
      default:
        return [spec.name];
    }
  }

  private async restartGroup(failed: string, group: string[]): Promise<void> {
    if (this.closed) return;
    // Siblings stop in reverse start order, then everything starts again in order.
    for (const name of [...group].reverse()) if (name !== failed) await this.host.stopForRestart(name);
    for (const name of group) {
      const spec = this.specs.get(name);
      if (!spec || this.closed) continue;
      spec.restartCount++;
      try {
        await this.host.spawnFresh(this.create(name));
      } catch (e) {
        this.host.note(name, `restart failed: ${(e as Error).message}`);
      }
    }
  }
}
