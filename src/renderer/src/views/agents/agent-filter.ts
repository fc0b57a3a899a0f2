/** Search, filter and sort of the agents table (pure, so it is tested without a browser). */
import { create } from 'zustand';
import { healthTag, type AgentKindView, type AgentView, type HealthTag } from '../../stores/agents-store.js';

export type SortKey = 'name' | 'kind' | 'state' | 'heartbeat' | 'inbox' | 'restarts' | 'cost' | 'messages';
export type HealthFilter = 'all' | 'attention' | HealthTag;

export interface AgentFilter {
  query: string;
  kind: AgentKindView | 'all';
  health: HealthFilter;
  sort: SortKey;
  desc: boolean;
}

export const DEFAULT_FILTER: AgentFilter = { query: '', kind: 'all', health: 'all', sort: 'state', desc: false };

/** Failed first, then stale, then the rest: what needs a look comes to the top. */
const HEALTH_RANK: Record<HealthTag, number> = { failed: 0, stale: 1, starting: 2, paused: 3, ok: 4, stopped: 5 };

function matchesQuery(a: AgentView, q: string): boolean {
  if (!q) return true;
  const hay = `${a.name}\n${a.id}\n${a.description ?? ''}\n${a.kind}\n${a.node ?? ''}`.toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** One collator for every comparison (String#localeCompare builds its lookup per call). */
const collator = new Intl.Collator(undefined, { sensitivity: 'variant' });

export function filterAgents(agents: readonly AgentView[], f: AgentFilter, nowMs: number): AgentView[] {
  const q = f.query.trim();
  // Health is computed once per agent, not once per comparison: 2,000 agents sort in a few ms.
  const rows: { a: AgentView; tag: HealthTag }[] = [];
  for (const a of agents) {
    if (f.kind !== 'all' && a.kind !== f.kind) continue;
    const tag = healthTag(a, nowMs);
    if (f.health !== 'all' && (f.health === 'attention' ? tag !== 'failed' && tag !== 'stale' : tag !== f.health)) continue;
    if (!matchesQuery(a, q)) continue;
    rows.push({ a, tag });
  }
  const dir = f.desc ? -1 : 1;
  type Row = (typeof rows)[number];
  const byName = (x: Row, y: Row) => collator.compare(x.a.name, y.a.name);
  const cmp: Record<SortKey, (x: Row, y: Row) => number> = {
    name: byName,
    kind: (x, y) => collator.compare(x.a.kind, y.a.kind),
    state: (x, y) => HEALTH_RANK[x.tag] - HEALTH_RANK[y.tag],
    heartbeat: (x, y) => (y.a.lastHeartbeat ?? 0) - (x.a.lastHeartbeat ?? 0),
    inbox: (x, y) => y.a.inboxSize - x.a.inboxSize,
    restarts: (x, y) => y.a.restarts - x.a.restarts,
    cost: (x, y) => (y.a.costUsd ?? -1) - (x.a.costUsd ?? -1),
    messages: (x, y) => y.a.messagesProcessed - x.a.messagesProcessed,
  };
  const by = cmp[f.sort];
  rows.sort((x, y) => dir * by(x, y) || byName(x, y));
  return rows.map((r) => r.a);
}

export interface AgentCounts {
  total: number;
  running: number;
  stale: number;
  failed: number;
  stopped: number;
  kinds: Record<string, number>;
}

export function countAgents(agents: readonly AgentView[], nowMs: number): AgentCounts {
  const c: AgentCounts = { total: agents.length, running: 0, stale: 0, failed: 0, stopped: 0, kinds: {} };
  for (const a of agents) {
    const tag = healthTag(a, nowMs);
    if (tag === 'ok') c.running++;
    else if (tag === 'stale') c.stale++;
    else if (tag === 'failed') c.failed++;
    else if (tag === 'stopped') c.stopped++;
    c.kinds[a.kind] = (c.kinds[a.kind] ?? 0) + 1;
  }
  return c;
}

export const useAgentFilter = create<AgentFilter & { set(p: Partial<AgentFilter>): void }>((set) => ({
  ...DEFAULT_FILTER,
  set(p) {
    set(p);
  },
}));
