/**
 * Sequence numbers against replay (fleet-counters.ts), on a real SQLite file reopened as a restart
 * would: outgoing numbers never repeat across restarts (even after a crash mid-block), incoming ones
 * are taken once per peer, key and kind, and a retired key's rows go.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPersistence } from '../../persistence/open-persistence.js';
import type { Persistence } from '../../persistence/persistence.js';
import { FleetCounters } from './fleet-counters.js';

let dir: string;
const open: Persistence[] = [];
const counters = async (): Promise<FleetCounters> => {
  const p = await openPersistence({ stateDir: dir });
  open.push(p);
  return new FleetCounters(p.db);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wz-fleet-seq-'));
});
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('FleetCounters', () => {
  it('hands out growing numbers per peer and key, never one twice across restarts', async () => {
    const a = await counters();
    expect([a.next('garage', 'k1'), a.next('garage', 'k1'), a.next('garage', 'k1')]).toEqual([1, 2, 3]);
    expect(a.next('shed', 'k1')).toBe(1);
    expect(a.next('garage', 'k2')).toBe(1);
    // A restart (or a crash: nothing more is written per message) skips the rest of the block.
    const b = await counters();
    const after = b.next('garage', 'k1');
    expect(after).toBeGreaterThan(3);
    expect(b.next('garage', 'k1')).toBe(after + 1);
  });

  it('takes a number once per peer, key and kind; below the last taken is old', async () => {
    const c = await counters();
    expect(c.accept('garage', 'k1', 'spawn', 5)).toBe('new');
    expect(c.accept('garage', 'k1', 'spawn', 5)).toBe('repeat');
    expect(c.accept('garage', 'k1', 'spawn', 4)).toBe('old');
    // Another kind keeps its own numbers: MQTT orders per topic only.
    expect(c.accept('garage', 'k1', 'desired_state', 3)).toBe('new');
    expect(c.accept('garage', 'k2', 'spawn', 1)).toBe('new');
    expect(c.accept('shed', 'k1', 'spawn', 1)).toBe('new');
    // After a restart: a retained command seen again is a repeat, a later one is new.
    const d = await counters();
    expect(d.accept('garage', 'k1', 'spawn', 5)).toBe('repeat');
    expect(d.accept('garage', 'k1', 'spawn', 9)).toBe('new');
    expect(d.lastAccepted('garage', 'k1', 'spawn')).toBe(9);
  });

  it('forgets a retired key and keeps the others', async () => {
    const c = await counters();
    c.accept('garage', 'old', 'ack', 10);
    c.accept('garage', 'new', 'ack', 2);
    c.next('garage', 'old');
    c.forget('garage', ['new']);
    expect(c.lastAccepted('garage', 'old', 'ack')).toBe(0);
    expect(c.lastAccepted('garage', 'new', 'ack')).toBe(2);
    expect((await counters()).lastAccepted('garage', 'old', 'ack')).toBe(0);
  });
});
