/**
 * Publishes made while the external broker is unreachable, sent in order once it is back.
 * QoS 1 messages are kept (up to a large bound); a retained message replaces the queued one for
 * the same topic (only the last state matters); plain QoS 0 messages (heartbeats, logs) keep
 * only the most recent few. Each bound drops the oldest and counts what it dropped.
 */
export interface OutboxEntry {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface OutboxLimits {
  maxQos0: number;
  maxQos1: number;
}

interface Queued extends OutboxEntry {
  seq: number;
}

export class OfflineOutbox {
  private seq = 0;
  private qos0: Queued[] = [];
  private qos1: Queued[] = [];
  private retained = new Map<string, Queued>();
  /** Messages dropped by the bounds since the last drain. */
  dropped = 0;

  constructor(private readonly limits: OutboxLimits) {}

  get size(): number {
    return this.qos0.length + this.qos1.length + this.retained.size;
  }

  add(entry: OutboxEntry): void {
    const queued: Queued = { ...entry, seq: this.seq++ };
    if (entry.retain) {
      this.retained.delete(entry.topic); // re-inserted last: it keeps its new place in the order
      this.retained.set(entry.topic, queued);
      return;
    }
    const list = entry.qos === 1 ? this.qos1 : this.qos0;
    const max = entry.qos === 1 ? this.limits.maxQos1 : this.limits.maxQos0;
    if (max <= 0) {
      this.dropped++;
      return;
    }
    list.push(queued);
    if (list.length > max) {
      list.shift();
      this.dropped++;
    }
  }

  /** Everything queued, in publish order; empties the outbox. */
  drain(): OutboxEntry[] {
    const all = [...this.qos0, ...this.qos1, ...this.retained.values()].sort((a, b) => a.seq - b.seq);
    this.qos0 = [];
    this.qos1 = [];
    this.retained = new Map();
    this.dropped = 0;
    return all.map(({ topic, payload, qos, retain }) => ({ topic, payload, qos, retain }));
  }
}
