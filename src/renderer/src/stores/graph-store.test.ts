import { beforeEach, describe, expect, it } from 'vitest';
import type { Graph } from '../../../shared/graph.js';
import { routeMessages } from '../connection/topic-router.js';
import { useGraphStore } from './graph-store.js';

const g1: Graph = { agents: [{ id: 'a', name: 'a', kind: 'dynamic', node: null, state: 'running' }], edges: [], nodes: [] };
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const snapshot = (seq: number, timestamp: number, graph: Graph = g1) => ({ topic: 'system/graph', payload: enc({ seq, timestamp, graph }) });
const delta = (seq: number, timestamp: number, agents: Graph['agents'] = []) => ({ topic: 'system/graph/delta', payload: enc({ seq, timestamp, agents, removed_agents: [], edges: [], removed_edges: [] }) });
const apply = (...batch: { topic: string; payload: Uint8Array }[]) => useGraphStore.getState().applyUpdate(routeMessages(batch));

describe('graph store', () => {
  beforeEach(() => useGraphStore.getState().reset());

  it('takes the retained snapshot, then the deltas that continue it', () => {
    apply(snapshot(3, 100));
    apply(delta(4, 101, [{ id: 'b', name: 'b', kind: 'core', node: null, state: 'paused' }]));
    const s = useGraphStore.getState();
    expect(s.seq).toBe(4);
    expect(s.graph!.agents.map((a) => a.id)).toEqual(['a', 'b']);
    expect(s.stale).toBe(false);
  });

  it('after a missed delta waits for the next snapshot, and takes a restarted hub’s newer one', () => {
    apply(snapshot(3, 100));
    apply(delta(5, 102, [{ id: 'x', name: 'x', kind: 'core', node: null, state: 'running' }]));
    expect(useGraphStore.getState().stale).toBe(true);
    expect(useGraphStore.getState().graph!.agents.map((a) => a.id)).toEqual(['a']);
    apply(snapshot(0, 200, { ...g1, agents: [] })); // the hub restarted: seq from 0, but newer
    expect(useGraphStore.getState()).toMatchObject({ seq: 0, stale: false, graph: { agents: [] } });
    apply(snapshot(0, 150)); // an older retained copy is not taken
    expect(useGraphStore.getState().graph!.agents).toEqual([]);
  });

  it('counts a malformed graph message as rejected and ignores it', () => {
    const u = routeMessages([{ topic: 'system/graph', payload: enc({ seq: 'x' }) }, { topic: 'system/graph/delta', payload: enc({ nope: true }) }]);
    expect(u.rejected).toHaveLength(2);
    useGraphStore.getState().applyUpdate(u);
    expect(useGraphStore.getState().graph).toBeNull();
  });
});
