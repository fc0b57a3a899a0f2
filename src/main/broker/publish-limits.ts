/**
 * Byte and rate limits on what MQTT clients and agents publish, so one of them cannot grow the
 * hub without bound (300 retained 1 MB messages were 300 MB of hub memory) or flood everyone else.
 *
 * - A retained message may be at most `maxRetainedMessageBytes`; all retained messages together
 *   (the embedded broker's whole store, the hub's own included) at most `maxRetainedTotalBytes`.
 *   Clearing a retained topic (empty payload) is always allowed.
 * - Each publisher (an MQTT client id, an agent) gets token buckets of `ratePerSecond` messages
 *   (burst `burst`) and `bytesPerSecond` bytes (burst `burstBytes`).
 * - The hub's own actors publish in process and are never refused, but their retained messages
 *   count towards the total.
 *
 * A refused network publish is dropped and acknowledged as its QoS requires — what Mosquitto does
 * with a denied publish under MQTT 3.1.1, which has no negative acknowledgement — with a log line
 * (at most one per publisher per 10 s). aedes can only refuse by closing the connection, so the
 * packet is marked in authorizePublish and skipped when aedes hands it to `publish`. An agent's
 * refused publish is an error at its host call, which lands in the agent's log (publish is
 * fire-and-forget for agent code; see agents/dynamic/agent-host.ts).
 */
import type { Aedes, AedesOptions, Client } from 'aedes';
import type { PublishGate } from '../core/bus.js';
import type { Logger } from '../base/logger.js';

export interface PublishLimitsOptions {
  /** Largest retained message, in bytes (default 256 KiB). */
  maxRetainedMessageBytes?: number;
  /** All retained messages together, in bytes (default 64 MiB). */
  maxRetainedTotalBytes?: number;
  /** Sustained messages per second per publisher (default 200). */
  ratePerSecond?: number;
  /** Messages a publisher may send at once above the rate (default 1,000). */
  burst?: number;
  /** Sustained bytes per second per publisher (default 8 MiB). */
  bytesPerSecond?: number;
  /** Bytes a publisher may send at once (default 32 MiB). */
  burstBytes?: number;
  now?: () => number;
  log?: Logger;
}

export const DEFAULT_PUBLISH_LIMITS = Object.freeze({
  maxRetainedMessageBytes: 256 * 1024,
  maxRetainedTotalBytes: 64 * 1024 * 1024,
  ratePerSecond: 200,
  burst: 1_000,
  bytesPerSecond: 8 * 1024 * 1024,
  burstBytes: 32 * 1024 * 1024,
});

const LOG_EVERY_MS = 10_000;
/** Buckets idle this long are full again: forget them. */
const IDLE_FORGET_MS = 60_000;

interface Bucket {
  messages: number;
  bytes: number;
  at: number;
  /** Refusals since the last log line, and when that was. */
  refused: number;
  loggedAt: number;
}

function kib(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}

export class PublishLimits implements PublishGate {
  readonly limits: Readonly<Required<Omit<PublishLimitsOptions, 'now' | 'log'>>>;
  private readonly buckets = new Map<string, Bucket>();
  private readonly retained = new Map<string, number>();
  private retainedTotal = 0;
  private readonly now: () => number;
  private readonly log: Logger | undefined;

  constructor(opts: PublishLimitsOptions = {}) {
    const defined = Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k !== 'now' && k !== 'log'));
    this.limits = Object.freeze({ ...DEFAULT_PUBLISH_LIMITS, ...defined });
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
  }

  /** Bytes of retained messages the broker holds now. */
  get retainedBytes(): number {
    return this.retainedTotal;
  }

  /**
   * Admits a publish of `bytes` on `topic` by `publisher` and counts it against its rate; or
   * returns why not (nothing is counted then). Logs refusals, rate-limited per publisher.
   */
  admit(publisher: string, topic: string, bytes: number, retain: boolean): string | null {
    const why = this.reason(publisher, topic, bytes, retain);
    if (why) this.report(publisher, why);
    return why;
  }

  /** Records what the broker now retains on `topic` (0 bytes: nothing). */
  recordRetained(topic: string, bytes: number): void {
    this.retainedTotal -= this.retained.get(topic) ?? 0;
    if (bytes > 0) {
      this.retained.set(topic, bytes);
      this.retainedTotal += bytes;
    } else this.retained.delete(topic);
  }

  /** Drops a publisher's bucket (it disconnected or stopped). */
  forget(publisher: string): void {
    this.buckets.delete(publisher);
  }

  private reason(publisher: string, topic: string, bytes: number, retain: boolean): string | null {
    const l = this.limits;
    if (retain && bytes > 0) {
      if (bytes > l.maxRetainedMessageBytes) return `retained message on ${topic} is ${kib(bytes)}, more than the ${kib(l.maxRetainedMessageBytes)} allowed per retained message`;
      const after = this.retainedTotal - (this.retained.get(topic) ?? 0) + bytes;
      if (after > l.maxRetainedTotalBytes) return `retained messages would take ${kib(after)}, more than the ${kib(l.maxRetainedTotalBytes)} the broker keeps in total (clear some retained topics)`;
    }
    const b = this.refill(publisher);
    if (b.messages < 1) return `more than ${l.ratePerSecond} messages per second (burst ${l.burst})`;
    if (b.bytes < bytes) return `more than ${kib(l.bytesPerSecond)} per second (burst ${kib(l.burstBytes)})`;
    b.messages -= 1;
    b.bytes -= bytes;
    return null;
  }

  private refill(publisher: string): Bucket {
    const now = this.now();
    let b = this.buckets.get(publisher);
    if (!b) {
      if (this.buckets.size > 10_000) this.sweep(now);
      b = { messages: this.limits.burst, bytes: this.limits.burstBytes, at: now, refused: 0, loggedAt: 0 };
      this.buckets.set(publisher, b);
      return b;
    }
    const seconds = Math.max(0, now - b.at) / 1000;
    b.messages = Math.min(this.limits.burst, b.messages + seconds * this.limits.ratePerSecond);
    b.bytes = Math.min(this.limits.burstBytes, b.bytes + seconds * this.limits.bytesPerSecond);
    b.at = now;
    return b;
  }

  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > IDLE_FORGET_MS) this.buckets.delete(k);
  }

  private report(publisher: string, why: string): void {
    const b = this.buckets.get(publisher) ?? this.refill(publisher);
    b.refused++;
    const now = this.now();
    if (now - b.loggedAt < LOG_EVERY_MS) return;
    this.log?.('warning', `publish by ${publisher} refused: ${why}${b.refused > 1 ? ` (${b.refused} refused since the last report)` : ''}`);
    b.loggedAt = now;
    b.refused = 0;
  }
}

/**
 * Applies `limits` to every network client of `aedes` (TCP and WebSocket) and keeps the retained
 * ledger from what aedes really publishes (the hub's in-process publishes included). Returns the
 * aedes `authorizePublish` hook to pass at creation; `attach` wires the rest once the broker exists.
 */
export function aedesPublishLimits(
  limits: PublishLimits,
  next?: AedesOptions['authorizePublish'],
): { authorizePublish: NonNullable<AedesOptions['authorizePublish']>; attach(aedes: Aedes): void } {
  const dropped = new WeakSet<object>();
  const publisherOf = (client: Client | null): string => `mqtt client ${client?.id ?? '?'}`;
  return {
    authorizePublish(client, packet, callback) {
      const go = (err?: Error | null): void => {
        if (err) return callback(err);
        if (client) {
          const why = limits.admit(publisherOf(client), packet.topic, packet.payload.length, packet.retain);
          if (why) dropped.add(packet);
        }
        callback(null);
      };
      if (next) next(client, packet, go);
      else if (packet.topic.startsWith('$SYS')) callback(new Error('$SYS topic is reserved'));
      else go();
    },
    attach(aedes) {
      const publish = aedes.publish.bind(aedes) as (packet: unknown, client?: unknown, done?: unknown) => void;
      (aedes as { publish: unknown }).publish = (packet: object, client?: unknown, done?: unknown): void => {
        if (dropped.has(packet)) {
          dropped.delete(packet);
          const cb = typeof client === 'function' ? client : done;
          if (typeof cb === 'function') (cb as (err?: Error) => void)();
          return;
        }
        publish(packet, client, done);
      };
      aedes.on('publish', (packet) => {
        if (packet.retain) limits.recordRetained(packet.topic, packet.payload.length);
      });
      aedes.on('clientDisconnect', (client) => limits.forget(publisherOf(client)));
    },
  };
}
