/**
 * What actors see of persistence. `persist`/`recall` route by key (see key-routing.ts):
 * durable structured data → SQLite, ephemeral fast data → Redis or memory, anything else →
 * a per-actor blob file written atomically.
 */
import type { Database } from 'better-sqlite3';

export interface Persistence {
  persist(actor: string, key: string, value: unknown): Promise<void>;
  recall<T = unknown>(actor: string, key: string): Promise<T | undefined>;
  forget(actor: string, key: string): Promise<void>;
  /** The durable SQLite database (WAL) for components with their own tables (spawn registry, history…). */
  readonly db: Database;
  /** Where the ephemeral tier lives right now. */
  readonly ephemeralBackend: () => 'redis' | 'memory';
  close(): Promise<void>;
}
