/**
 * Remote nodes: GET /nodes (polled by the Nodes view) and `nodes/+/heartbeat` (MQTT). Online means
 * heard from in the last 45 s — by the hub (REST `online`, as of the last poll) or by us (a
 * heartbeat that reached the dashboard). Both are measured on this machine's clock from the moment
 * we learnt them, so a hub or node with a skewed clock does not make a node look offline.
 */
import { create } from 'zustand';
import type { NodeInfo } from '../../../shared/rest.js';
import type { NodeHeartbeat } from '../../../shared/node-protocol.js';
import type { DashboardUpdate } from '../connection/topic-router.js';

export const NODE_ONLINE_WINDOW_MS = 45_000;

export interface NodeView extends NodeInfo {
  /** Local ms of the last REST answer that said the node was online (null: it said offline). */
  restOnlineAt: number | null;
  /** Local ms of the last heartbeat the dashboard received. */
  heartbeatAt: number | null;
}

export type NodeMap = Record<string, NodeView>;

export function isNodeOnline(n: NodeView, nowMs: number): boolean {
  const recent = (t: number | null) => t !== null && nowMs - t < NODE_ONLINE_WINDOW_MS;
  return recent(n.heartbeatAt) || recent(n.restOnlineAt);
}

export function loadNodes(prev: NodeMap, list: readonly NodeInfo[], nowMs: number): NodeMap {
  const next: NodeMap = {};
  for (const info of list) {
    const old = prev[info.name];
    next[info.name] = { ...info, restOnlineAt: info.online ? nowMs : null, heartbeatAt: old?.heartbeatAt ?? null };
  }
  return next;
}

const blank = (name: string): NodeView => ({
  name,
  online: true,
  last_seen: null,
  agents: [],
  agent_states: {},
  load: null,
  memory_mb: null,
  cpus: null,
  hostname: null,
  placed: [],
  pending_commands: 0,
  alert: null,
  restOnlineAt: null,
  heartbeatAt: null,
});

export function applyNodeHeartbeats(nodes: NodeMap, beats: readonly (NodeHeartbeat & { received_at: number })[]): NodeMap {
  if (beats.length === 0) return nodes;
  const next: NodeMap = { ...nodes };
  for (const hb of beats) {
    const cur = next[hb.node] ?? blank(hb.node);
    next[hb.node] = {
      ...cur,
      online: true,
      last_seen: hb.timestamp,
      agents: hb.agents,
      agent_states: hb.agent_states ?? cur.agent_states,
      load: hb.load.length > 0 ? hb.load : cur.load,
      memory_mb: hb.memory_mb ?? cur.memory_mb,
      cpus: hb.cpus ?? cur.cpus,
      hostname: hb.hostname ?? cur.hostname,
      heartbeatAt: hb.received_at,
    };
  }
  return next;
}

/** Offline nodes first (they need attention), then by name. */
export function sortNodes(nodes: NodeMap, nowMs: number): NodeView[] {
  return Object.values(nodes).sort((a, b) => Number(isNodeOnline(a, nowMs)) - Number(isNodeOnline(b, nowMs)) || a.name.localeCompare(b.name));
}

interface NodesState {
  nodes: NodeMap;
  loaded: boolean;
  error: string | null;
  setNodes(list: readonly NodeInfo[], nowMs?: number): void;
  setError(e: string | null): void;
  applyUpdate(u: DashboardUpdate): void;
}

export const useNodesStore = create<NodesState>((set) => ({
  nodes: {},
  loaded: false,
  error: null,
  setNodes(list, nowMs = Date.now()) {
    set((st) => ({ nodes: loadNodes(st.nodes, list, nowMs), loaded: true, error: null }));
  },
  setError(error) {
    set({ error });
  },
  applyUpdate(u) {
    if (u.nodeHeartbeats.length === 0) return;
    set((st) => ({ nodes: applyNodeHeartbeats(st.nodes, u.nodeHeartbeats) }));
  },
}));
