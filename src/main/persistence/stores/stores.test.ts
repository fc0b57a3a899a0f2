import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../sqlite/open-database.js';
import { createStores, type DurableStores } from './index.js';

let dir: string;
let db: Database;
let s: DurableStores;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wactorz-stores-'));
  db = openDatabase(dir);
  s = createStores(db);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SpawnRegistry', () => {
  it('versions code changes, keeps history, rolls back as a new version, and survives a restart', () => {
    const v1 = s.spawnRegistry.upsert({ name: 'temp', kind: 'dynamic', code: 'v1()', config: { poll_interval: 5 }, note: 'first' });
    expect(v1).toMatchObject({ name: 'temp', kind: 'dynamic', code: 'v1()', language: 'javascript', version: 1, config: { poll_interval: 5 }, node: '' });
    // Same code → same version (config-only update).
    expect(s.spawnRegistry.upsert({ name: 'temp', kind: 'dynamic', config: { poll_interval: 10 } })).toMatchObject({ version: 1, code: 'v1()', config: { poll_interval: 10 } });
    expect(s.spawnRegistry.upsert({ name: 'temp', kind: 'dynamic', code: 'v2()', language: 'typescript' }).version).toBe(2);
    expect(s.spawnRegistry.versions('temp').map((v) => [v.version, v.code, v.language])).toEqual([
      [2, 'v2()', 'typescript'],
      [1, 'v1()', 'javascript'],
    ]);
    const rolled = s.spawnRegistry.rollback('temp', 1);
    expect(rolled).toMatchObject({ version: 3, code: 'v1()', language: 'javascript' });
    expect(s.spawnRegistry.codeVersion('temp', 3)?.note).toBe('rollback to v1');
    expect(() => s.spawnRegistry.rollback('temp', 9)).toThrow(/no version 9/);

    s.spawnRegistry.upsert({ name: 'catalog-weather', kind: 'catalog', config: { recipe: 'weather' } });
    db.close();
    db = openDatabase(dir);
    s = createStores(db);
    expect(s.spawnRegistry.list().map((e) => [e.name, e.version, e.code])).toEqual([
      ['temp', 3, 'v1()'],
      ['catalog-weather', 1, null],
    ]);
    expect(s.spawnRegistry.remove('temp')).toBe(true);
    expect(s.spawnRegistry.versions('temp')).toEqual([]);
    expect(s.spawnRegistry.remove('temp')).toBe(false);
  });
});

describe('ConversationHistory', () => {
  it('appends, returns the most recent turns oldest first, trims and clears per agent', () => {
    for (let i = 0; i < 5; i++) s.conversationHistory.append('llm', { role: i % 2 ? 'assistant' : 'user', content: `m${i}`, ts: 100 + i, tokens: i });
    s.conversationHistory.append('other', { role: 'user', content: 'x' });
    expect(s.conversationHistory.recent('llm', 3).map((t) => t.content)).toEqual(['m2', 'm3', 'm4']);
    expect(s.conversationHistory.trim('llm', 2)).toBe(3);
    expect(s.conversationHistory.recent('llm').map((t) => t.content)).toEqual(['m3', 'm4']);
    expect(s.conversationHistory.count('other')).toBe(1);
    expect(s.conversationHistory.clear('llm')).toBe(2);
    expect(s.conversationHistory.count('other')).toBe(1);
  });
});

describe('UserFacts', () => {
  it('sets, overwrites, lists and deletes facts', () => {
    s.userFacts.set('name', 'Ada');
    s.userFacts.set('city', 'Athens');
    s.userFacts.set('name', 'Ada L.');
    expect(s.userFacts.get('name')).toBe('Ada L.');
    expect(s.userFacts.all()).toEqual({ city: 'Athens', name: 'Ada L.' });
    expect(s.userFacts.delete('city')).toBe(true);
    expect(s.userFacts.get('city')).toBeUndefined();
  });
});

describe('TimeSeries', () => {
  it('stores samples per series and queries ranges in time order', () => {
    s.timeSeries.appendMany([
      { series: 'kitchen.temp', ts: 30, value: 21.5, attrs: { unit: 'C' } },
      { series: 'kitchen.temp', ts: 10, value: 20 },
      { series: 'kitchen.temp', ts: 20, value: null },
      { series: 'power', ts: 15, value: 300 },
    ]);
    expect(s.timeSeries.range('kitchen.temp').map((x) => [x.ts, x.value])).toEqual([
      [10, 20],
      [20, null],
      [30, 21.5],
    ]);
    expect(s.timeSeries.range('kitchen.temp', { from: 20, to: 30 }).map((x) => x.ts)).toEqual([20]);
    expect(s.timeSeries.range('kitchen.temp', { limit: 1 }).map((x) => x.ts)).toEqual([10]);
    expect(s.timeSeries.latest('kitchen.temp')).toEqual({ series: 'kitchen.temp', ts: 30, value: 21.5, attrs: { unit: 'C' } });
    expect(s.timeSeries.seriesNames()).toEqual(['kitchen.temp', 'power']);
    expect(() => s.timeSeries.append({ series: 'bad', value: Number.NaN })).toThrow(/finite/);
    expect(s.timeSeries.prune(16)).toBe(2);
    expect(s.timeSeries.range('power')).toEqual([]);
  });
});

describe('TopicContracts and PipelineRules', () => {
  it('round-trips contracts with their JSON fields', () => {
    s.topicContracts.upsert({ name: 'temp-sensor', actorId: 'abc', publishes: ['sensors/temp'], producesSchema: { type: 'object' } });
    expect(s.topicContracts.get('temp-sensor')).toMatchObject({ actorId: 'abc', publishes: ['sensors/temp'], subscribes: [], producesSchema: { type: 'object' }, triggersWhen: {} });
    s.topicContracts.upsert({ name: 'temp-sensor', subscribes: ['x/#'] });
    expect(s.topicContracts.list().map((c) => [c.name, c.publishes, c.subscribes])).toEqual([['temp-sensor', [], ['x/#']]]);
    expect(s.topicContracts.remove('temp-sensor')).toBe(true);
  });

  it('round-trips pipeline rules and toggles them', () => {
    s.pipelineRules.upsert({ ruleId: 'r1', task: 'turn on the light when it is dark', agents: ['lux-watch', 'light-actuator'] });
    s.pipelineRules.upsert({ ruleId: 'r2', task: 'x', agents: [], enabled: false });
    expect(s.pipelineRules.get('r1')).toMatchObject({ agents: ['lux-watch', 'light-actuator'], enabled: true });
    expect(s.pipelineRules.list({ enabledOnly: true }).map((r) => r.ruleId)).toEqual(['r1']);
    expect(s.pipelineRules.setEnabled('r2', true)).toBe(true);
    expect(s.pipelineRules.list({ enabledOnly: true })).toHaveLength(2);
    expect(s.pipelineRules.remove('r1')).toBe(true);
    expect(s.pipelineRules.get('r1')).toBeUndefined();
  });
});
