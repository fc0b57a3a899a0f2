import { describe, expect, it } from 'vitest';
import type { NodeInfo } from '../../../shared/rest.js';
import { applyNodeHeartbeats, isNodeOnline, loadNodes, NODE_ONLINE_WINDOW_MS, sortNodes } from './nodes-store.js';

const info = (name: string, online: boolean): NodeInfo => ({
  name,
  online,
  last_seen: online ? 1_000 : 500,
  agents: [],
  agent_states: {},
  load: null,
  memory_mb: null,
  cpus: null,
  hostname: null,
  placed: [],
  pending_commands: 0,
  alert: null,
});

describe('nodes store reducers', () => {
  it('online as the hub said, until 45 s after we asked', () => {
    const nodes = loadNodes({}, [info('pi', true), info('nas', false)], 10_000);
    expect(isNodeOnline(nodes.pi!, 10_000)).toBe(true);
    expect(isNodeOnline(nodes.pi!, 10_000 + NODE_ONLINE_WINDOW_MS - 1)).toBe(true);
    expect(isNodeOnline(nodes.pi!, 10_000 + NODE_ONLINE_WINDOW_MS)).toBe(false);
    expect(isNodeOnline(nodes.nas!, 10_000)).toBe(false);
  });

  it('a heartbeat brings a node online and updates its agents and load; a new node appears', () => {
    const nodes = loadNodes({}, [info('nas', false)], 10_000);
    const next = applyNodeHeartbeats(nodes, [
      { node: 'nas', timestamp: 2_000, agents: ['a', 'b'], load: [0.5, 0.4, 0.3], memory_mb: 120, received_at: 20_000 },
      { node: 'edge', timestamp: 2_000, agents: [], load: [], memory_mb: 40, received_at: 20_000 },
    ]);
    expect(next.nas).toMatchObject({ agents: ['a', 'b'], load: [0.5, 0.4, 0.3], memory_mb: 120, last_seen: 2_000 });
    expect(isNodeOnline(next.nas!, 20_000 + 1_000)).toBe(true);
    expect(isNodeOnline(next.edge!, 20_000)).toBe(true);
    expect(isNodeOnline(next.edge!, 20_000 + NODE_ONLINE_WINDOW_MS + 1)).toBe(false);
    expect(applyNodeHeartbeats(next, [])).toBe(next);
  });

  it('a poll keeps the time of the last heartbeat we heard', () => {
    const heard = applyNodeHeartbeats({}, [{ node: 'pi', timestamp: 1, agents: [], load: [], memory_mb: 40, received_at: 50_000 }]);
    const polled = loadNodes(heard, [info('pi', false)], 51_000);
    expect(isNodeOnline(polled.pi!, 60_000)).toBe(true);
  });

  it('lists offline nodes first, then by name', () => {
    const nodes = loadNodes({}, [info('b', true), info('a', true), info('z', false)], 0);
    expect(sortNodes(nodes, 1_000).map((n) => n.name)).toEqual(['z', 'a', 'b']);
  });
});
