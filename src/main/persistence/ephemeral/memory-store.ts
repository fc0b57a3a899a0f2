/**
 * In-process ephemeral store with per-entry TTL. Used alone when no Redis is configured, and
 * by the Redis store as its fallback while Redis is unreachable.
 */
import type { EphemeralBackend } from '../persistence.js';
import type { EphemeralStore } from './ephemeral-store.js';

interface Entry {
  json: string;
  /** Epoch ms, or undefined for no expiry. */
  expiresAt: number | undefined;
}

const SWEEP_EVERY_WRITES = 1024;

export class MemoryEphemeralStore implements EphemeralStore {
  private readonly entries = new Map<string, Entry>();
  private writes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  static entryKey(actor: string, key: string): string {
    // The actor is encoded so `a:b`+`c` and `a`+`b:c` never collide.
    return `${encodeURIComponent(actor)}:${key}`;
  }

  async get(actor: string, key: string): Promise<string | undefined> {
    return this.getEntry(MemoryEphemeralStore.entryKey(actor, key))?.json;
  }

  async set(actor: string, key: string, json: string, ttlSeconds?: number): Promise<void> {
    this.setEntry(MemoryEphemeralStore.entryKey(actor, key), json, ttlSeconds === undefined ? undefined : this.now() + ttlSeconds * 1000);
  }

  async delete(actor: string, key: string): Promise<void> {
    this.entries.delete(MemoryEphemeralStore.entryKey(actor, key));
  }

  async deleteActor(actor: string): Promise<void> {
    this.deletePrefix(`${encodeURIComponent(actor)}:`);
  }

  backend(): EphemeralBackend {
    return 'memory';
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.clear();
  }

  // Entry-level access for the Redis store's fallback and replay.

  getEntry(entryKey: string): { json: string; expiresAt: number | undefined } | undefined {
    const e = this.entries.get(entryKey);
    if (!e) return undefined;
    if (e.expiresAt !== undefined && e.expiresAt <= this.now()) {
      this.entries.delete(entryKey);
      return undefined;
    }
    return e;
  }

  setEntry(entryKey: string, json: string, expiresAt: number | undefined): void {
    this.entries.set(entryKey, { json, expiresAt });
    if (++this.writes % SWEEP_EVERY_WRITES === 0) this.sweep();
  }

  deleteEntry(entryKey: string): void {
    this.entries.delete(entryKey);
  }

  deletePrefix(prefix: string): string[] {
    const removed: string[] = [];
    for (const k of this.entries.keys()) {
      if (k.startsWith(prefix)) {
        this.entries.delete(k);
        removed.push(k);
      }
    }
    return removed;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries so a busy store of short-TTL samples does not grow without bound. */
  private sweep(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.expiresAt !== undefined && e.expiresAt <= now) this.entries.delete(k);
  }
}
