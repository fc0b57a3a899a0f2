/**
 * Runs actor message loops on the one JavaScript thread. Actors with waiting messages sit in a
 * FIFO run queue; one turn drains up to `perActorBatch` messages from each in round-robin order
 * (fairness), and after `turnBudget` messages the turn yields to the event loop with setImmediate
 * so timers, sockets and heartbeats are never starved by a busy ring of actors.
 *
 * A turn is started with queueMicrotask, so a message sent from a bus callback or a timer is
 * handled as soon as that callback returns — one microtask per burst, not one per message.
 */
import { Mailbox } from './mailbox.js';

/** What the scheduler needs from an actor (implemented by Actor). */
export interface Schedulable {
  /** True while the actor is in the run queue; owned by the scheduler. */
  _queued: boolean;
  /** Handles up to `max` messages synchronously; returns how many it took. */
  _runBatch(max: number): number;
}

export interface SchedulerOptions {
  perActorBatch?: number;
  turnBudget?: number;
}

export class Scheduler {
  private readonly runQueue = new Mailbox<Schedulable>({ capacity: Infinity });
  private scheduled = false;
  private readonly perActorBatch: number;
  private readonly turnBudget: number;

  constructor(
    opts: SchedulerOptions = {},
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.perActorBatch = opts.perActorBatch ?? 256;
    this.turnBudget = opts.turnBudget ?? 8192;
  }

  /** Puts `actor` in the run queue (once). */
  wake(actor: Schedulable): void {
    if (actor._queued) return;
    actor._queued = true;
    this.runQueue.push(actor);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.runTurn);
    }
  }

  private readonly runTurn = (): void => {
    let done = 0;
    for (;;) {
      const actor = this.runQueue.shift();
      if (actor === undefined) {
        this.scheduled = false;
        return;
      }
      actor._queued = false;
      // An actor with more work wakes itself again (to the tail), giving round-robin fairness.
      try {
        done += actor._runBatch(this.perActorBatch);
      } catch (e) {
        // _runBatch contains handler errors itself; this is a runtime bug, and must not stall every actor.
        this.onError(e);
      }
      if (done >= this.turnBudget) {
        setImmediate(this.runTurn);
        return;
      }
    }
  };
}
