import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../persistence/sqlite/open-database.js';
import { SpawnRegistry } from '../persistence/stores/spawn-registry.js';
import { GrantStore, type GrantEvent } from './grant-store.js';
import { grantForSpawn, type SpawnGrantPolicy } from './spawn-grants.js';

let dir: string;
let db: Database;
let clock = 1_000;
const now = (): number => clock;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wactorz-grants-'));
  db = openDatabase(dir);
  clock = 1_000;
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});
const reopen = (): GrantStore => {
  db.close();
  db = openDatabase(dir);
  return new GrantStore(db, { now });
};

describe('GrantStore', () => {
  it('keeps effective grants, with a decision per change, across a restart', () => {
    const store = new GrantStore(db, { now });
    const events: GrantEvent['type'][] = [];
    store.on((e) => events.push(e.type));
    const g = store.set('poller', { capabilities: ['fetch'], publishes: ['weather/now'], subscribes: ['sensors/#'] }, { origin: 'person', source: 'rest', by: 'rest' });
    expect(g).toMatchObject({ agent: 'poller', origin: 'person', revision: 1, capabilities: ['fetch'], subscribes: ['sensors/#'], send_to: [], review: false });
    clock = 1_010;
    expect(store.add('poller', { send_to: ['timeseries'] }, { by: 'dashboard' })).toMatchObject({ revision: 2, send_to: ['timeseries'], capabilities: ['fetch'] });
    expect(store.revoke('poller', { capabilities: ['fetch'] }, { by: 'dashboard', note: 'no longer needed' })).toMatchObject({ revision: 3, capabilities: [] });
    expect(events).toEqual(['grant', 'decision', 'grant', 'decision', 'grant', 'decision']);

    const again = reopen();
    expect(again.get('poller')).toMatchObject({ revision: 3, capabilities: [], publishes: ['weather/now'], send_to: ['timeseries'], created_at: 1_000, updated_at: 1_010 });
    expect(again.decisions({ agent: 'poller' }).map((d) => [d.decision, d.by])).toEqual([
      ['revoked', 'dashboard'],
      ['approved', 'dashboard'],
      ['granted', 'rest'],
    ]);
  });

  it('keeps pending requests across a restart; approving adds to the grant, denying does not', () => {
    const store = new GrantStore(db, { now });
    store.set('writer-made', { subscribes: ['a/#'] }, { origin: 'llm', source: 'llm', by: 'policy' });
    const r1 = store.request({ agent: 'writer-made', asked: { capabilities: ['fetch_local'] }, reason: 'reads the NAS', origin: 'llm', source: 'llm', requestedBy: 'llm' });
    const r2 = store.request({ agent: 'writer-made', asked: { send_to: ['main'] }, origin: 'llm', source: 'llm' });
    const again = reopen();
    expect(again.pending().map((r) => r.id)).toEqual([r1.id, r2.id]);
    expect(again.pending('writer-made')[0]).toMatchObject({ status: 'pending', reason: 'reads the NAS', asked: { capabilities: ['fetch_local'] } });

    const { grant } = again.decide(r1.id, { approve: true, by: 'chat' });
    expect(grant?.capabilities).toEqual(['fetch_local']);
    again.decide(r2.id, { approve: false, by: 'dashboard', note: 'no' });
    expect(again.get('writer-made')?.send_to).toEqual([]);
    expect(again.pending()).toEqual([]);
    expect(() => again.decide(r1.id, { approve: false, by: 'x' })).toThrow(/approved already/);
    expect(again.decisions({ agent: 'writer-made' }).map((d) => d.decision)).toEqual(['denied', 'approved', 'granted']);
  });

  it('removing an agent drops its grant and withdraws its requests, keeping the audit', () => {
    const store = new GrantStore(db, { now });
    grantForSpawn(store, { agent: { id: 'id-1', name: 'gone' }, asked: { publishes: ['x/y'] }, origin: 'person', source: 'rest' });
    const r = store.request({ agent: 'gone', asked: { capabilities: ['fetch'] }, origin: 'llm' });
    store.remove('gone');
    expect(store.get('gone')).toBeUndefined();
    expect(store.getRequest(r.id)?.status).toBe('withdrawn');
    expect(store.decisions({ agent: 'gone' })).toHaveLength(1);
  });

  it('records a repeated refusal once per minute with a count', () => {
    const store = new GrantStore(db, { now });
    const fresh = [1, 2, 3].map(() => store.refuse({ agent: 'spy', action: 'subscribe', target: '#', reason: 'reaches io/…' }).fresh);
    expect(fresh).toEqual([true, false, false]);
    expect(store.refusals({ agent: 'spy' })).toMatchObject([{ action: 'subscribe', target: '#', count: 3 }]);
    clock += 61;
    expect(store.refuse({ agent: 'spy', action: 'subscribe', target: '#', reason: 'again' }).fresh).toBe(true);
    expect(reopen().refusals({ agent: 'spy' })).toHaveLength(2);
  });

  it('a spawn grant drops what can never be granted (recorded) and leaves the pending rest to the policy', () => {
    const store = new GrantStore(db, { now });
    const safeOnly: SpawnGrantPolicy = ({ asked }) => ({ grant: { ...asked, capabilities: [] }, pending: { ...asked, publishes: [], subscribes: [], retained: [], send_to: [], env_names: [], capabilities: asked.capabilities } });
    const out = grantForSpawn(
      store,
      {
        agent: { id: 'abc', name: 'sneaky' },
        asked: { capabilities: ['fetch'], publishes: ['io/chat/response', 'nodes/garage/spawn', 'agents/other/data/x', 'out/x', 'agents/sneaky/data/y'], subscribes: ['#', 'wactorz/replies/#', 'agents/+/data/#', 'agents/+/logs'], send_to: ['*', 'helper'] },
        origin: 'llm',
        source: 'llm',
        reason: 'demo',
      },
      safeOnly,
    );
    expect(out.grant).toMatchObject({ publishes: ['out/x', 'agents/sneaky/data/y'], subscribes: ['#', 'agents/+/data/#'], send_to: ['helper'], capabilities: [] });
    expect(out.request?.asked.capabilities).toEqual(['fetch']);
    expect(out.refused.map((r) => r.value).sort()).toEqual(['*', 'agents/+/logs', 'agents/other/data/x', 'io/chat/response', 'nodes/garage/spawn', 'wactorz/replies/#'].sort());
    expect(store.refusals({ agent: 'sneaky' }).every((r) => r.action === 'grant')).toBe(true);
  });

  it('gives agents that existed before grants what they had, flagged for review, exactly once', () => {
    // An older hub's database: agents in the registry, no grants yet (the migration's marker set).
    const registry = new SpawnRegistry(db);
    registry.upsert({ name: 'old-poller', kind: 'dynamic', code: 'export function setup(a){ a.subscribe("homeassistant/state_changes/#", () => {}) }', config: { capabilities: ['fetch'], publishes: ['weather/now'], env_names: ['KEY'], memory_mb: 64 } });
    registry.upsert({ name: 'old-actuator', kind: 'ha_actuator', config: { spec: { mqtt_topics: ['custom/triggers/door'] } } });
    registry.upsert({ name: 'old-llm', kind: 'llm', config: {} });
    const store = new GrantStore(db, { now });
    expect(store.upgraded.sort()).toEqual(['old-actuator', 'old-llm', 'old-poller']);
    expect(store.get('old-poller')).toMatchObject({
      origin: 'upgrade',
      review: true,
      capabilities: ['fetch', 'home_assistant'],
      publishes: ['#', 'weather/now'],
      subscribes: ['#'],
      send_to: ['*'],
      env_names: ['KEY'],
      limits: { memory_mb: 64 },
    });
    expect(store.get('old-actuator')).toMatchObject({ capabilities: ['ha_actuator'], subscribes: ['custom/triggers/door'] });
    expect(store.get('old-llm')?.capabilities).toEqual(['llm']);
    expect(store.forReview()).toHaveLength(3);
    store.markReviewed('old-llm', { by: 'dashboard' });
    expect(store.forReview()).toHaveLength(2);

    registry.upsert({ name: 'after-upgrade', kind: 'dynamic', code: 'x', config: {} });
    const again = reopen();
    expect(again.upgraded).toEqual([]);
    expect(again.get('after-upgrade')).toBeUndefined();
  });
});
