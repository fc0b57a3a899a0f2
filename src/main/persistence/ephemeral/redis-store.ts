/**
 * The ephemeral tier on Redis, with a fallback that never makes callers wait on a dead Redis:
 *
 * - start: connect for at most `connectTimeoutMs`; unreachable → memory at once, and node-redis
 *   keeps reconnecting in the background with capped exponential backoff.
 * - Redis dies: the offline queue is disabled, so commands fail immediately and go to memory.
 *   Redis hangs (socket open, no replies): every command has `opTimeoutMs`; a timeout puts the
 *   store in "suspect" mode (memory only) until a background PING succeeds. A PING that times out
 *   on a connection node-redis calls ready means that connection may never answer again (a
 *   half-open link): it is replaced by a new one.
 * - A new connection counts only once it has answered a PING: node-redis may call a connection
 *   ready that was reset during its handshake.
 * - Redis returns: writes made in memory during the outage are replayed (last write wins,
 *   remaining TTL kept, deletes included), then everything goes to Redis again.
 *
 * Transitions are logged once each (not once per failed reconnect attempt).
 */
import { createClient } from 'redis';
import type { EphemeralBackend } from '../persistence.js';
import type { EphemeralStore } from './ephemeral-store.js';
import { MemoryEphemeralStore } from './memory-store.js';
import type { Logger } from '../../base/logger.js';
import { backoffDelay } from '../../base/backoff.js';

export interface RedisEphemeralOptions {
  url: string;
  /** Namespace for every key, so hubs and other apps can share one Redis. Default `wactorz:`. */
  prefix?: string;
  /** Longest wait for the first connection before falling back to memory. Default 300 ms. */
  connectTimeoutMs?: number;
  /** Longest wait for any command before it falls back to memory. Default 400 ms. */
  opTimeoutMs?: number;
  /** Cap of the reconnect backoff. Default 5000 ms. */
  maxReconnectDelayMs?: number;
  log?: Logger;
}

type Client = ReturnType<typeof createClient>;

const BACKGROUND_CONNECT_TIMEOUT_MS = 5000;

class OpTimeoutError extends Error {
  override name = 'OpTimeoutError';
}

export class RedisEphemeralStore implements EphemeralStore {
  private client: Client | undefined;
  private readonly memory = new MemoryEphemeralStore();
  /** Entry keys written or deleted in memory while Redis was away, with a generation to detect rewrites during replay. */
  private readonly dirty = new Map<string, number>();
  /** Actors forgotten during an outage: their Redis keys must go too on return. */
  private readonly forgottenActors = new Set<string>();
  private generation = 0;
  private suspect = false;
  /** The last PING timed out on a connection node-redis calls ready: replace it at the next probe. */
  private replaceConnection = false;
  /** start()'s wait for the first answered PING. */
  private onAnswered: (() => void) | undefined;
  private probeAttempt = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private loggedBackend: EphemeralBackend | undefined;
  private closed = false;
  private readonly prefix: string;
  private readonly opTimeoutMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly where: string;

  private constructor(private readonly opts: RedisEphemeralOptions) {
    this.prefix = opts.prefix ?? 'wactorz:';
    this.opTimeoutMs = opts.opTimeoutMs ?? 400;
    this.maxReconnectDelayMs = opts.maxReconnectDelayMs ?? 5000;
    this.where = redactUrl(opts.url);
  }

  /** Connects (bounded by connectTimeoutMs) and returns the store, whatever Redis's state. */
  static async open(opts: RedisEphemeralOptions): Promise<RedisEphemeralStore> {
    const store = new RedisEphemeralStore(opts);
    await store.start(opts.connectTimeoutMs ?? 300);
    return store;
  }

  backend(): EphemeralBackend {
    return this.client?.isReady && !this.suspect && !this.closed ? 'redis' : 'memory';
  }

  async get(actor: string, key: string): Promise<string | undefined> {
    const entryKey = MemoryEphemeralStore.entryKey(actor, key);
    // A write made during the outage is newer than Redis's copy until it is replayed.
    if (this.backend() === 'redis' && !this.dirty.has(entryKey)) {
      try {
        const v = await this.run((c) => c.get(this.redisKey(entryKey)));
        return v ?? undefined;
      } catch (err) {
        this.onOpFailure(err);
      }
    }
    return this.memory.getEntry(entryKey)?.json;
  }

  async set(actor: string, key: string, json: string, ttlSeconds?: number): Promise<void> {
    const entryKey = MemoryEphemeralStore.entryKey(actor, key);
    if (this.backend() === 'redis') {
      try {
        const ttlMs = ttlSeconds === undefined ? undefined : Math.max(1, Math.round(ttlSeconds * 1000));
        await this.run((c) => c.set(this.redisKey(entryKey), json, ttlMs === undefined ? undefined : { expiration: { type: 'PX', value: ttlMs } }));
        this.settled(entryKey);
        return;
      } catch (err) {
        this.onOpFailure(err);
      }
    }
    this.memory.setEntry(entryKey, json, ttlSeconds === undefined ? undefined : Date.now() + ttlSeconds * 1000);
    this.dirty.set(entryKey, ++this.generation);
  }

  async delete(actor: string, key: string): Promise<void> {
    const entryKey = MemoryEphemeralStore.entryKey(actor, key);
    if (this.backend() === 'redis') {
      try {
        await this.run((c) => c.del(this.redisKey(entryKey)));
        this.settled(entryKey);
        return;
      } catch (err) {
        this.onOpFailure(err);
      }
    }
    this.memory.deleteEntry(entryKey);
    this.dirty.set(entryKey, ++this.generation);
  }

  async deleteActor(actor: string): Promise<void> {
    const entryPrefix = `${encodeURIComponent(actor)}:`;
    for (const k of this.memory.deletePrefix(entryPrefix)) this.dirty.delete(k);
    for (const k of [...this.dirty.keys()]) if (k.startsWith(entryPrefix)) this.dirty.delete(k);
    if (this.backend() === 'redis') {
      try {
        await this.deleteRedisPrefix(entryPrefix);
        return;
      } catch (err) {
        this.onOpFailure(err);
      }
    }
    this.forgottenActors.add(actor);
  }

  async flush(): Promise<void> {
    if (this.backend() === 'redis') await this.replay();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => {});
    // A graceful QUIT only to a Redis the store still trusts: a client can report itself ready with
    // its server gone (the store already suspects it), and its QUIT then waits out the whole budget.
    const live = this.backend() === 'redis';
    this.closed = true;
    clearTimeout(this.probeTimer);
    const c = this.client;
    this.client = undefined;
    if (c && live) {
      await withTimeout(c.close(), this.opTimeoutMs * 2).catch(() => c.destroy());
    } else if (c?.isOpen) {
      c.destroy();
    }
    await this.memory.close();
  }

  /** How many outage writes are waiting to be replayed to Redis (diagnostics, tests). */
  get pendingReplay(): number {
    return this.dirty.size + this.forgottenActors.size;
  }

  // ── internals ────────────────────────────────────────────────────────────

  private async start(connectTimeoutMs: number): Promise<void> {
    let client: Client;
    try {
      client = this.connect(connectTimeoutMs);
    } catch (err) {
      // Nothing to retry: the configuration is wrong. Say so once, clearly.
      this.loggedBackend = 'memory';
      this.opts.log?.('error', `persistence: invalid Redis URL (${(err as Error).message}); ephemeral data is kept in memory`);
      return;
    }
    // Whichever comes first: Redis answered, refused (first 'error'), or out of time.
    const answered = new Promise<void>((resolve) => (this.onAnswered = resolve));
    const refused = new Promise<void>((resolve) => client.once('error', () => resolve()));
    await Promise.race([answered, refused, delay(connectTimeoutMs)]);
    this.onAnswered = undefined;
    if (this.backend() !== 'redis') this.logBackend('memory', `no answer within ${connectTimeoutMs} ms`);
  }

  /** A new client, connecting in the background (node-redis reconnects it with our backoff); it becomes `this.client`. */
  private connect(connectTimeoutMs: number): Client {
    const client = createClient({
      url: this.opts.url,
      // Commands fail at once while disconnected instead of queueing (and hanging) until Redis returns.
      disableOfflineQueue: true,
      socket: {
        // Callers never wait on this (start() bounds the first wait); a generous value
        // keeps background reconnects from failing forever on a busy machine.
        connectTimeout: Math.max(connectTimeoutMs, BACKGROUND_CONNECT_TIMEOUT_MS),
        reconnectStrategy: (retries) => backoff(retries, this.maxReconnectDelayMs),
      },
    });
    this.client = client;
    // Without an 'error' listener node-redis errors would crash the process; reconnects report them here.
    client.on('error', (err: Error) => {
      if (!this.closed && this.backend() === 'memory') this.logBackend('memory', err.message);
    });
    client.on('ready', () => {
      if (this.closed) return;
      // node-redis ignores failures of its handshake (its CLIENT SETINFO errors are optional), so a
      // connection reset mid-handshake — a server killed as we reconnect: 10 kills in 200 here —
      // is called ready with its socket gone, and its commands then wait for ever (CI's crash-test
      // failure). Only an answered PING says Redis is there.
      this.suspect = true;
      this.replaceConnection = false; // an earlier connection's silence is not this one's
      clearTimeout(this.probeTimer);
      void this.probe();
    });
    client.on('end', () => {
      if (!this.closed) this.logBackend('memory', 'connection closed');
    });
    client.connect().catch(() => undefined);
    return client;
  }

  /**
   * The connection says it is ready but a PING got no answer: Redis hangs, or the connection died
   * without node-redis hearing of it (reset during its handshake; a half-open TCP link after a
   * laptop sleeps or a NAT forgets it). node-redis would wait on that socket for ever, so it is
   * dropped and a new connection made; a Redis that merely hangs answers the new one when it
   * resumes. Done from the probe, so while Redis hangs a new connection is tried at most once per
   * probe back-off (≤ maxReconnectDelayMs plus one PING's wait), not in a loop.
   */
  private reconnect(): void {
    const dead = this.client;
    if (dead) {
      dead.removeAllListeners();
      dead.on('error', () => {}); // its pending commands fail now; nobody listens to the old client any more
      dead.destroy();
    }
    this.opts.log?.('debug', `persistence: Redis at ${this.where} did not answer a PING on a ready connection; connecting again`);
    this.connect(BACKGROUND_CONNECT_TIMEOUT_MS);
  }

  private redisKey(entryKey: string): string {
    return this.prefix + entryKey;
  }

  private async run<T>(op: (c: Client) => Promise<T>): Promise<T> {
    const c = this.client;
    if (!c) throw new Error('no Redis client');
    return withTimeout(op(c), this.opTimeoutMs);
  }

  private onOpFailure(err: unknown): void {
    if (this.closed) return;
    if (this.client?.isReady && !this.suspect) {
      // Connected but not answering (or refusing): memory only until a PING and the replay get through.
      this.suspect = true;
      this.logBackend('memory', (err as Error).message);
      this.scheduleProbe();
    } else if (this.backend() === 'memory') {
      this.logBackend('memory', (err as Error).message);
    }
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      void this.probe();
    }, backoff(this.probeAttempt++, this.maxReconnectDelayMs));
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.closed || !this.suspect) return;
    if (this.replaceConnection) {
      this.replaceConnection = false;
      this.reconnect(); // the new connection's 'ready' probes again
      return;
    }
    try {
      await this.run((c) => c.ping());
    } catch (err) {
      // Not ready: node-redis is reconnecting it, and its 'ready' probes again.
      if (this.closed || !this.client?.isReady) return;
      // A connection called ready that does not answer may never answer: a new one at the next probe.
      // Any other failure (Redis still LOADING its data, say) is retried with the back-off.
      if (err instanceof OpTimeoutError) this.replaceConnection = true;
      this.scheduleProbe();
      return;
    }
    if (this.closed || !this.suspect) return;
    this.suspect = false;
    this.probeAttempt = 0;
    this.logBackend('redis');
    this.onAnswered?.();
    await this.replay();
  }

  /** A write reached Redis: any outage copy in memory is now stale. */
  private settled(entryKey: string): void {
    this.dirty.delete(entryKey);
    this.memory.deleteEntry(entryKey);
  }

  private replay(): Promise<void> {
    this.replaying ??= this.doReplay().finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  private async doReplay(): Promise<void> {
    if (this.dirty.size === 0 && this.forgottenActors.size === 0) return;
    let replayed = 0;
    try {
      for (const actor of [...this.forgottenActors]) {
        await this.deleteRedisPrefix(`${encodeURIComponent(actor)}:`);
        this.forgottenActors.delete(actor);
      }
      for (const [entryKey, gen] of [...this.dirty]) {
        // Written straight to Redis since the snapshot (or rewritten): that newer write wins.
        if (this.dirty.get(entryKey) !== gen) continue;
        const entry = this.memory.getEntry(entryKey);
        const rk = this.redisKey(entryKey);
        if (entry) {
          const ttlMs = entry.expiresAt === undefined ? undefined : entry.expiresAt - Date.now();
          if (ttlMs !== undefined && ttlMs <= 0) await this.run((c) => c.del(rk));
          else await this.run((c) => c.set(rk, entry.json, ttlMs === undefined ? undefined : { expiration: { type: 'PX', value: Math.ceil(ttlMs) } }));
        } else {
          await this.run((c) => c.del(rk));
        }
        // Rewritten meanwhile? Then the newer write is still pending and stays.
        if (this.dirty.get(entryKey) === gen) {
          this.dirty.delete(entryKey);
          this.memory.deleteEntry(entryKey);
        }
        replayed++;
      }
      if (replayed > 0) this.opts.log?.('info', `persistence: replayed ${replayed} ephemeral write(s) made during the Redis outage to ${this.where}`);
    } catch (err) {
      this.onOpFailure(err); // the rest stays pending for the next 'ready' or probe
    }
  }

  private async deleteRedisPrefix(entryPrefix: string): Promise<void> {
    const pattern = escapeGlob(this.redisKey(entryPrefix)) + '*';
    const c = this.client;
    if (!c) throw new Error('no Redis client');
    let cursor = '0';
    do {
      const res = await this.run((cl) => cl.scan(cursor, { MATCH: pattern, COUNT: 500 }));
      cursor = String(res.cursor);
      if (res.keys.length > 0) await this.run((cl) => cl.del(res.keys));
    } while (cursor !== '0');
  }

  private logBackend(backend: EphemeralBackend, reason?: string): void {
    if (this.loggedBackend === backend) return;
    const first = this.loggedBackend === undefined;
    this.loggedBackend = backend;
    if (backend === 'redis') {
      this.opts.log?.('info', `persistence: ${first ? 'using' : 'back on'} Redis at ${this.where} for ephemeral data`);
    } else {
      this.opts.log?.(
        'warning',
        `persistence: Redis at ${this.where} unreachable${reason ? ` (${reason})` : ''}; ephemeral data is kept in memory and Redis is retried in the background`,
      );
    }
  }
}

/** Capped exponential backoff with "equal jitter": 100, 200, 400… ms up to `max`, each shortened by up to half. */
function backoff(attempt: number, max: number): number {
  return backoffDelay(attempt, { initialMs: 100, maxMs: max, jitter: { ratio: 0.5, direction: 'down' } });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const t = setTimeout(() => {
      // Timers run before I/O in an event-loop turn: on a starved loop the reply may already be
      // waiting in the socket. setImmediate runs after that I/O, so only a real silence times out.
      setImmediate(() => {
        if (!settled) reject(new OpTimeoutError(`Redis did not answer within ${ms} ms`));
      });
    }, ms);
    p.then(
      (v) => {
        settled = true;
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        settled = true;
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid url>';
  }
}
