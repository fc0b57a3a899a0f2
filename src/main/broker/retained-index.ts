/**
 * The embedded broker's retained messages, indexed by topic level. aedes' memory persistence keeps
 * them in one Map and, for every new subscription, tests every retained topic against its filters:
 * a subscription's cost grew with all the retained topics there are, and N subscribers arriving
 * with N agents' retained topics cost N × N (bench/retained-lookup.bench.ts: 1,000 agents with four
 * filters each, 5.7 s of lookups against 22 ms here; the hub's own 1,000-agent restore, whose
 * agents subscribe little, used ~4 % less CPU). Here a filter walks the levels it names: an exact
 * topic is a lookup, `+` the children of one level, `#` the subtree it stands for — the work
 * follows the messages that match, not all there are.
 *
 * Same answers, in the same order, as the persistence it replaces (a test holds them side by
 * side): a filter matches as aedes' qlobber does, and so as live messages are routed (`#` also
 * matches its parent level, `+` never an empty level, `$` topics get no special treatment here:
 * the bus and aedes filter those); a combined stream yields each filter's matches in turn; an empty
 * payload deletes. A `#` that is not the last level (not valid MQTT, but the old store answered it)
 * falls back to testing every topic.
 */
import { Readable } from 'node:stream';

/** What is stored: aedes' retained packet (only `topic` and `payload` matter here). */
export interface RetainedPacket {
  topic: string;
  payload: Buffer | Uint8Array | string;
  [key: string]: unknown;
}

interface Level {
  children: Map<string, Level>;
  packet?: RetainedPacket;
  /** When the topic was first stored (since its last delete): matches come out in this order. */
  seq: number;
}

const newLevel = (): Level => ({ children: new Map(), seq: 0 });

export class RetainedIndex {
  private readonly root = newLevel();
  private count = 0;
  private stored = 0;

  get size(): number {
    return this.count;
  }

  /** Stores a copy of a retained packet; an empty payload deletes the topic's. */
  store(pkt: RetainedPacket): void {
    const levels = pkt.topic.split('/');
    if (pkt.payload.length === 0) {
      this.delete(levels);
      return;
    }
    let level = this.root;
    for (const word of levels) {
      let next = level.children.get(word);
      if (!next) level.children.set(word, (next = newLevel()));
      level = next;
    }
    if (!level.packet) {
      this.count++;
      level.seq = ++this.stored;
    }
    level.packet = { ...pkt };
  }

  /**
   * The retained packets whose topics match an MQTT filter, oldest topic first — the order aedes'
   * store gave (a Map's insertion order), which subscribers saw until now; MQTT promises no order
   * across topics, but a subscriber written against aedes may rely on it. (A first version that
   * grouped matches by topic prefix saw the dashboard's graph e2e fail 2 of 4 runs; this walk
   * without the sort passed it 5 of 5, 2 of them with a core kept busy: no dependence found.)
   */
  *match(filter: string): Generator<RetainedPacket> {
    const words = filter.split('/');
    const some = words.indexOf('#');
    const found: Level[] = [];
    if (some >= 0 && some !== words.length - 1) this.scan(words, found);
    else this.walk(this.root, words, 0, found);
    found.sort((a, b) => a.seq - b.seq);
    for (const level of found) if (level.packet) yield level.packet;
  }

  private walk(level: Level, words: string[], i: number, found: Level[]): void {
    if (i === words.length) {
      if (level.packet) found.push(level);
      return;
    }
    const word = words[i]!;
    if (word === '#') {
      this.subtree(level, found);
    } else if (word === '+') {
      for (const [key, child] of level.children) if (key !== '') this.walk(child, words, i + 1, found);
    } else {
      const child = level.children.get(word);
      if (child) this.walk(child, words, i + 1, found);
    }
  }

  private subtree(level: Level, found: Level[]): void {
    if (level.packet) found.push(level);
    for (const child of level.children.values()) this.subtree(child, found);
  }

  /** Every topic tested against the filter, level by level (`#` for zero or more levels anywhere). */
  private scan(words: string[], found: Level[]): void {
    const all: Level[] = [];
    this.subtree(this.root, all);
    for (const level of all) if (matchesAnywhere(words, 0, level.packet!.topic.split('/'), 0)) found.push(level);
  }

  private delete(levels: string[]): void {
    const path: Level[] = [this.root];
    for (const word of levels) {
      const next = path[path.length - 1]!.children.get(word);
      if (!next) return;
      path.push(next);
    }
    const last = path[path.length - 1]!;
    if (!last.packet) return;
    last.packet = undefined;
    this.count--;
    // Prune levels left with neither a packet nor children.
    for (let i = path.length - 1; i > 0; i--) {
      const level = path[i]!;
      if (level.packet || level.children.size > 0) break;
      path[i - 1]!.children.delete(levels[i - 1]!);
    }
  }
}

function matchesAnywhere(filter: string[], f: number, topic: string[], t: number): boolean {
  if (f === filter.length) return t === topic.length;
  const word = filter[f]!;
  if (word === '#') {
    for (let k = t; k <= topic.length; k++) if (matchesAnywhere(filter, f + 1, topic, k)) return true;
    return false;
  }
  if (t === topic.length) return false;
  return ((word === '+' && topic[t] !== '') || word === topic[t]) && matchesAnywhere(filter, f + 1, topic, t + 1);
}

/** The part of aedes' memory persistence (aedes-persistence 11, callback flavour) that keeps retained messages. */
export interface RetainedPersistence {
  storeRetained(packet: RetainedPacket, cb?: (err?: Error | null) => void): Promise<void> | void;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/** Puts the index in place of the persistence's own retained store (which stays empty). */
export function indexRetainedMessages(persistence: RetainedPersistence): RetainedIndex {
  const index = new RetainedIndex();
  // A packet the index cannot take fails the call (as aedes' async store's would), never throws into aedes.
  persistence.storeRetained = (packet, cb) => {
    let err: Error | null = null;
    try {
      index.store(packet);
    } catch (e) {
      err = e instanceof Error ? e : new Error(String(e));
    }
    if (cb) {
      process.nextTick(cb, err);
      return;
    }
    return err ? Promise.reject(err) : Promise.resolve();
  };
  persistence.createRetainedStream = (pattern) => Readable.from(index.match(pattern));
  persistence.createRetainedStreamCombi = (patterns) =>
    Readable.from(
      (function* eachFilter() {
        for (const p of patterns) yield* index.match(p);
      })(),
    );
  return index;
}
