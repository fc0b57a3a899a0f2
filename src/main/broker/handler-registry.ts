/**
 * Local subscribers of one bus, grouped by pattern so that each pattern costs one broker
 * subscription however many handlers share it (refcounted). Delivery never throws: a handler
 * that throws (or rejects) is logged — throttled, so a handler failing on every heartbeat
 * cannot flood the log — and the other handlers still get the message.
 */
import { topicMatches } from '../../shared/topics.js';
import type { BusHandler } from '../core/bus.js';
import { errorMessage } from './bus-log.js';
import { wildcardSkipsTopic } from './topic-validation.js';
import type { Logger } from '../base/logger.js';

/** A failing handler is reported at most this often. */
const ERROR_LOG_INTERVAL_MS = 10_000;
/** Bound on the topic → handlers cache (topics are mostly `agents/{id}/{kind}`: few thousand at most). */
const MATCH_CACHE_LIMIT = 10_000;

export interface HandlerEntry {
  readonly pattern: string;
  readonly handler: BusHandler;
  /** False once unsubscribed: a dispatch already under way skips it. */
  active: boolean;
  lastErrorLogAt: number;
  suppressedErrors: number;
}

export class HandlerRegistry {
  private readonly byPattern = new Map<string, Set<HandlerEntry>>();
  private readonly matchCache = new Map<string, HandlerEntry[]>();

  constructor(
    private readonly log: Logger,
    private readonly busName: string,
  ) {}

  /** Adds a handler; `first` is true when the pattern had none (the broker must subscribe it). */
  add(pattern: string, handler: BusHandler): { entry: HandlerEntry; first: boolean } {
    let set = this.byPattern.get(pattern);
    const first = set === undefined;
    if (!set) {
      set = new Set();
      this.byPattern.set(pattern, set);
    }
    const entry: HandlerEntry = { pattern, handler, active: true, lastErrorLogAt: 0, suppressedErrors: 0 };
    set.add(entry);
    this.matchCache.clear();
    return { entry, first };
  }

  /** Removes a handler (idempotent); `last` is true when its pattern has no handler left. */
  remove(entry: HandlerEntry): { last: boolean } {
    if (!entry.active) return { last: false };
    entry.active = false;
    const set = this.byPattern.get(entry.pattern);
    if (!set) return { last: false };
    set.delete(entry);
    this.matchCache.clear();
    if (set.size > 0) return { last: false };
    this.byPattern.delete(entry.pattern);
    return { last: true };
  }

  has(pattern: string): boolean {
    return this.byPattern.has(pattern);
  }

  patterns(): string[] {
    return [...this.byPattern.keys()];
  }

  get size(): number {
    return this.byPattern.size;
  }

  /** Delivers to every handler of `pattern` (the broker already matched the topic). */
  deliverToPattern(pattern: string, topic: string, payload: Buffer): void {
    const set = this.byPattern.get(pattern);
    if (!set) return;
    for (const entry of set) this.deliver(entry, topic, payload);
  }

  /** Delivers to the handlers of every pattern that matches `topic` (for a client that receives one copy). */
  deliverMatching(topic: string, payload: Buffer): number {
    const entries = this.matching(topic);
    for (const entry of entries) this.deliver(entry, topic, payload);
    return entries.length;
  }

  /** Calls one handler; never throws. */
  deliver(entry: HandlerEntry, topic: string, payload: Buffer): void {
    if (!entry.active) return;
    try {
      const result: unknown = entry.handler(topic, payload);
      // An async handler's rejection would otherwise be an unhandled rejection (fatal in Node).
      if (result !== undefined && typeof (result as PromiseLike<unknown>)?.then === 'function') {
        (result as Promise<unknown>).then(undefined, (err: unknown) => this.reportFailure(entry, topic, err));
      }
    } catch (err) {
      this.reportFailure(entry, topic, err);
    }
  }

  clear(): void {
    for (const set of this.byPattern.values()) for (const entry of set) entry.active = false;
    this.byPattern.clear();
    this.matchCache.clear();
  }

  private matching(topic: string): HandlerEntry[] {
    const cached = this.matchCache.get(topic);
    if (cached) return cached;
    const found: HandlerEntry[] = [];
    for (const [pattern, set] of this.byPattern) {
      if (wildcardSkipsTopic(pattern, topic) || !topicMatches(pattern, topic)) continue;
      for (const entry of set) found.push(entry);
    }
    if (this.matchCache.size >= MATCH_CACHE_LIMIT) this.matchCache.clear();
    this.matchCache.set(topic, found);
    return found;
  }

  private reportFailure(entry: HandlerEntry, topic: string, err: unknown): void {
    const now = Date.now();
    if (now - entry.lastErrorLogAt < ERROR_LOG_INTERVAL_MS) {
      entry.suppressedErrors++;
      return;
    }
    const more = entry.suppressedErrors > 0 ? ` (${entry.suppressedErrors} more failures not logged)` : '';
    entry.lastErrorLogAt = now;
    entry.suppressedErrors = 0;
    this.log('error', `${this.busName}: subscriber of "${entry.pattern}" failed on "${topic}": ${errorMessage(err)}${more}`);
  }
}
