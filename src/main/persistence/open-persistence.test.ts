import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PersistenceValueError } from './json-value.js';
import { openPersistence, PersistenceClosedError } from './open-persistence.js';
import type { Persistence } from './persistence.js';
import { UnsafeNameError } from './safe-name.js';

let dir: string;
let p: Persistence;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wactorz-persist-'));
  p = await openPersistence({ stateDir: dir });
});
afterEach(async () => {
  await p.close();
  rmSync(dir, { recursive: true, force: true });
});

function kvRow(actor: string, key: string) {
  return p.db.prepare('SELECT value FROM kv WHERE actor = ? AND key = ?').get(actor, key) as { value: string } | undefined;
}

describe('openPersistence without Redis', () => {
  it('routes durable keys to SQLite, ephemeral keys to memory and the rest to blob files', async () => {
    const registry = { temp: { type: 'dynamic', code: 'export async function setup() {}' } };
    await p.persist('main', '_spawned_agents', registry);
    await p.persist('main', 'metrics', { messages_processed: 3 });
    await p.persist('main', 'scratch', { notes: ['a'] });

    expect(JSON.parse(kvRow('main', '_spawned_agents')!.value)).toEqual(registry);
    expect(kvRow('main', 'metrics')).toBeUndefined();
    expect(kvRow('main', 'scratch')).toBeUndefined();
    expect(readdirSync(path.join(dir, 'main'))).toEqual(['scratch.json']);
    expect(p.ephemeralBackend()).toBe('memory');

    expect(await p.recall('main', '_spawned_agents')).toEqual(registry);
    expect(await p.recall('main', 'metrics')).toEqual({ messages_processed: 3 });
    expect(await p.recall('main', 'scratch')).toEqual({ notes: ['a'] });
    expect(await p.recall('other', 'scratch')).toBeUndefined();
    expect(p.tierOf('history')).toBe('durable');
    expect(p.stateDir).toBe(path.resolve(dir));
  });

  it('keeps durable and blob values across a restart; ephemeral memory values are gone', async () => {
    await p.persist('llm', 'conversation_history', [{ role: 'user', content: 'hi' }]);
    await p.persist('llm', 'state', { step: 7 });
    await p.persist('llm', 'heartbeat', { ok: true });
    await p.close();

    p = await openPersistence({ stateDir: dir });
    expect(await p.recall('llm', 'conversation_history')).toEqual([{ role: 'user', content: 'hi' }]);
    expect(await p.recall('llm', 'state')).toEqual({ step: 7 });
    expect(await p.recall('llm', 'heartbeat')).toBeUndefined();
  });

  it('forgets one key in each tier, and everything of an actor', async () => {
    for (const key of ['user_facts', 'cache:x', 'blobby']) {
      await p.persist('a', key, 1);
      await p.persist('b', key, 2);
      await p.forget('a', key);
      expect(await p.recall('a', key)).toBeUndefined();
      expect(await p.recall('b', key)).toBe(2);
    }
    await p.forgetActor('b');
    for (const key of ['user_facts', 'cache:x', 'blobby']) expect(await p.recall('b', key)).toBeUndefined();
    expect(existsSync(path.join(dir, 'b'))).toBe(false);
  });

  it('expires ephemeral values with a TTL and rejects TTLs elsewhere', async () => {
    // On virtual time: a persistence opened under a fake clock, which the test moves on.
    vi.useFakeTimers({ toFake: ['Date'] });
    const p = await openPersistence({ stateDir: path.join(dir, 'virtual-time') });
    try {
      await p.persist('a', 'cache:short', 'v', { ttlSeconds: 0.05 });
      await p.persist('a', 'cache:long', 'v', { ttlSeconds: 60 });
      vi.advanceTimersByTime(49);
      expect(await p.recall('a', 'cache:short')).toBe('v');
      vi.advanceTimersByTime(71);
      expect(await p.recall('a', 'cache:short')).toBeUndefined();
      expect(await p.recall('a', 'cache:long')).toBe('v');
      await expect(p.persist('a', 'user_facts', 'v', { ttlSeconds: 5 })).rejects.toThrow(/only supported for ephemeral keys.*durable/);
      await expect(p.persist('a', 'state', 'v', { ttlSeconds: 5 })).rejects.toThrow(/blob tier/);
      await expect(p.persist('a', 'cache:x', 'v', { ttlSeconds: -1 })).rejects.toThrow(/positive/);
    } finally {
      await p.close();
      vi.useRealTimers();
    }
  });

  it('rejects values a JSON tier cannot hold, with a clear error', async () => {
    await expect(p.persist('a', 'user_facts', undefined)).rejects.toThrow(/use forget/);
    await expect(p.persist('a', 'user_facts', Buffer.from('x'))).rejects.toThrow(/binary values are stored only in blob keys/);
    await expect(p.persist('a', 'metrics', { n: 1n })).rejects.toBeInstanceOf(PersistenceValueError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(p.persist('a', 'history', circular)).rejects.toThrow(/not JSON-serialisable/);
    await p.persist('a', 'model', Buffer.from([1, 2])); // blob keys take bytes
    expect([...(await p.recall<Buffer>('a', 'model'))!]).toEqual([1, 2]);
  });

  it('rejects unsafe names in every tier', async () => {
    await expect(p.persist('../evil', 'state', 1)).rejects.toBeInstanceOf(UnsafeNameError);
    await expect(p.persist('a', '../../state', 1)).rejects.toThrow(/path traversal/);
    await expect(p.persist('', 'user_facts', 1)).rejects.toThrow(/non-empty/);
  });

  it('refuses calls after close, and close is idempotent', async () => {
    await p.close();
    await p.close();
    await expect(p.persist('a', 'state', 1)).rejects.toBeInstanceOf(PersistenceClosedError);
    await expect(p.recall('a', 'state')).rejects.toBeInstanceOf(PersistenceClosedError);
    expect(p.db.open).toBe(false);
  });

  it('close waits for blob writes still in flight', async () => {
    const big = { data: 'x'.repeat(2_000_000) };
    const writing = p.persist('a', 'big', big);
    await p.close();
    await writing;
    p = await openPersistence({ stateDir: dir });
    expect(await p.recall('a', 'big')).toEqual(big);
  });
});
