/**
 * Signed fleet messages (src/main/nodes/trust): the per-key sequence numbers against replay, on
 * both ends — the hub's and a node's database each keep the numbers of their own peers. Rows:
 * `kind = '>'` the next number this side may use when it signs for `peer` with `kid` (reserved
 * ahead in blocks); any other kind the highest number accepted from `peer` on that topic kind.
 * Keys themselves are never here: they live in the secret store.
 */
import type { Migration } from './migration.js';

export const fleetCounters: Migration = {
  version: 4,
  name: 'fleet_counters',
  up(db) {
    db.exec(`
      CREATE TABLE fleet_seq (
        peer TEXT NOT NULL,
        kid  TEXT NOT NULL,
        kind TEXT NOT NULL,
        seq  INTEGER NOT NULL,
        PRIMARY KEY (peer, kid, kind)
      ) WITHOUT ROWID;
    `);
  },
};
