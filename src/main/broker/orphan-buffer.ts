/**
 * QoS 1 messages that reached the bus before anyone subscribed to them locally. With a
 * persistent session the broker delivers what it queued for us right after CONNACK, usually
 * before the actors that want it have started and subscribed; those messages wait here (for a
 * while, a bounded number) and go to the handlers that subscribe to them meanwhile — once per
 * pattern, as if they had been subscribed when it arrived (a `#` logger subscribing first does
 * not take a task away from the actor it was meant for).
 */
import { topicMatches } from '../../shared/topics.js';
import { wildcardSkipsTopic } from './topic-validation.js';

export interface OrphanMessage {
  topic: string;
  payload: Buffer;
  receivedAt: number;
  /** Patterns that have had it already. */
  claimedBy?: Set<string>;
}

export interface OrphanBufferLimits {
  /** How long an unclaimed message is kept (default 60 s). */
  maxAgeMs: number;
  /** How many are kept; the oldest go first (default 10,000). */
  maxMessages: number;
}

export class OrphanBuffer {
  private messages: OrphanMessage[] = [];

  constructor(
    private readonly limits: OrphanBufferLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    this.expire();
    return this.messages.length;
  }

  add(topic: string, payload: Buffer): void {
    if (this.limits.maxMessages <= 0) return;
    this.expire();
    this.messages.push({ topic, payload, receivedAt: this.clock() });
    if (this.messages.length > this.limits.maxMessages) this.messages.shift();
  }

  /** The messages `pattern` matches that no handler of that same pattern has had yet, oldest first. */
  claim(pattern: string): OrphanMessage[] {
    this.expire();
    const claimed: OrphanMessage[] = [];
    for (const m of this.messages) {
      if (m.claimedBy?.has(pattern) || wildcardSkipsTopic(pattern, m.topic) || !topicMatches(pattern, m.topic)) continue;
      (m.claimedBy ??= new Set()).add(pattern);
      claimed.push(m);
    }
    return claimed;
  }

  clear(): void {
    this.messages = [];
  }

  private expire(): void {
    const cutoff = this.clock() - this.limits.maxAgeMs;
    let drop = 0;
    while (drop < this.messages.length && this.messages[drop]!.receivedAt < cutoff) drop++;
    if (drop > 0) this.messages = this.messages.slice(drop);
  }
}
