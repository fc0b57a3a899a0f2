import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPersistence } from '../../../persistence/open-persistence.js';
import type { Persistence } from '../../../persistence/persistence.js';
import { HaStateHistory, numericState } from './state-history.js';

let dir: string;
let persistence: Persistence;
let history: HaStateHistory;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wz-ha-hist-'));
  persistence = await openPersistence({ stateDir: dir });
  history = new HaStateHistory(persistence.db);
});
afterEach(async () => {
  await persistence.close();
  rmSync(dir, { recursive: true, force: true });
});

const st = (entity_id: string, state: string, unit?: string) => ({ entity_id, state, attributes: unit ? { unit_of_measurement: unit } : {} });

describe('HaStateHistory (real SQLite file)', () => {
  it('stores numeric states as values and others as states, in the shared time_series table', () => {
    history.record('sensor.t', st('sensor.t', '20.5', '°C'), 1000);
    history.record('sensor.t', st('sensor.t', 'unavailable'), 1010);
    history.record('sensor.t', st('sensor.t', '21', '°C'), 1020);
    const h = history.query('sensor.t', { since: 0, until: 2000 });
    expect(h).toMatchObject({ entity_id: 'sensor.t', numeric: true, unit: '°C' });
    expect(h.points).toEqual([
      { ts: 1000, value: 20.5, state: '20.5' },
      { ts: 1010, value: null, state: 'unavailable' },
      { ts: 1020, value: 21, state: '21' },
    ]);
    const row = persistence.db.prepare("SELECT series, value, attrs FROM time_series WHERE series = 'ha:sensor.t' ORDER BY ts LIMIT 1").get();
    expect(row).toEqual({ series: 'ha:sensor.t', value: 20.5, attrs: JSON.stringify({ state: '20.5', unit: '°C' }) });
  });

  it('keeps the most recent points under a limit, oldest first, within the range', () => {
    for (let i = 0; i < 10; i++) history.record('light.k', st('light.k', i % 2 ? 'on' : 'off'), 100 + i);
    const h = history.query('light.k', { since: 0, until: 1000, limit: 3 });
    expect(h.numeric).toBe(false);
    expect(h.points.map((p) => p.ts)).toEqual([107, 108, 109]);
    expect(history.query('light.k', { since: 103, until: 104 }).points.map((p) => p.state)).toEqual(['on', 'off']);
    expect(history.query('light.unknown', { since: 0 }).points).toEqual([]);
  });

  it('averages numeric points into buckets for long ranges', () => {
    [10, 20, 30, 40].forEach((v, i) => history.record('sensor.p', st('sensor.p', String(v), 'W'), 60 * 10 + i * 20)); // 600, 620, 640, 660
    const h = history.query('sensor.p', { since: 0, until: 10_000, bucketSeconds: 60 });
    expect(h.points).toEqual([
      { ts: 600, value: 20, state: '20' },
      { ts: 660, value: 40, state: '40' },
    ]);
  });

  it('prunes old HA rows only', () => {
    history.record('sensor.t', st('sensor.t', '1'), 100);
    history.record('sensor.t', st('sensor.t', '2'), 300);
    persistence.db.prepare("INSERT INTO time_series (series, ts, value) VALUES ('other', 50, 1)").run();
    expect(history.prune(200)).toBe(1);
    expect(history.query('sensor.t', { since: 0, until: 1000 }).points.map((p) => p.value)).toEqual([2]);
    expect(persistence.db.prepare("SELECT COUNT(*) AS n FROM time_series WHERE series = 'other'").get()).toEqual({ n: 1 });
  });

  it('knows what a number is', () => {
    expect(numericState('21.5')).toBe(21.5);
    expect(numericState('-3')).toBe(-3);
    expect(numericState('1e3')).toBe(1000);
    expect(numericState('on')).toBeNull();
    expect(numericState('')).toBeNull();
    expect(numericState('12 W')).toBeNull();
    expect(numericState('Infinity')).toBeNull();
  });
});
