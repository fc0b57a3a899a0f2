/**
 * The ephemeral tier: short-lived JSON values (metrics, heartbeat state, topic samples…),
 * addressed by (actor, key). Redis when reachable, memory otherwise.
 */
import type { EphemeralBackend } from '../persistence.js';

export interface EphemeralStore {
  /** JSON text or undefined (missing or expired). Never hangs: falls back to memory. */
  get(actor: string, key: string): Promise<string | undefined>;
  set(actor: string, key: string, json: string, ttlSeconds?: number): Promise<void>;
  delete(actor: string, key: string): Promise<void>;
  deleteActor(actor: string): Promise<void>;
  backend(): EphemeralBackend;
  /** Pushes writes buffered in memory during an outage to Redis (when it is up). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
