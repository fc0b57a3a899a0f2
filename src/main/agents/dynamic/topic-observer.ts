/**
 * What agents learn about the bus through `agent.topics()` and `agent.window(topic, seconds)`:
 * one subscription to `#` for the whole hub records, per topic, when it was last seen, and keeps
 * the recent messages in a bounded ring (count, age and payload size capped), parsed only when an
 * agent asks. Bounded everywhere, so a chatty bus costs a fixed amount of memory.
 */
import type { Bus } from '../../core/bus.js';
import { topicMatches } from '../../../shared/topics.js';
import type { TopicInfo, WindowSample } from '../../../shared/agent-api.js';

export interface TopicObserverOptions {
  /** Distinct topics remembered (least recently seen forgotten first). Default 2 000. */
  maxTopics?: number;
  /** Messages kept for `window` across all topics. Default 5 000. */
  maxSamples?: number;
  /** Oldest message kept for `window`, in seconds. Default 3 600. */
  maxAgeSeconds?: number;
  /** Larger payloads are noted (topic seen) but not kept for `window`. Default 16 KB. */
  maxPayloadBytes?: number;
  now?: () => number;
}

interface Sample {
  topic: string;
  payload: Buffer;
  /** Epoch seconds. */
  at: number;
}

export class TopicObserver {
  private readonly seen = new Map<string, { lastSeen: number; count: number }>();
  private readonly ring: (Sample | undefined)[];
  private next = 0;
  private off: (() => void) | undefined;
  private readonly opts: Required<Omit<TopicObserverOptions, 'now'>>;
  private readonly now: () => number;

  constructor(opts: TopicObserverOptions = {}) {
    this.opts = { maxTopics: opts.maxTopics ?? 2_000, maxSamples: opts.maxSamples ?? 5_000, maxAgeSeconds: opts.maxAgeSeconds ?? 3_600, maxPayloadBytes: opts.maxPayloadBytes ?? 16 * 1024 };
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.ring = new Array<Sample | undefined>(this.opts.maxSamples);
  }

  start(bus: Bus): void {
    this.off ??= bus.subscribe('#', (topic, payload) => this.record(topic, payload));
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
  }

  record(topic: string, payload: Buffer): void {
    const at = this.now();
    const entry = this.seen.get(topic);
    if (entry) {
      // Re-inserted so the Map's order is least-recently-seen first.
      this.seen.delete(topic);
      entry.lastSeen = at;
      entry.count++;
      this.seen.set(topic, entry);
    } else {
      this.seen.set(topic, { lastSeen: at, count: 1 });
      if (this.seen.size > this.opts.maxTopics) this.seen.delete(this.seen.keys().next().value!);
    }
    if (payload.length <= this.opts.maxPayloadBytes) {
      this.ring[this.next] = { topic, payload, at };
      this.next = (this.next + 1) % this.ring.length;
    }
  }

  /** Topics seen (most recent first), with the agents that declare publishing them. */
  topics(publishers: (topic: string) => string[] = () => []): TopicInfo[] {
    return [...this.seen.entries()].reverse().map(([topic, s]) => {
      const by = publishers(topic);
      return { topic, last_seen: s.lastSeen, ...(by.length ? { publishers: by } : {}) };
    });
  }

  /** Messages on `pattern` (wildcards allowed) during the last `seconds`, oldest first. */
  window(pattern: string, seconds: number): WindowSample[] {
    const since = this.now() - Math.min(seconds, this.opts.maxAgeSeconds);
    const out: WindowSample[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const s = this.ring[(this.next + i) % this.ring.length];
      if (!s || s.at < since || !topicMatches(pattern, s.topic)) continue;
      out.push({ topic: s.topic, payload: decode(s.payload), timestamp: s.at });
    }
    return out;
  }
}

/** Parsed JSON when the message is JSON, else its text (as the agent API promises). */
export function decode(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
