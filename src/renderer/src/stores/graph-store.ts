/**
 * The graph of agents as the hub publishes it (src/shared/graph.ts): the retained `system/graph`
 * snapshot, kept current by `system/graph/delta` — no polling. A delta applies only on top of the
 * state it was made from (`seq - 1`); after a gap (a missed delta, a reconnect) the store waits for
 * the next snapshot, which the hub re-sends every few seconds while the graph changes. A snapshot
 * from a restarted hub (its `seq` starts again) is taken because it is newer.
 */
import { create } from 'zustand';
import { applyGraphDelta, type Graph } from '../../../shared/graph.js';
import type { DashboardUpdate } from '../connection/topic-router.js';

interface GraphState {
  graph: Graph | null;
  seq: number;
  /** Hub time (epoch seconds) of what the graph shows. */
  timestamp: number;
  /** A delta was missed: the graph is shown as it was until the next snapshot. */
  stale: boolean;
  /** Times an update changed the graph (views compare it instead of the graph). */
  version: number;
  applyUpdate(u: Pick<DashboardUpdate, 'graphSnapshots' | 'graphDeltas'>): void;
  reset(): void;
}

export const useGraphStore = create<GraphState>((set, get) => ({
  graph: null,
  seq: -1,
  timestamp: 0,
  stale: false,
  version: 0,
  applyUpdate(u) {
    if (u.graphSnapshots.length === 0 && u.graphDeltas.length === 0) return;
    let { graph, seq, timestamp, stale } = get();
    let changed = false;
    // Snapshots and deltas interleave in arrival order only within their own kind; take the
    // newest usable snapshot first, then every delta that continues from it.
    for (const s of u.graphSnapshots) {
      if (graph === null || s.seq > seq || s.timestamp > timestamp) {
        graph = s.graph;
        seq = s.seq;
        timestamp = s.timestamp;
        stale = false;
        changed = true;
      }
    }
    for (const d of u.graphDeltas) {
      if (graph === null) continue;
      if (d.seq === seq + 1) {
        graph = applyGraphDelta(graph, d);
        seq = d.seq;
        timestamp = d.timestamp;
        changed = true;
      } else if (d.seq > seq + 1 || d.timestamp > timestamp + 1) {
        stale = true; // missed one (or the hub restarted): wait for a snapshot
      }
    }
    if (changed || stale !== get().stale) set((st) => ({ graph, seq, timestamp, stale, version: st.version + (changed ? 1 : 0) }));
  },
  reset() {
    set({ graph: null, seq: -1, timestamp: 0, stale: false, version: 0 });
  },
}));
