/**
 * Bringing the registered agents back after a start, so that a thousand of them are back within
 * seconds and the hub serves meanwhile (the DynamicAgent service's restore):
 *
 * - WINDOWED: at most `concurrency` agents are starting at any moment; the others wait their turn
 *   in registry order. Every start is a burst of work (an engine booted in a sandbox worker, the
 *   code loaded, setup run, the manifest published); the window bounds how many are half-started
 *   at once (their start-up state held together) on a hub with thousands. It is wide by default
 *   (256): a narrow window sends the sandbox its starts one by one, and each costs more so — a
 *   round trip of its own, and V8's external-memory GCs of the sandbox worker (one per ~8 engine
 *   memories made apart; the worker now makes them 32 at a time, sandbox-worker.mjs). Measured on
 *   300 agents (bench/scale.bench.ts, loaded 2-core machine): a window of 16 cost 1.3–1.6x the CPU
 *   of 256 before that, ~1.15–1.25x after; no memory is saved either way (with the pooled sandbox
 *   the restore's RSS peak is the steady state's). The sandbox boots what it is sent in rounds of 8
 *   between turns, so agents answer while the rest boot even with the wide window.
 * - ON DEMAND FIRST: an agent something asks for while it still waits jumps the line, and the task
 *   waits for it (within the asker's own timeout) instead of failing `not_found` — the queue
 *   registers itself as a RemoteActors resolver (core/remote-actors.ts), which the actor system
 *   consults only for names no running actor has.
 * - OBSERVABLE: `progress()` (total, restored, failed, pending) for GET /health and the retained
 *   `system/restore` topic (src/shared/mqtt-payloads.ts, restoreProgressSchema); `onProgress` is
 *   told at every change and the owner decides how often to publish.
 * - STOPPABLE: `stop()` (hub shutdown) starts nothing more; agents still waiting are left for the
 *   next start.
 *
 * The queue knows names only: what restoring one means (the registry entry, its spawn type, the
 * lock on its name) is the service's `start(name)`.
 */
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { AskError, toError } from '../../core/errors.js';
import { makeMessage } from '../../core/message-factory.js';
import type { RemoteActors } from '../../core/remote-actors.js';

/** What restoring one agent came to: back, or nothing to do (it was running already, or lives on a node). */
export type RestoreOutcome = 'restored' | 'skipped';

export interface RestoreReport {
  restored: string[];
  failed: { name: string; error: string }[];
  /** Still waiting or starting when the report was made. */
  pending: string[];
}

export interface RestoreQueueOptions {
  /** Restores one agent; rejects when it could not be brought back (the message is reported). */
  start: (name: string) => Promise<RestoreOutcome>;
  /** Agents starting at once (default 256). */
  concurrency?: number;
  /** Called after every change of `progress()`. */
  onProgress?: (progress: RestoreProgress) => void;
  now?: () => number;
}

type Phase = 'waiting' | 'starting' | 'restored' | 'skipped' | 'failed' | 'stopped';

interface Item {
  name: string;
  phase: Phase;
  error?: string;
  done: Promise<void>;
  settle: () => void;
}

export const DEFAULT_RESTORE_CONCURRENCY = 256;
/** How long a message nobody waits for is held for an agent still being restored. */
const TELL_WAIT_MS = 30_000;

export class RestoreQueue {
  private readonly items = new Map<string, Item>();
  private readonly byId = new Map<string, string>();
  /** Registry order; `next` is the first that may still wait. */
  private readonly order: string[] = [];
  private next = 0;
  /** Asked for while waiting: started before the rest. */
  private readonly urgent: string[] = [];
  private active = 0;
  private settledCount = 0;
  private restoredCount = 0;
  private failedCount = 0;
  private stopped = false;
  private readonly startedAt: number;
  private finishedAt: number | null = null;
  private readonly concurrency: number;
  private readonly now: () => number;
  private finish!: () => void;
  /** Resolves once every agent is back, has failed, or the queue was stopped. */
  readonly finished: Promise<void>;

  constructor(
    names: readonly string[],
    private readonly opts: RestoreQueueOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_RESTORE_CONCURRENCY));
    this.startedAt = this.now();
    this.finished = new Promise<void>((r) => (this.finish = r));
    for (const name of names) {
      if (this.items.has(name)) continue;
      let settle!: () => void;
      const done = new Promise<void>((r) => (settle = r));
      this.items.set(name, { name, phase: 'waiting', done, settle });
      this.byId.set(actorIdFor(name), name);
      this.order.push(name);
    }
  }

  /** Starts the first window; returns `finished`. */
  run(): Promise<void> {
    this.opts.onProgress?.(this.progress());
    this.pump();
    return this.finished;
  }

  /** Starts nothing more; what waits stays for the next start (it counts as pending). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const item of this.items.values()) if (item.phase === 'waiting') this.settle(item, 'stopped');
    this.checkFinished();
  }

  /** True while `name` (a name or an actor id) waits or is starting. */
  isPending(nameOrId: string): boolean {
    const item = this.items.get(this.byId.get(nameOrId) ?? nameOrId);
    return item?.phase === 'waiting' || item?.phase === 'starting';
  }

  /**
   * Moves a waiting agent to the head of the line; resolves when it is back or has failed
   * (undefined when it is not in this restore, or is already through).
   */
  promote(nameOrId: string): Promise<void> | undefined {
    const item = this.items.get(this.byId.get(nameOrId) ?? nameOrId);
    if (!item || (item.phase !== 'waiting' && item.phase !== 'starting')) return undefined;
    if (item.phase === 'waiting') {
      this.urgent.push(item.name);
      this.pump();
    }
    return item.done;
  }

  progress(): RestoreProgress {
    const total = this.items.size;
    const finishedAt = this.finishedAt;
    return {
      state: finishedAt === null ? 'restoring' : 'done',
      total,
      restored: this.restoredCount,
      failed: this.failedCount,
      pending: total - this.restoredCount - this.failedCount,
      started_at: this.startedAt / 1000,
      finished_at: finishedAt === null ? null : finishedAt / 1000,
      timestamp: this.now() / 1000,
    };
  }

  report(): RestoreReport {
    const r: RestoreReport = { restored: [], failed: [], pending: [] };
    for (const item of this.items.values()) {
      if (item.phase === 'restored') r.restored.push(item.name);
      else if (item.phase === 'failed') r.failed.push({ name: item.name, error: item.error ?? 'failed' });
      else if (item.phase !== 'skipped') r.pending.push(item.name);
    }
    return r;
  }

  /**
   * The resolver that makes a task for an agent still waiting wait for it (registered with
   * `system.addRemote` by the owner for as long as the queue runs).
   */
  resolver(system: ActorSystem): RemoteActors {
    const wait = async (name: string, timeoutMs: number): Promise<number> => {
      const t0 = Date.now();
      const done = this.promote(name);
      if (done) {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
        clearTimeout(timer);
        if (timedOut) throw new AskError(name, { error: `${name} is still being restored after ${timeoutMs} ms`, kind: 'timeout' });
      }
      return Math.max(1, timeoutMs - (Date.now() - t0));
    };
    return {
      resolve: (nameOrId) => (this.isPending(nameOrId) ? (this.byId.get(nameOrId) ?? nameOrId) : undefined),
      ask: async (name, payload, timeoutMs, from) => {
        const left = await wait(name, timeoutMs);
        // Back (or failed: then the system answers not_found, as for any unknown name).
        if (this.isPending(name)) throw new AskError(name, { error: `${name} is still being restored`, kind: 'timeout' });
        return system.ask(name, payload, left, from);
      },
      tell: (name, payload, from) => {
        wait(name, TELL_WAIT_MS).then(
          () => void (this.isPending(name) || system.deliver(makeMessage('TASK', from, name, payload))),
          () => undefined,
        );
        return true;
      },
    };
  }

  private pump(): void {
    while (!this.stopped && this.active < this.concurrency) {
      const item = this.take();
      if (!item) break;
      item.phase = 'starting';
      this.active++;
      this.opts.start(item.name).then(
        (outcome) => this.settle(item, outcome),
        (e: unknown) => this.settle(item, 'failed', toError(e).message),
      );
    }
    this.checkFinished();
  }

  private take(): Item | undefined {
    while (this.urgent.length > 0) {
      const item = this.items.get(this.urgent.shift()!);
      if (item?.phase === 'waiting') return item;
    }
    while (this.next < this.order.length) {
      const item = this.items.get(this.order[this.next++]!)!;
      if (item.phase === 'waiting') return item;
    }
    return undefined;
  }

  private settle(item: Item, phase: Phase, error?: string): void {
    if (item.phase === 'starting') this.active--;
    item.phase = phase;
    if (error !== undefined) item.error = error;
    this.settledCount++;
    if (phase === 'restored' || phase === 'skipped') this.restoredCount++;
    else if (phase === 'failed') this.failedCount++;
    item.settle();
    if (phase === 'stopped') return;
    // The last one reports through checkFinished (state `done`).
    if (!this.pumpAndCheck()) this.opts.onProgress?.(this.progress());
  }

  /** pump(); true when that finished the restore (and reported it). */
  private pumpAndCheck(): boolean {
    const before = this.finishedAt;
    this.pump();
    return before === null && this.finishedAt !== null;
  }

  private checkFinished(): void {
    if (this.finishedAt !== null || this.settledCount < this.items.size) return;
    this.finishedAt = this.now();
    this.opts.onProgress?.(this.progress());
    this.finish();
  }
}
