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

export function filterAgents(agents: readonly AgentView[], f: AgentFilter, nowMs: number): AgentView[] {
  const out = agents.filter((a) => {
    if (f.kind !== 'all' && a.kind !== f.kind) return false;
    if (f.health !== 'all') {
      const tag = healthTag(a, nowMs);
      if (f.health === 'attention' ? tag !== 'failed' && tag !== 'stale' : tag !== f.health) return false;
    }
    return matchesQuery(a, f.query.trim());
  });
  const dir = f.desc ? -1 : 1;
  const byName = (x: AgentView, y: AgentView) => x.name.localeCompare(y.name);
  const cmp: Record<SortKey, (x: AgentView, y: AgentView) => number> = {
    name: byName,
    kind: (x, y) => x.kind.localeCompare(y.kind),
    state: (x, y) => HEALTH_RANK[healthTag(x, nowMs)] - HEALTH_RANK[healthTag(y, nowMs)],
    heartbeat: (x, y) => (y.lastHeartbeat ?? 0) - (x.lastHeartbeat ?? 0),
    inbox: (x, y) => y.inboxSize - x.inboxSize,
    restarts: (x, y) => y.restarts - x.restarts,
    cost: (x, y) => (y.costUsd ?? -1) - (x.costUsd ?? -1),
    messages: (x, y) => y.messagesProcessed - x.messagesProcessed,
  };
  return out.sort((x, y) => dir * cmp[f.sort](x, y) || byName(x, y));
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
