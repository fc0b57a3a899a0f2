/**
 * Every actor the dashboard knows, keyed by actor id: the REST list as the starting point, kept
 * live by heartbeats, metrics, status changes and manifests from MQTT (applied once per frame).
 */
import { create } from 'zustand';
import { ACTOR_KINDS, ACTOR_STATES, type ActorKind, type ActorState } from '../../../shared/actor-state.js';
import type { Manifest, Metrics, SystemHealth } from '../../../shared/mqtt-payloads.js';
import type { AgentSummary } from '../../../shared/rest.js';
import type { DashboardUpdate } from '../connection/topic-router.js';

/** A heartbeat older than this marks an actor as stale (MonitorAgent warns at the same age). */
export const STALE_AFTER_SECONDS = 60;
/** Heartbeats kept per actor for the timeline (10 s apart → 20 minutes). */
export const HEARTBEAT_HISTORY = 120;

export type AgentKindView = ActorKind | 'unknown';

export interface HeartbeatPoint {
  t: number;
  state: ActorState;
  cpu: number;
  memoryMb: number;
}

export interface AgentView {
  id: string;
  name: string;
  kind: AgentKindView;
  state: ActorState;
  protected: boolean;
  /** Epoch seconds. */
  lastHeartbeat: number | null;
  inboxSize: number;
  restarts: number;
  messagesProcessed: number;
  costUsd: number | null;
  description?: string;
  node?: string;
  cpu?: number;
  memoryMb?: number;
  task?: string | null;
  uptime?: number;
  supervised?: boolean;
  metrics?: Metrics;
  manifest?: Manifest;
  heartbeats: HeartbeatPoint[];
}

interface AgentsState {
  byId: Record<string, AgentView>;
  health: SystemHealth | null;
  /** Epoch ms of the last REST list; null until the first one. */
  loadedAt: number | null;
  loadSummaries(list: AgentSummary[], nowMs?: number): void;
  applyUpdate(u: DashboardUpdate): void;
  remove(idOrName: string): void;
  reset(): void;
}

function asKind(k: string | undefined, fallback: AgentKindView): AgentKindView {
  return k && (ACTOR_KINDS as readonly string[]).includes(k) ? (k as ActorKind) : fallback;
}

function asState(s: string | undefined, fallback: ActorState): ActorState {
  return s && (ACTOR_STATES as readonly string[]).includes(s) ? (s as ActorState) : fallback;
}

/** An agent the dashboard knows only by id and name (no heartbeat yet). */
export function blankAgent(id: string, name: string): AgentView {
  return {
    id,
    name,
    kind: 'unknown',
    state: 'running',
    protected: false,
    lastHeartbeat: null,
    inboxSize: 0,
    restarts: 0,
    messagesProcessed: 0,
    costUsd: null,
    heartbeats: [],
  };
}

function fromSummary(s: AgentSummary, prev: AgentView | undefined): AgentView {
  const base = prev ?? blankAgent(s.id, s.name);
  const next: AgentView = {
    ...base,
    id: s.id,
    name: s.name,
    kind: asKind(s.kind, base.kind),
    state: asState(s.state, base.state),
    protected: s.protected,
    // A live heartbeat may be newer than the REST snapshot.
    lastHeartbeat: Math.max(s.last_heartbeat ?? 0, base.lastHeartbeat ?? 0) || null,
    inboxSize: s.inbox_size,
    restarts: s.restart_count,
    messagesProcessed: s.messages_processed,
    costUsd: s.cost_usd ?? base.costUsd,
  };
  if (s.description !== undefined) next.description = s.description;
  if (s.node !== undefined) next.node = s.node;
  return next;
}

/** Pure: the agents map after one batch of MQTT updates (only touched actors get new objects). */
export function reduceAgents(byId: Record<string, AgentView>, u: DashboardUpdate): Record<string, AgentView> {
  if (u.heartbeats.length + u.metrics.length + u.statuses.length + u.manifests.length === 0) return byId;
  const next = { ...byId };
  const touch = (id: string, name?: string): AgentView => {
    const cur = next[id];
    if (cur && cur !== byId[id]) return cur; // already copied in this batch
    const copy: AgentView = cur ? { ...cur } : blankAgent(id, name ?? id);
    next[id] = copy;
    return copy;
  };
  for (const { actorId, value: hb } of u.heartbeats) {
    const a = touch(actorId, hb.name);
    a.name = hb.name;
    a.state = hb.state;
    a.protected = hb.protected;
    a.lastHeartbeat = Math.max(a.lastHeartbeat ?? 0, hb.timestamp);
    a.cpu = hb.cpu;
    a.memoryMb = hb.memory_mb;
    a.task = hb.task;
    if (hb.inbox_size !== undefined) a.inboxSize = hb.inbox_size;
    if (hb.kind !== undefined) a.kind = asKind(hb.kind, a.kind);
    if (hb.node !== undefined) a.node = hb.node;
    const point: HeartbeatPoint = { t: hb.timestamp, state: hb.state, cpu: hb.cpu, memoryMb: hb.memory_mb };
    const hist = a.heartbeats;
    a.heartbeats = hist.length >= HEARTBEAT_HISTORY ? hist.slice(hist.length - HEARTBEAT_HISTORY + 1).concat(point) : hist.concat(point);
  }
  for (const { actorId, value: m } of u.metrics) {
    const a = touch(actorId);
    a.metrics = m;
    a.restarts = m.restart_count;
    a.messagesProcessed = m.messages_processed;
    a.uptime = m.uptime;
    if (m.inbox_size !== undefined) a.inboxSize = m.inbox_size;
    if (m.cost_usd !== undefined) a.costUsd = m.cost_usd;
  }
  for (const { actorId, value: s } of u.statuses) {
    const a = touch(actorId, s.name);
    a.name = s.name;
    a.state = s.state;
    a.protected = s.protected;
    a.uptime = s.uptime;
    a.messagesProcessed = s.messages_processed;
    a.restarts = s.restart_count;
    a.supervised = s.supervised;
    if (s.kind !== undefined) a.kind = asKind(s.kind, a.kind);
  }
  for (const { actorId, value: m } of u.manifests) {
    const a = touch(actorId, m.name);
    a.name = m.name;
    a.manifest = m;
    if (m.description) a.description = m.description;
    if (m.kind !== undefined) a.kind = asKind(m.kind, a.kind);
  }
  return next;
}

export const useAgentsStore = create<AgentsState>((set) => ({
  byId: {},
  health: null,
  loadedAt: null,
  loadSummaries(list, nowMs = Date.now()) {
    set((st) => {
      const next: Record<string, AgentView> = {};
      for (const s of list) next[s.id] = fromSummary(s, st.byId[s.id]);
      // Keep actors the hub did not list but that spoke on MQTT recently (remote nodes).
      for (const [id, a] of Object.entries(st.byId)) {
        if (!next[id] && a.lastHeartbeat !== null && nowMs / 1000 - a.lastHeartbeat < STALE_AFTER_SECONDS && a.state !== 'stopped') next[id] = a;
      }
      return { byId: next, loadedAt: nowMs };
    });
  },
  applyUpdate(u) {
    set((st) => {
      const byId = reduceAgents(st.byId, u);
      if (byId === st.byId && !u.health) return st;
      return { byId, health: u.health ?? st.health };
    });
  },
  remove(idOrName) {
    set((st) => {
      const next = { ...st.byId };
      for (const [id, a] of Object.entries(next)) if (id === idOrName || a.name === idOrName) delete next[id];
      return { byId: next };
    });
  },
  reset() {
    set({ byId: {}, health: null, loadedAt: null });
  },
}));

export function isStale(a: AgentView, nowMs: number): boolean {
  if (a.state !== 'running' && a.state !== 'paused') return false;
  return a.lastHeartbeat !== null && nowMs / 1000 - a.lastHeartbeat > STALE_AFTER_SECONDS;
}

export type HealthTag = 'ok' | 'stale' | 'failed' | 'stopped' | 'paused' | 'starting';

export function healthTag(a: AgentView, nowMs: number): HealthTag {
  if (a.state === 'failed') return 'failed';
  if (a.state === 'stopped' || a.state === 'stopping') return 'stopped';
  if (isStale(a, nowMs)) return 'stale';
  if (a.state === 'paused') return 'paused';
  if (a.state === 'created' || a.state === 'starting') return 'starting';
  return 'ok';
}

/** Looks an actor up by id or name. */
export function findAgent(byId: Record<string, AgentView>, idOrName: string): AgentView | undefined {
  return byId[idOrName] ?? Object.values(byId).find((a) => a.name === idOrName);
}
