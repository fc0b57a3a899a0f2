/**
 * An in-memory Bus for unit tests of the core (the hub itself uses the embedded aedes broker's
 * in-process bus). Delivery is synchronous and in order; retained messages are kept per topic.
 */
import { topicMatches } from '../../../shared/topics.js';
import { encodePayload, type Bus, type BusHandler, type PublishOptions } from '../bus.js';

export class MemoryBus implements Bus {
  readonly state = 'connected' as const;
  private readonly subs = new Set<{ pattern: string; handler: BusHandler }>();
  private readonly retained = new Map<string, Buffer>();
  /** Every publish, for assertions. */
  readonly published: { topic: string; payload: Buffer; retain: boolean }[] = [];

  publish(topic: string, payload: unknown, opts?: PublishOptions): void {
    const buf = encodePayload(payload);
    this.published.push({ topic, payload: buf, retain: Boolean(opts?.retain) });
    if (opts?.retain) {
      if (buf.length === 0) this.retained.delete(topic);
      else this.retained.set(topic, buf);
    }
    for (const s of [...this.subs]) {
      if (!topicMatches(s.pattern, topic)) continue;
      try {
        s.handler(topic, buf);
      } catch {
        // A bad subscriber never breaks delivery to the others.
      }
    }
  }

  subscribe(pattern: string, handler: BusHandler): () => void {
    const sub = { pattern, handler };
    this.subs.add(sub);
    for (const [topic, buf] of this.retained) if (topicMatches(pattern, topic)) handler(topic, buf);
    return () => this.subs.delete(sub);
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.subs.clear();
  }

  /** Parsed JSON payloads published on topics matching `pattern`. */
  messages<T = unknown>(pattern: string): T[] {
    return this.published.filter((p) => topicMatches(pattern, p.topic) && p.payload.length > 0).map((p) => JSON.parse(p.payload.toString()) as T);
  }
}
