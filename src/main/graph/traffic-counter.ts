/**
 * What the bus carries, counted cheaply enough to sit on the hot path (every message the hub's
 * `#` subscription sees, every publish an actor makes through the hub):
 * - per topic, and per publisher on that topic, a ring of per-second buckets — a wire's rate is the
 *   sum over the last GRAPH_RATE_WINDOW_SECONDS; adding is an index and an increment;
 * - who published: the hub taps its actors' publishes (`tapped`, before the bus sends them) into
 *   a short per-topic queue; the message, when the bus delivers it (`observed`), takes the oldest
 *   entry of its topic's queue as its publisher. What finds no entry was published by someone the
 *   hub did not see publishing (a remote node's agent, an MQTT client) and is resolved later
 *   (graph-model.ts). Counting at delivery only keeps one clock for both, so a publisher's count
 *   and the topic's never straddle a second;
 * - the last few messages of each topic (a preview, copied: never a slice of a socket's buffer),
 *   for "click a wire → its recent messages".
 *
 * Bounded: topics tracked, publishers per topic, queue length and age, previews — a topic past the
 * cap is not tracked (counted in `untracked`) until idle topics are pruned on the next tick. The
 * hub's plumbing (telemetry kinds under `agents/{id}/…`, `nodes/…`, `system/…`, replies, `$…`)
 * is not counted at all: it is shown as pulses on the agents, not as wires.
 */
import { AGENT_TOPIC_KINDS } from '../../shared/topics.js';
import { GRAPH_RATE_WINDOW_SECONDS } from '../../shared/graph.js';

const W = GRAPH_RATE_WINDOW_SECONDS;
const TELEMETRY = new Set<string>(AGENT_TOPIC_KINDS);

/** Topics that are the hub's plumbing rather than agents talking (never wires in the graph). */
export function isPlumbingTopic(topic: string): boolean {
  if (topic.charCodeAt(0) === 36 /* $ */) return true;
  const slash = topic.indexOf('/');
  const root = slash < 0 ? topic : topic.slice(0, slash);
  switch (root) {
    case 'nodes':
    case 'system':
      return true;
    case 'wactorz':
      return topic.startsWith('wactorz/replies/');
    case 'agents': {
      if (topic.startsWith('agents/by-name/')) return true;
      const last = topic.lastIndexOf('/');
      // agents/{id}/{kind}: exactly three levels, a telemetry kind last.
      return last > slash && topic.indexOf('/', slash + 1) === last && TELEMETRY.has(topic.slice(last + 1));
    }
    default:
      return false;
  }
}

/** Counts per second over the last W seconds. */
export class RateRing {
  private readonly counts = new Uint32Array(W);
  private second = -1;

  add(sec: number): void {
    if (sec !== this.second) this.advance(sec);
    this.counts[sec % W]!++;
  }

  /** Messages in the W seconds ending with `sec` (inclusive). */
  sum(sec: number): number {
    if (this.second < 0 || this.second <= sec - W) return 0;
    let total = 0;
    for (let s = Math.max(sec - W + 1, this.second - W + 1); s <= this.second; s++) total += this.counts[s % W]!;
    return total;
  }

  /** Last second anything was added (-1: never). */
  get last(): number {
    return this.second;
  }

  private advance(sec: number): void {
    if (sec < this.second) return; // a late clock: counted into the current bucket
    if (this.second < 0 || sec - this.second >= W) this.counts.fill(0);
    else for (let s = this.second + 1; s <= sec; s++) this.counts[s % W] = 0;
    this.second = sec;
  }
}

export interface RecentMessage {
  /** Epoch seconds. */
  at: number;
  /** The publisher's actor id, or null when the hub did not see who sent it. */
  from: string | null;
  bytes: number;
  preview: Buffer;
}

interface TopicStats {
  total: RateRing;
  /** Publisher actor id → its count; '' → not attributed by a tap. */
  byPublisher: Map<string, RateRing>;
  recent: RecentMessage[];
}

interface Pending {
  publisher: string;
  sec: number;
}

export interface TrafficCounterOptions {
  /** Topics tracked at once (default 1 000). */
  maxTopics?: number;
  /** Publishers tracked per topic (default 32; more are counted as unattributed). */
  maxPublishersPerTopic?: number;
  /** Recent messages kept per topic (default 8). */
  recentPerTopic?: number;
  /** Bytes of each recent message kept (default 1 024). */
  previewBytes?: number;
  /** A tapped publish not seen on the bus within this many seconds is forgotten (default 5). */
  pendingSeconds?: number;
  /** Epoch ms (test seam). */
  now?: () => number;
}

export interface TopicRate {
  topic: string;
  /** Actor id, or null for messages no tap announced. */
  publisher: string | null;
  /** Messages per second over the window. */
  rate: number;
}

export class TrafficCounter {
  private readonly topics = new Map<string, TopicStats>();
  private readonly pending = new Map<string, Pending[]>();
  private readonly opts: Required<Omit<TrafficCounterOptions, 'now'>>;
  private readonly now: () => number;
  /** The current second, moved on by `tick()` (the hot path reads no clock). */
  private sec: number;
  /** Messages on topics that could not be tracked (over the cap). */
  untracked = 0;

  constructor(opts: TrafficCounterOptions = {}) {
    this.opts = {
      maxTopics: opts.maxTopics ?? 1_000,
      maxPublishersPerTopic: opts.maxPublishersPerTopic ?? 32,
      recentPerTopic: opts.recentPerTopic ?? 8,
      previewBytes: opts.previewBytes ?? 1_024,
      pendingSeconds: opts.pendingSeconds ?? 5,
    };
    this.now = opts.now ?? Date.now;
    this.sec = Math.floor(this.now() / 1000);
  }

  /** An actor is publishing `topic` through the hub (called before the bus sends it). */
  tapped(publisher: string, topic: string): void {
    if (isPlumbingTopic(topic)) return;
    let q = this.pending.get(topic);
    if (!q) {
      if (this.pending.size >= this.opts.maxTopics) return;
      this.pending.set(topic, (q = []));
    }
    if (q.length >= 256) q.shift();
    q.push({ publisher, sec: this.sec });
  }

  /** The bus delivered a message (to the hub's `#` subscription). */
  observed(topic: string, payload: Buffer): void {
    if (isPlumbingTopic(topic)) return;
    let stats = this.topics.get(topic);
    if (!stats) {
      if (this.topics.size >= this.opts.maxTopics) {
        this.untracked++;
        return;
      }
      stats = { total: new RateRing(), byPublisher: new Map(), recent: [] };
      this.topics.set(topic, stats);
    }
    const sec = this.sec;
    stats.total.add(sec);
    const publisher = this.takePending(topic, sec);
    let ring = stats.byPublisher.get(publisher ?? '');
    if (!ring) {
      const key = stats.byPublisher.size >= this.opts.maxPublishersPerTopic ? '' : (publisher ?? '');
      ring = stats.byPublisher.get(key);
      if (!ring) stats.byPublisher.set(key, (ring = new RateRing()));
    }
    ring.add(sec);
    const keep = Math.min(payload.length, this.opts.previewBytes);
    if (stats.recent.length >= this.opts.recentPerTopic) stats.recent.shift();
    stats.recent.push({ at: this.now() / 1000, from: publisher, bytes: payload.length, preview: Buffer.from(payload.subarray(0, keep)) });
  }

  /** Moves the clock on and forgets what went idle: topics silent for a whole window, stale pending publishes. */
  tick(): void {
    this.sec = Math.floor(this.now() / 1000);
    const oldest = this.sec - this.opts.pendingSeconds;
    for (const [topic, q] of this.pending) {
      while (q.length && q[0]!.sec < oldest) q.shift();
      if (!q.length) this.pending.delete(topic);
    }
    // Idle topics go once the map is past 90 % of its cap, so a burst of new topics finds room.
    if (this.topics.size > this.opts.maxTopics * 0.9) {
      for (const [topic, s] of this.topics) if (s.total.last <= this.sec - W) this.topics.delete(topic);
    }
  }

  /** Every (topic, publisher) with messages in the window, and its rate. */
  rates(): TopicRate[] {
    const out: TopicRate[] = [];
    for (const [topic, s] of this.topics) {
      for (const [publisher, ring] of s.byPublisher) {
        const n = ring.sum(this.sec);
        if (n > 0) out.push({ topic, publisher: publisher || null, rate: n / W });
      }
    }
    return out;
  }

  /** The topic's recent messages, newest first. */
  recent(topic: string): RecentMessage[] {
    return [...(this.topics.get(topic)?.recent ?? [])].reverse();
  }

  get trackedTopics(): number {
    return this.topics.size;
  }

  private takePending(topic: string, sec: number): string | null {
    const q = this.pending.get(topic);
    if (!q) return null;
    const oldest = sec - this.opts.pendingSeconds;
    let p = q.shift();
    while (p && p.sec < oldest) p = q.shift();
    if (!q.length) this.pending.delete(topic);
    return p?.publisher ?? null;
  }
}
