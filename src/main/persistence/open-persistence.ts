/**
 * The composition of the three tiers behind the Persistence interface: SQLite (durable),
 * Redis or memory (ephemeral), per-actor files (blob), chosen per key by key-routing.ts.
 */
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { BlobStore } from './blob/blob-store.js';
import type { EphemeralStore } from './ephemeral/ephemeral-store.js';
import { MemoryEphemeralStore } from './ephemeral/memory-store.js';
import { RedisEphemeralStore } from './ephemeral/redis-store.js';
import { decodeJson, encodeJson, PersistenceValueError } from './json-value.js';
import { routeKey } from './key-routing.js';
import type { PersistenceTier, Persistence, PersistOptions } from './persistence.js';
import { assertValidName } from './safe-name.js';
import { KvStore } from './sqlite/kv-store.js';
import { secureStateDir } from './state-dir.js';
import { openDatabase } from './sqlite/open-database.js';
import type { Logger } from '../base/logger.js';

export interface OpenPersistenceOptions {
  /** Everything lives under it: wactorz.db and one folder per actor. Created if missing, owner-only (0700). */
  stateDir: string;
  /** redis://… for the ephemeral tier; absent → memory. */
  redisUrl?: string;
  /** better_sqlite3.node built for Electron's ABI (supplied by the Electron shell). */
  nativeBinding?: string;
  log?: Logger;
  /** Redis key namespace (default `wactorz:`). */
  redisPrefix?: string;
  /** Default 300 ms. */
  redisConnectTimeoutMs?: number;
  /** Default 400 ms. */
  redisOpTimeoutMs?: number;
  /** Cap of the Redis reconnect backoff (default 5000 ms). */
  redisMaxReconnectDelayMs?: number;
}

export class PersistenceClosedError extends Error {
  override name = 'PersistenceClosedError';
}

export async function openPersistence(opts: OpenPersistenceOptions): Promise<Persistence> {
  const stateDir = path.resolve(opts.stateDir);
  // Owner-only: created 0700, an older one tightened (and its files 0600), with a log line.
  secureStateDir(stateDir, { log: opts.log });
  const db = openDatabase(stateDir, { nativeBinding: opts.nativeBinding, log: opts.log });
  let ephemeral: EphemeralStore;
  try {
    ephemeral = opts.redisUrl
      ? await RedisEphemeralStore.open({
          url: opts.redisUrl,
          prefix: opts.redisPrefix,
          connectTimeoutMs: opts.redisConnectTimeoutMs,
          opTimeoutMs: opts.redisOpTimeoutMs,
          maxReconnectDelayMs: opts.redisMaxReconnectDelayMs,
          log: opts.log,
        })
      : new MemoryEphemeralStore();
  } catch (err) {
    db.close();
    throw err;
  }
  const blobs = new BlobStore(stateDir);
  // Leftovers of a crash mid-write; harmless, but they would accumulate.
  void blobs.sweepTempFiles().then(
    (n) => {
      if (n > 0) opts.log?.('debug', `persistence: removed ${n} temp file(s) left by an interrupted write`);
    },
    () => {},
  );
  return new RoutedPersistence(stateDir, db, new KvStore(db), ephemeral, blobs);
}

class RoutedPersistence implements Persistence {
  private closing: Promise<void> | undefined;
  readonly ephemeralBackend = () => this.ephemeral.backend();

  constructor(
    readonly stateDir: string,
    readonly db: Database,
    private readonly kv: KvStore,
    private readonly ephemeral: EphemeralStore,
    private readonly blobs: BlobStore,
  ) {}

  tierOf(key: string): PersistenceTier {
    return routeKey(key);
  }

  async persist(actor: string, key: string, value: unknown, opts: PersistOptions = {}): Promise<void> {
    const tier = this.check(actor, key);
    const where = `${actor}/${key}`;
    if (opts.ttlSeconds !== undefined) {
      if (tier !== 'ephemeral') {
        throw new PersistenceValueError(`${where}: ttlSeconds is only supported for ephemeral keys; "${key}" routes to the ${tier} tier`);
      }
      if (!(Number.isFinite(opts.ttlSeconds) && opts.ttlSeconds > 0)) {
        throw new PersistenceValueError(`${where}: ttlSeconds must be a positive number (got ${opts.ttlSeconds})`);
      }
    }
    switch (tier) {
      case 'durable':
        this.kv.set(actor, key, encodeJson(value, where));
        return;
      case 'ephemeral':
        return this.ephemeral.set(actor, key, encodeJson(value, where), opts.ttlSeconds);
      case 'blob':
        return this.blobs.set(actor, key, value);
    }
  }

  async recall<T = unknown>(actor: string, key: string): Promise<T | undefined> {
    const tier = this.check(actor, key);
    const where = `${actor}/${key}`;
    switch (tier) {
      case 'durable': {
        const json = this.kv.get(actor, key);
        return json === undefined ? undefined : decodeJson<T>(json, where);
      }
      case 'ephemeral': {
        const json = await this.ephemeral.get(actor, key);
        return json === undefined ? undefined : decodeJson<T>(json, where);
      }
      case 'blob':
        return this.blobs.get<T>(actor, key);
    }
  }

  async forget(actor: string, key: string): Promise<void> {
    switch (this.check(actor, key)) {
      case 'durable':
        this.kv.delete(actor, key);
        return;
      case 'ephemeral':
        return this.ephemeral.delete(actor, key);
      case 'blob':
        return this.blobs.delete(actor, key);
    }
  }

  async forgetActor(actor: string): Promise<void> {
    this.assertOpen();
    assertValidName('actor', actor);
    this.kv.deleteActor(actor);
    await this.ephemeral.deleteActor(actor);
    await this.blobs.deleteActor(actor);
  }

  async flush(): Promise<void> {
    await this.blobs.flush();
    await this.ephemeral.flush();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        await this.ephemeral.close().catch(() => {});
        if (this.db.open) {
          // Fold the WAL back into the main file so the state dir is one self-contained file at rest.
          try {
            this.db.pragma('wal_checkpoint(TRUNCATE)');
          } catch {
            /* another connection may hold a read lock; the WAL is replayed on next open anyway */
          }
          this.db.close();
        }
      }
    })();
    return this.closing;
  }

  private check(actor: string, key: string): PersistenceTier {
    this.assertOpen();
    assertValidName('actor', actor);
    assertValidName('key', key);
    return routeKey(key);
  }

  private assertOpen(): void {
    if (this.closing) throw new PersistenceClosedError('persistence is closed');
  }
}
