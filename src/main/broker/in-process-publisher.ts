/**
 * Feeds the in-process Bus's publishes into aedes in order, at a pace aedes can take.
 *
 * Ordering: aedes drops a packet for a client that already got a later one from the same
 * `brokerId` (its per-client dedupe compares `brokerCounter`s), and retained or QoS 1 packets
 * reach subscribers a few promise hops after plain QoS 0 ones — so a QoS 1 publish followed by
 * a QoS 0 one would lose the first. Our packets carry their own brokerId/counter (never
 * shadowing network clients' packets), and a slow-path packet holds the ones after it until
 * aedes has emitted it.
 *
 * Pace: a TCP client's packets reach aedes one socket read at a time; an actor can publish
 * faster than that in a loop. Beyond `maxInFlight` packets not yet delivered, publishes wait
 * here (aedes would otherwise queue them in an array it shifts, quadratic in the backlog).
 * Beyond `maxHeld` waiting, plain QoS 0 publishes (logs, heartbeats) are dropped and counted;
 * retained and QoS 1 ones are always kept.
 */
import type { Aedes, AedesPublishPacket, PublishPacket } from 'aedes';
import { errorMessage } from './bus-log.js';
import type { Logger } from '../base/logger.js';

export type InProcessPacket = PublishPacket & { brokerId: string; brokerCounter: number };
type DeliverFunc = (packet: AedesPublishPacket, done: () => void) => void;

export interface InProcessPublisherOptions {
  /** Packets handed to aedes and not yet delivered before publishes wait (default 1,000). */
  maxInFlight?: number;
  /** Waiting publishes beyond which plain QoS 0 ones are dropped (default 100,000). */
  maxHeld?: number;
}

/** A failing or overloaded publisher is reported at most this often. */
const REPORT_INTERVAL_MS = 10_000;
const noop = (): void => {};

export class InProcessPublisher {
  readonly brokerId: string;
  private counter = 0;
  private readonly maxInFlight: number;
  private readonly maxHeld: number;
  private inFlight = 0;
  private awaitingEmit = false;
  private pumping = false;
  private closed = false;
  /** FIFO of waiting packets: an array with a moving head (shift() would be O(n)). */
  private held: InProcessPacket[] = [];
  private head = 0;
  private drainWaiters: (() => void)[] = [];
  private dropped = 0;
  private lastDropReport = 0;
  private lastErrorReport = 0;

  constructor(
    private readonly aedes: Aedes,
    private readonly log: Logger,
    opts: InProcessPublisherOptions = {},
  ) {
    this.brokerId = `${aedes.id}/in-process`;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 1_000);
    this.maxHeld = Math.max(0, opts.maxHeld ?? 100_000);
  }

  /** Numbers a packet for aedes' dedupe (call in publish order). */
  stamp(packet: PublishPacket): InProcessPacket {
    return Object.assign(packet, { brokerId: this.brokerId, brokerCounter: ++this.counter });
  }

  push(packet: InProcessPacket): void {
    if (this.closed) return;
    const waiting = this.held.length - this.head;
    if (waiting === 0 && this.canSend()) {
      this.send(packet);
      return;
    }
    if (waiting >= this.maxHeld && packet.qos === 0 && !packet.retain) {
      this.reportDrop();
      return;
    }
    this.held.push(packet);
  }

  /** Resolves once every packet pushed so far has been emitted by aedes. */
  whenEmitted(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.held = [];
    this.head = 0;
    this.wakeDrainWaiters();
  }

  private canSend(): boolean {
    return !this.awaitingEmit && this.inFlight < this.maxInFlight;
  }

  private idle(): boolean {
    return this.held.length === this.head && !this.awaitingEmit;
  }

  private send(packet: InProcessPacket): void {
    this.inFlight++;
    if (packet.qos === 0 && !packet.retain) {
      // Synchronous all the way to the subscribers' dedupe check: order is kept as is.
      this.aedes.publish(packet, this.onPublished);
      return;
    }
    this.awaitingEmit = true;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.aedes.unsubscribe(packet.topic, sentinel, noop);
      // After the current emit loop, so every subscriber sees this packet before the next one.
      queueMicrotask(() => {
        this.awaitingEmit = false;
        this.pump();
      });
    };
    const sentinel: DeliverFunc = (p, done) => {
      done();
      if (p.brokerCounter === packet.brokerCounter && p.brokerId === packet.brokerId) release();
    };
    this.aedes.subscribe(packet.topic, sentinel, noop);
    this.aedes.publish(packet, (err) => {
      this.onPublished(err);
      release(); // failed before emitting, or already released
    });
  }

  /** aedes' callback: every subscriber has the packet (or it failed). Shared, so no closure per publish. */
  private readonly onPublished = (err?: Error | null): void => {
    this.inFlight--;
    if (err) this.reportError(err);
    this.pump();
  };

  private pump(): void {
    // aedes may call back synchronously from inside send(): the outer loop carries on instead.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.held.length > this.head && this.canSend() && !this.closed) {
        const packet = this.held[this.head]!;
        this.held[this.head++] = undefined as unknown as InProcessPacket;
        this.send(packet);
      }
      if (this.head > 1_024 && this.head * 2 > this.held.length) {
        this.held = this.held.slice(this.head);
        this.head = 0;
      }
    } finally {
      this.pumping = false;
    }
    if (this.idle()) this.wakeDrainWaiters();
  }

  private wakeDrainWaiters(): void {
    if (this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private reportDrop(): void {
    this.dropped++;
    const now = Date.now();
    if (now - this.lastDropReport < REPORT_INTERVAL_MS) return;
    this.lastDropReport = now;
    this.log('warning', `in-process bus: subscribers are not keeping up; dropped ${this.dropped} QoS 0 publishes so far (more than ${this.maxHeld} waiting)`);
  }

  private reportError(err: Error): void {
    const now = Date.now();
    if (now - this.lastErrorReport < REPORT_INTERVAL_MS) return;
    this.lastErrorReport = now;
    this.log('error', `in-process publish failed: ${errorMessage(err)}`);
  }
}
