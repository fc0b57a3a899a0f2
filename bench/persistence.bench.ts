/**
 * persistence: cost of the routed persistence layer over the raw store underneath, per tier.
 *
 *  - `persistence-durable`: persist() of a durable key (SQLite `kv`) vs a raw better-sqlite3 upsert
 *    with the same pragmas on another file in the same run.
 *  - `persistence-ephemeral-redis`: persist() of an ephemeral key vs a raw node-redis SET, both
 *    against one redis-server started here (skipped with a message when redis-server is missing).
 *  - `persistence-ephemeral-fallback`: persist() of an ephemeral key while that redis-server is
 *    killed (falls back to memory) vs a hub configured without Redis — shows a dead Redis costs
 *    callers nothing (no per-op connect attempt or timeout).
 *  - `persistence-blob`: atomic blob writes (temp + fsync + rename + dir fsync) vs a plain
 *    fs.writeFile of the same bytes — the price of crash safety, not overhead to optimise away.
 *
 * Every op is awaited one after another, like an actor calling persist() in its handler. Each
 * figure is the median of several alternating runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createClient } from 'redis';
import { openPersistence } from '../src/main/persistence/open-persistence.js';
import { redisServerAvailability, startRedisServer } from '../src/main/persistence/testing/redis-server.js';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function rate(n: number, op: (i: number) => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function pair(n: number, ours: (i: number) => unknown, raw: (i: number) => unknown): Promise<{ ours: number; raw: number }> {
  await rate(Math.min(n, 500), ours);
  await rate(Math.min(n, 500), raw);
  const o: number[] = [];
  const r: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    o.push(await rate(n, ours));
    r.push(await rate(n, raw));
  }
  return { ours: median(o), raw: median(r) };
}

function line(name: string, ours: number, raw: number, unit: string): void {
  console.log(`BENCH ${name} ${Math.round(ours)} ${unit} baseline=${Math.round(raw)} ratio=${(ours / raw).toFixed(2)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'wactorz-bench-persist-'));
const value = { messages_processed: 1234, errors: 0, uptime: 99.5, tags: ['a', 'b', 'c'] };
try {
  // ── durable ──
  const p = await openPersistence({ stateDir: join(dir, 'hub') });
  const raw = new BetterSqlite3(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.exec('CREATE TABLE kv (actor TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (actor, key)) WITHOUT ROWID');
  const upsert = raw.prepare(
    'INSERT INTO kv (actor, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (actor, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  );
  const durable = await pair(
    20_000,
    (i) => p.persist('bench', `user_facts:${i % 100}`, value),
    async (i) => upsert.run('bench', `user_facts:${i % 100}`, JSON.stringify(value), Date.now() / 1000),
  );
  line('persistence-durable', durable.ours, durable.raw, 'ops/s');
  raw.close();

  // ── blob ──
  const blob = await pair(
    200,
    (i) => p.persist('bench', `state${i % 10}`, value),
    (i) => writeFile(join(dir, `plain${i % 10}.json`), JSON.stringify(value)),
  );
  line('persistence-blob', blob.ours, blob.raw, 'ops/s');
  await p.close();

  // ── ephemeral on Redis ──
  const redis = redisServerAvailability();
  if (!redis.available) {
    console.error(`persistence-ephemeral-redis skipped: ${redis.reason}`);
  } else {
    const server = await startRedisServer();
    const pr = await openPersistence({ stateDir: join(dir, 'hub-redis'), redisUrl: server.url });
    const client = createClient({ url: server.url, socket: { reconnectStrategy: false } });
    client.on('error', () => {}); // the server is killed below on purpose
    await client.connect();
    try {
      if (pr.ephemeralBackend() !== 'redis') throw new Error('persistence did not connect to the bench redis-server');
      const eph = await pair(
        5_000,
        (i) => pr.persist('bench', `metrics:${i % 100}`, value),
        (i) => client.set(`raw:bench:metrics:${i % 100}`, JSON.stringify(value)),
      );
      line('persistence-ephemeral-redis', eph.ours, eph.raw, 'ops/s');

      await server.kill();
      const memoryOnly = await openPersistence({ stateDir: join(dir, 'hub-memory') });
      try {
        const fb = await pair(
          20_000,
          (i) => pr.persist('bench', `metrics:${i % 100}`, value),
          (i) => memoryOnly.persist('bench', `metrics:${i % 100}`, value),
        );
        if (pr.ephemeralBackend() !== 'memory') throw new Error('expected the memory fallback while Redis is dead');
        line('persistence-ephemeral-fallback', fb.ours, fb.raw, 'ops/s');
      } finally {
        await memoryOnly.close();
      }
    } finally {
      if (client.isOpen) client.destroy(); // the fallback run stopped Redis under it
      await pr.close();
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
