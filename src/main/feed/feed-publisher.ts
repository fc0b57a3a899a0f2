/**
 * The one publisher of the activity feed. Whatever happens in the hub that a person would want to
 * see in a timeline calls `publish({kind, subject, text, detail})` (src/shared/feed.ts lists the
 * kinds); the publisher gives it an id and a time, checks it against the shared schema (a bad event
 * is a logged refusal, never a crash), keeps it in a bounded backlog (GET /api/feed), and sends it:
 * - live on `system/feed`, in batches every `batchMs` (a burst is one message; at most `maxBatch`
 *   events a batch, the rest counted in `skipped` — the backlog still has them);
 * - as the retained `system/feed/recent` window (newest first), at most once a `recentMs`, so a
 *   dashboard that connects sees the recent past at once.
 *
 * Floods are cut: the same subject saying the same thing again within `dedupeMs` is one event, and
 * past `maxPerSecond` events a second the rest are dropped (counted in `dropped`).
 */
import { feedEventSchema, type FeedEvent, type FeedEventInput, type FeedPage, type FeedQuery } from '../../shared/feed.js';
import { topics } from '../../shared/topics.js';
import type { Bus } from '../core/bus.js';
import type { Logger } from '../base/logger.js';

export interface FeedPublisherOptions {
  bus: Bus;
  log?: Logger;
  /** Events kept for GET /api/feed (default 1 000). */
  backlog?: number;
  /** Events in the retained window (default 50). */
  recent?: number;
  batchMs?: number;
  maxBatch?: number;
  recentMs?: number;
  dedupeMs?: number;
  maxPerSecond?: number;
  now?: () => number;
}

export class FeedPublisher {
  /** Oldest first. */
  private readonly events: FeedEvent[] = [];
  private readonly live: FeedEvent[] = [];
  private readonly lastSaid = new Map<string, number>();
  private readonly runId: string;
  private next = 0;
  private batchTimer: NodeJS.Timeout | undefined;
  private recentTimer: NodeJS.Timeout | undefined;
  private lastRecentMs = -Infinity;
  private second = -1;
  private inSecond = 0;
  private closed = false;
  /** Events dropped by the rate limit. */
  dropped = 0;
  private readonly now: () => number;

  constructor(private readonly opts: FeedPublisherOptions) {
    this.now = opts.now ?? Date.now;
    this.runId = Math.floor(this.now() / 1000).toString(36);
  }

  /** Adds an event (see the file comment); returns it, or null when it was refused, repeated or dropped. */
  publish(input: FeedEventInput): FeedEvent | null {
    if (this.closed) return null;
    const nowMs = this.now();
    const key = `${input.kind}\u0000${input.subject.type}\u0000${input.subject.name}\u0000${input.text}`;
    const said = this.lastSaid.get(key);
    if (said !== undefined && nowMs - said < (this.opts.dedupeMs ?? 10_000)) return null;
    const sec = Math.floor(nowMs / 1000);
    if (sec !== this.second) {
      this.second = sec;
      this.inSecond = 0;
    }
    if (++this.inSecond > (this.opts.maxPerSecond ?? 50)) {
      this.dropped++;
      return null;
    }
    const parsed = feedEventSchema.safeParse({ ...input, id: `${this.runId}-${++this.next}`, timestamp: input.timestamp ?? nowMs / 1000, text: input.text.slice(0, 2_000) });
    if (!parsed.success) {
      this.opts.log?.('warning', `feed: refused a ${input.kind} event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return null;
    }
    const event = parsed.data as FeedEvent;
    this.lastSaid.set(key, nowMs);
    if (this.lastSaid.size > 5_000) this.lastSaid.delete(this.lastSaid.keys().next().value!);
    this.events.push(event);
    if (this.events.length > (this.opts.backlog ?? 1_000)) this.events.shift();
    this.live.push(event);
    this.batchTimer ??= setTimeout(() => this.flush(), this.opts.batchMs ?? 250);
    return event;
  }

  /** Newest first, filtered (GET /api/feed). */
  query(q: FeedQuery): FeedPage {
    const kinds = q.kind ? new Set<string>(q.kind) : null;
    const needle = q.q?.toLowerCase();
    let end = this.events.length;
    if (q.before !== undefined) {
      const i = this.events.findIndex((e) => e.id === q.before);
      end = i < 0 ? 0 : i;
    }
    const out: FeedEvent[] = [];
    for (let i = end - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (kinds && !kinds.has(e.kind)) continue;
      if (q.subject !== undefined && e.subject.name !== q.subject) continue;
      if (needle && !e.text.toLowerCase().includes(needle) && !e.subject.name.toLowerCase().includes(needle)) continue;
      if (out.length === q.limit) return { events: out, more: true };
      out.push(e);
    }
    return { events: out, more: false };
  }

  /** Sends what is waiting now (also called at stop). */
  flush(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (this.live.length > 0) {
      const max = this.opts.maxBatch ?? 100;
      const batch = this.live.splice(0);
      const events = batch.slice(-max);
      this.opts.bus.publish(topics.systemFeed, { events, skipped: batch.length - events.length });
      this.scheduleRecent();
    }
  }

  close(): void {
    this.flush();
    this.publishRecent();
    this.closed = true;
    clearTimeout(this.recentTimer);
  }

  private scheduleRecent(): void {
    if (this.recentTimer) return;
    const wait = Math.max(0, this.lastRecentMs + (this.opts.recentMs ?? 1_000) - this.now());
    this.recentTimer = setTimeout(() => {
      this.recentTimer = undefined;
      this.publishRecent();
    }, wait);
  }

  private publishRecent(): void {
    if (this.closed) return;
    this.lastRecentMs = this.now();
    const n = this.opts.recent ?? 50;
    const page: FeedPage = { events: this.events.slice(-n).reverse(), more: this.events.length > n };
    this.opts.bus.publish(topics.systemFeedRecent, page, { retain: true });
  }
}
