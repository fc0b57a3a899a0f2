/**
 * What actors see of persistence. `persist`/`recall` route by key (see key-routing.ts):
 * durable structured data → SQLite, ephemeral fast data → Redis or memory, anything else →
 * a per-actor blob file written atomically.
 */
import type { Database } from 'better-sqlite3';

/** Where a key lives: SQLite (`durable`), Redis/memory (`ephemeral`) or a per-actor file (`blob`). */
export type PersistenceTier = 'durable' | 'ephemeral' | 'blob';

export type EphemeralBackend = 'redis' | 'memory';

export interface PersistOptions {
  /**
   * Expire the value after this many seconds. Only ephemeral keys (metrics, heartbeat,
   * `sample:`, `cache:`…) can expire; a TTL on a durable or blob key is rejected.
   */
  ttlSeconds?: number;
}

export interface Persistence {
  /**
   * Stores `value` under (actor, key) in the tier the key routes to. Durable and ephemeral
   * values must be JSON (the round trip is `JSON.parse(JSON.stringify(value))`); blob values
   * may also be a Buffer/Uint8Array (recalled as a Buffer). `undefined` is rejected: use forget.
   */
  persist(actor: string, key: string, value: unknown, opts?: PersistOptions): Promise<void>;
  /** The stored value, or undefined when there is none (or it expired). */
  recall<T = unknown>(actor: string, key: string): Promise<T | undefined>;
  forget(actor: string, key: string): Promise<void>;
  /** Removes everything `actor` stored in every tier (an agent deleted for good). */
  forgetActor(actor: string): Promise<void>;
  /** The tier a key routes to (pure: depends on the key name only). */
  tierOf(key: string): PersistenceTier;
  /** The durable SQLite database (WAL) for components with their own tables (spawn registry, history…). */
  readonly db: Database;
  /** Where the ephemeral tier lives right now. */
  readonly ephemeralBackend: () => EphemeralBackend;
  /** The state directory everything lives under. */
  readonly stateDir: string;
  /** Waits for in-flight writes (blob files) and pushes memory-buffered ephemeral writes to Redis if it is up. */
  flush(): Promise<void>;
  /** Flushes, then closes Redis and SQLite. Idempotent. Further calls reject. */
  close(): Promise<void>;
}
