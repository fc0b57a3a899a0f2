/**
 * The rule of issue 12 item 6 as pure functions: who asks decides what is granted at once, what
 * waits, and how limits are clamped; the spawn caps on an injected clock; the caps from the
 * environment; refusals recorded for the bus enforcement.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Asker } from '../../shared/approvals.js';
import { migrations } from '../persistence/migrations/index.js';
import { applyMigrations } from '../persistence/sqlite/migrate.js';
import { ApprovalStore } from './approval-store.js';
import { approvalLimitsFrom } from './approvals-config.js';
import { Approvals } from './approvals-service.js';
import { DEFAULT_APPROVAL_LIMITS as L, decideGrant, revocableItems, withItems, withoutItems } from './grant-policy.js';
import { SpawnCaps, SpawnRefusedError } from './spawn-caps.js';

const llm: Asker = { kind: 'llm', name: 'main', via: 'spawn_block' };
const person: Asker = { kind: 'person', name: 'rest', via: 'rest' };
const ask = { capabilities: ['Fetch', 'fetch_local', 'alerts', 'llm', 'alerts'], env_names: ['KEY'], limits: { memory_mb: 4096, call_timeout_ms: 10_000, isolation: 'dedicated' as const } };

describe('decideGrant', () => {
  it('a person gets what they asked, limits clamped to the hub maxima', () => {
    const d = decideGrant(ask, person, 'dynamic', L);
    expect(d.pending).toEqual([]);
    expect(d.now).toEqual({ capabilities: ['fetch', 'fetch_local', 'alerts', 'llm'], env_names: ['KEY'], limits: { memory_mb: 1024, call_timeout_ms: 10_000, isolation: 'dedicated' } });
    expect(d.notes).toEqual(["memory_mb 4096 is above the hub's maximum: 1024"]);
  });

  it('an LLM gets the safe default; power, secrets, big limits and isolation wait', () => {
    const d = decideGrant(ask, llm, 'dynamic', L);
    expect(d.now).toEqual({ capabilities: ['alerts', 'llm'], env_names: [], limits: { memory_mb: 128, call_timeout_ms: 10_000, llm_budget_usd: 1 } });
    expect(d.waiting).toBe(false);
    expect(d.pending.map((i) => [i.key, i.kind])).toEqual([
      ['fetch', 'capability'],
      ['fetch_local', 'capability'],
      ['env:KEY', 'env'],
      ['memory_mb', 'limit'],
      ['isolation', 'limit'],
    ]);
    expect(d.pending.find((i) => i.key === 'memory_mb')).toMatchObject({ value: 1024, asked: 4096, meanwhile: 128, state: 'pending' });
    expect(d.pending.find((i) => i.key === 'fetch_local')!.label).toMatch(/this machine/);
  });

  it('an agent asking through the catalog is treated as an LLM; an actuator waits whole', () => {
    const d = decideGrant({ capabilities: [], env_names: [], limits: {} }, { kind: 'agent', name: 'a1', via: 'catalog' }, 'ha_actuator', L);
    expect(d.waiting).toBe(true);
    expect(d.pending.map((i) => i.key)).toEqual(['spawn']);
    expect(d.now.limits.llm_budget_usd).toBe(1);
  });

  it('nothing beyond the default: nothing pending', () => {
    expect(decideGrant({ capabilities: ['alerts'], env_names: [], limits: { memory_mb: 64 } }, llm, 'dynamic', L).pending).toEqual([]);
  });

  it('dedicated isolation refused by the hub is shared for everyone', () => {
    const noDedicated = { ...L, max: { ...L.max, dedicated: false } };
    const d = decideGrant({ capabilities: [], env_names: [], limits: { isolation: 'dedicated' } }, person, 'dynamic', noDedicated);
    expect(d.now.limits.isolation).toBe('shared');
    expect(d.notes[0]).toMatch(/not allowed/);
  });

  it('approving adds items; revoking takes them back to the safe ceilings', () => {
    const d = decideGrant(ask, llm, 'dynamic', L);
    const granted = withItems(d.now, d.pending);
    expect(granted).toEqual({ capabilities: ['alerts', 'llm', 'fetch', 'fetch_local'], env_names: ['KEY'], limits: { memory_mb: 1024, call_timeout_ms: 10_000, llm_budget_usd: 1, isolation: 'dedicated' } });
    expect(revocableItems(granted, L)).toEqual(['fetch', 'fetch_local', 'env:KEY', 'memory_mb', 'isolation']);
    expect(withoutItems(granted, ['FETCH_LOCAL', 'env:KEY', 'memory_mb', 'isolation'], L)).toEqual({
      capabilities: ['alerts', 'llm', 'fetch'],
      env_names: [],
      limits: { memory_mb: 128, call_timeout_ms: 10_000, llm_budget_usd: 1, isolation: 'shared' },
    });
  });
});

describe('SpawnCaps', () => {
  it('caps agents in total for new names, whoever asks', () => {
    const caps = new SpawnCaps({ maxAgents: 2, spawnsPerMinute: 100 });
    expect(() => caps.check(person, 2, true)).toThrow(/its cap \(WACTORZ_MAX_AGENTS=2\)/);
    expect(() => caps.check(person, 2, false)).not.toThrow();
    expect(() => caps.check(llm, 5, true)).toThrow(expect.objectContaining({ name: 'SpawnRefusedError', kind: 'too_many_agents' }));
  });

  it('caps spawns per minute per parent in a sliding window; a person is not counted', () => {
    let now = 1_000_000;
    const caps = new SpawnCaps({ maxAgents: 1_000, spawnsPerMinute: 2 }, () => now);
    const agent: Asker = { kind: 'agent', name: 'spawner', via: 'catalog' };
    caps.record(agent);
    now += 10_000;
    caps.record(agent);
    let err: SpawnRefusedError | undefined;
    try {
      caps.check(agent, 0, true);
    } catch (e) {
      err = e as SpawnRefusedError;
    }
    expect(err).toMatchObject({ kind: 'rate_limited', detail: { limit: 2, count: 2, retry_after_s: 50, parent: 'spawner' } });
    expect(err!.message).toMatch(/spawner spawned 2 agents within a minute.*try again in 50 s/);
    // Another parent and a person are not held back.
    expect(() => caps.check(llm, 0, true)).not.toThrow();
    for (let i = 0; i < 10; i++) caps.record(person);
    expect(() => caps.check(person, 0, true)).not.toThrow();
    // The first spawn leaves the window.
    now += 50_001;
    expect(() => caps.check(agent, 0, true)).not.toThrow();
  });
});

describe('approvalLimitsFrom', () => {
  it('reads the environment; a bad value keeps the default with a log line; safe ceilings stay under the maxima', () => {
    const logs: string[] = [];
    const l = approvalLimitsFrom(
      { WACTORZ_MAX_AGENTS: '5', WACTORZ_SPAWNS_PER_MINUTE: 'many', WACTORZ_MAX_AGENT_MEMORY_MB: '64', WACTORZ_AGENT_LLM_BUDGET_USD: '0.5', WACTORZ_DEDICATED_WORKERS: 'off' },
      {},
      (_level, m) => logs.push(m),
    );
    expect(l).toMatchObject({ maxAgents: 5, spawnsPerMinute: 20, max: { memory_mb: 64, dedicated: false }, safe: { memory_mb: 64, llm_budget_usd: 0.5 } });
    expect(logs).toEqual(['approvals: WACTORZ_SPAWNS_PER_MINUTE=many is not a positive integer; the default stays']);
    expect(approvalLimitsFrom({})).toEqual(L);
  });
});

describe('Approvals.recordRefusal', () => {
  it('records a refusal once a minute per agent, reason and items', () => {
    const db = new Database(':memory:');
    applyMigrations(db, migrations);
    let now = 0;
    const approvals = new Approvals({ store: new ApprovalStore(db), limits: L, now: () => now });
    const r = { agent: 'a', reason: 'publish' as const, items: ['io/chat'], message: 'agents may not publish on io/chat' };
    expect(approvals.recordRefusal(r)).toBe(true);
    now += 30_000;
    expect(approvals.recordRefusal(r)).toBe(false);
    expect(approvals.recordRefusal({ ...r, items: ['system/x'] })).toBe(true);
    now += 31_000;
    expect(approvals.recordRefusal(r)).toBe(true);
    expect(approvals.refusals({ agent: 'a' }).map((x) => [x.reason, x.items[0]])).toEqual([
      ['publish', 'io/chat'],
      ['publish', 'system/x'],
      ['publish', 'io/chat'],
    ]);
    db.close();
  });
});
