import { describe, expect, it } from 'vitest';
import type { AgentView } from '../../stores/agents-store.js';
import { countAgents, DEFAULT_FILTER, filterAgents } from './agent-filter.js';

const NOW = 1_000_000;
const a = (name: string, p: Partial<AgentView> = {}): AgentView => ({
  id: `id-${name}`,
  name,
  kind: 'core',
  state: 'running',
  protected: false,
  lastHeartbeat: NOW / 1000 - 5,
  inboxSize: 0,
  restarts: 0,
  messagesProcessed: 0,
  costUsd: null,
  heartbeats: [],
  ...p,
});

const agents = [
  a('main', { costUsd: 2 }),
  a('weather', { kind: 'dynamic', description: 'Oslo forecast', restarts: 3 }),
  a('lamp-rule', { kind: 'catalog', lastHeartbeat: NOW / 1000 - 300 }),
  a('broken', { kind: 'dynamic', state: 'failed' }),
  a('old', { state: 'stopped' }),
];

describe('filterAgents', () => {
  it('puts what needs attention first by default', () => {
    expect(filterAgents(agents, DEFAULT_FILTER, NOW).map((x) => x.name)).toEqual(['broken', 'lamp-rule', 'main', 'weather', 'old']);
  });

  it('searches name, description and id with every word', () => {
    expect(filterAgents(agents, { ...DEFAULT_FILTER, query: 'oslo' }, NOW).map((x) => x.name)).toEqual(['weather']);
    expect(filterAgents(agents, { ...DEFAULT_FILTER, query: 'id-main' }, NOW).map((x) => x.name)).toEqual(['main']);
    expect(filterAgents(agents, { ...DEFAULT_FILTER, query: 'weather nope' }, NOW)).toEqual([]);
  });

  it('filters by kind and health', () => {
    expect(filterAgents(agents, { ...DEFAULT_FILTER, kind: 'dynamic' }, NOW).map((x) => x.name)).toEqual(['broken', 'weather']);
    expect(filterAgents(agents, { ...DEFAULT_FILTER, health: 'attention' }, NOW).map((x) => x.name)).toEqual(['broken', 'lamp-rule']);
    expect(filterAgents(agents, { ...DEFAULT_FILTER, health: 'stale' }, NOW).map((x) => x.name)).toEqual(['lamp-rule']);
  });

  it('sorts by any column, both ways', () => {
    expect(filterAgents(agents, { ...DEFAULT_FILTER, sort: 'cost' }, NOW)[0]!.name).toBe('main');
    expect(filterAgents(agents, { ...DEFAULT_FILTER, sort: 'restarts' }, NOW)[0]!.name).toBe('weather');
    expect(filterAgents(agents, { ...DEFAULT_FILTER, sort: 'name', desc: true }, NOW).map((x) => x.name)).toEqual(['weather', 'old', 'main', 'lamp-rule', 'broken']);
  });

  it('handles 500 agents', () => {
    const many = Array.from({ length: 500 }, (_, i) => a(`agent-${i}`, { kind: i % 3 ? 'dynamic' : 'core' }));
    const rows = filterAgents(many, { ...DEFAULT_FILTER, query: 'agent-4', kind: 'dynamic' }, NOW);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.every((r) => r.kind === 'dynamic' && r.name.includes('agent-4'))).toBe(true);
  });
});

describe('countAgents', () => {
  it('counts by health and kind', () => {
    expect(countAgents(agents, NOW)).toEqual({ total: 5, running: 2, stale: 1, failed: 1, stopped: 1, kinds: { core: 2, dynamic: 2, catalog: 1 } });
  });
});
