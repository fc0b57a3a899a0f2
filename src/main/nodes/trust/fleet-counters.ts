/**
 * Sequence numbers of signed fleet messages, in this side's SQLite (`fleet_seq`), per peer and key:
 * - outgoing: `next(peer, kid)` grows for ever, across restarts and crashes — numbers are reserved
 *   ahead in blocks (one write per BLOCK messages; a crash skips the rest of a block, never reuses one);
 * - incoming: `accept(peer, kid, kind, seq)` takes a number only when it is above the highest taken
 *   from that peer, key and topic kind, and records it before the message is acted on. Per kind,
 *   because MQTT keeps order per topic only: a retained `desired_state` and a queued `spawn` that
 *   reach a node back from days away may arrive in either order, and both are new.
 * A new key (enrollment, rotation) starts its own numbers; `forget` drops a retired key's rows.
 */
import type { Database } from 'better-sqlite3';

const OUT = '>';
const BLOCK = 1_000;

export type Acceptance = 'new' | 'repeat' | 'old';

export class FleetCounters {
  /** peer\0kid → [next to hand out, first not reserved]. */
  private readonly out = new Map<string, [number, number]>();
  private readonly last = new Map<string, number>();

  constructor(private readonly db: Database) {}

  /** The next number to sign with (from 1). */
  next(peer: string, kid: string): number {
    const k = `${peer}\0${kid}`;
    let r = this.out.get(k);
    if (!r) {
      const start = this.read(peer, kid, OUT) ?? 1;
      r = [start, start];
      this.out.set(k, r);
    }
    if (r[0] >= r[1]) {
      r[1] = r[0] + BLOCK;
      this.write(peer, kid, OUT, r[1]);
    }
    return r[0]++;
  }

  /** `new` (recorded), `repeat` (the very number last taken: a redelivery or a replay) or `old` (below it). */
  accept(peer: string, kid: string, kind: string, seq: number): Acceptance {
    const k = `${peer}\0${kid}\0${kind}`;
    const last = this.last.get(k) ?? this.read(peer, kid, kind) ?? 0;
    if (seq === last) return 'repeat';
    if (seq < last) return 'old';
    this.write(peer, kid, kind, seq);
    this.last.set(k, seq);
    return 'new';
  }

  /** The highest number taken from `peer` with `kid` on `kind` (0 when none). */
  lastAccepted(peer: string, kid: string, kind: string): number {
    return this.last.get(`${peer}\0${kid}\0${kind}`) ?? this.read(peer, kid, kind) ?? 0;
  }

  /** Drops the numbers of `peer` (every key but `keep`). */
  forget(peer: string, keep: string[] = []): void {
    const rows = this.db.prepare('SELECT DISTINCT kid FROM fleet_seq WHERE peer = ?').all(peer) as { kid: string }[];
    for (const { kid } of rows) {
      if (keep.includes(kid)) continue;
      this.db.prepare('DELETE FROM fleet_seq WHERE peer = ? AND kid = ?').run(peer, kid);
    }
    for (const map of [this.out, this.last] as Map<string, unknown>[]) {
      for (const k of [...map.keys()]) {
        const [p, kid] = k.split('\0');
        if (p === peer && !keep.includes(kid!)) map.delete(k);
      }
    }
  }

  private read(peer: string, kid: string, kind: string): number | undefined {
    return (this.db.prepare('SELECT seq FROM fleet_seq WHERE peer = ? AND kid = ? AND kind = ?').get(peer, kid, kind) as { seq: number } | undefined)?.seq;
  }

  private write(peer: string, kid: string, kind: string, seq: number): void {
    this.db.prepare('INSERT INTO fleet_seq (peer, kid, kind, seq) VALUES (?, ?, ?, ?) ON CONFLICT (peer, kid, kind) DO UPDATE SET seq = excluded.seq').run(peer, kid, kind, seq);
  }
}
