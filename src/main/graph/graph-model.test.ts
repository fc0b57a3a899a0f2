import { describe, expect, it } from 'vitest';
import { applyGraphDelta, diffGraph, edgeKey, type GraphAgent } from '../../shared/graph.js';
import { buildGraph, filtersOverlap, type AgentFacts } from './graph-model.js';

const agent = (id: string, over: Partial<GraphAgent> = {}): GraphAgent => ({ id, name: id, kind: 'dynamic', node: null, state: 'running', ...over });
const facts = (id: string, o: { publishes?: string[]; listens?: string[]; local?: boolean; node?: string } = {}): AgentFacts => ({
  agent: agent(id, o.node ? { node: o.node } : {}),
  publishes: o.publishes ?? [],
  listens: o.listens ?? [],
  local: o.local ?? true,
});

describe('filtersOverlap', () => {
  it('is true when some topic matches both filters', () => {
    expect(filtersOverlap('a/+', 'a/b/#')).toBe(true);
    expect(filtersOverlap('a/+/c', 'a/b/+')).toBe(true);
    expect(filtersOverlap('#', 'x')).toBe(true);
    expect(filtersOverlap('a/b', 'a/c')).toBe(false);
    expect(filtersOverlap('a/+', 'a/b/c')).toBe(false);
    expect(filtersOverlap('a/b/#', 'a')).toBe(false);
  });
});

describe('buildGraph', () => {
  it('joins an observed publisher to every subscriber whose filter matches, with its rate', () => {
    const g = buildGraph({
      agents: [facts('sim'), facts('alerter', { listens: ['sensors/+'] }), facts('logger', { listens: ['sensors/temp'] }), facts('other', { listens: ['x/#'] })],
      rates: [{ topic: 'sensors/temp', publisher: 'sim', rate: 1 }],
      nodes: [],
    });
    expect(g.edges).toEqual([
      { from: 'sim', to: 'alerter', topic: 'sensors/temp', rate: 1 },
      { from: 'sim', to: 'logger', topic: 'sensors/temp', rate: 1 },
    ]);
  });

  it('draws declared contracts before any message flows (rate 0), and not again once observed', () => {
    const agents = [facts('sim', { publishes: ['sensors/temp'] }), facts('alerter', { listens: ['sensors/temp'] })];
    expect(buildGraph({ agents, rates: [], nodes: [] }).edges).toEqual([{ from: 'sim', to: 'alerter', topic: 'sensors/temp', rate: 0 }]);
    expect(buildGraph({ agents, rates: [{ topic: 'sensors/temp', publisher: 'sim', rate: 2 }], nodes: [] }).edges).toEqual([{ from: 'sim', to: 'alerter', topic: 'sensors/temp', rate: 2 }]);
    // A declared pattern meets a subscription filter when they overlap.
    const wild = buildGraph({ agents: [facts('p', { publishes: ['data/#'] }), facts('s', { listens: ['data/+/t'] })], rates: [], nodes: [] });
    expect(wild.edges).toEqual([{ from: 'p', to: 's', topic: 'data/#', rate: 0 }]);
  });

  it('attributes messages no tap announced: the namespace owner, else the one remote declarer, else "external"', () => {
    const agents = [
      facts('remote1', { local: false, publishes: ['garden/moisture'], node: 'garage' }),
      facts('sub', { listens: ['#'] }),
    ];
    const g = buildGraph({
      agents,
      rates: [
        { topic: 'agents/remote1/data', publisher: null, rate: 0.5 },
        { topic: 'garden/moisture', publisher: null, rate: 0.2 },
        { topic: 'lab/door', publisher: null, rate: 3 },
      ],
      nodes: [{ name: 'garage', online: true }],
    });
    expect(g.edges).toEqual([
      { from: 'external', to: 'sub', topic: 'lab/door', rate: 3 },
      { from: 'remote1', to: 'sub', topic: 'agents/remote1/data', rate: 0.5 },
      { from: 'remote1', to: 'sub', topic: 'garden/moisture', rate: 0.2 },
    ]);
    expect(g.agents.find((a) => a.id === 'external')).toMatchObject({ kind: 'external', node: null });
    expect(g.nodes).toEqual([{ name: 'garage', online: true }]);
  });

  it('never wires plumbing, nor an agent to itself, and keeps the busiest wires past the cap', () => {
    const agents = [facts('a', { listens: ['#', 'agents/+/heartbeat'] }), facts('b', { listens: ['#'] })];
    const rates = [
      { topic: 'agents/a/heartbeat', publisher: 'a', rate: 5 },
      { topic: 'system/health', publisher: 'b', rate: 5 },
      { topic: 't/1', publisher: 'a', rate: 1 },
      { topic: 't/2', publisher: 'a', rate: 9 },
      { topic: 't/3', publisher: 'a', rate: 4 },
    ];
    const g = buildGraph({ agents, rates, nodes: [], maxEdges: 2 });
    expect(g.edges.map((e) => `${e.from}>${e.to}:${e.topic}`)).toEqual(['a>b:t/2', 'a>b:t/3']);
  });
});

describe('graph deltas', () => {
  it('a delta applied to the previous graph gives the next one', () => {
    const prev = buildGraph({ agents: [facts('p', { publishes: ['t'] }), facts('s', { listens: ['t'] }), facts('gone')], rates: [], nodes: [{ name: 'n1', online: true }] });
    const next = buildGraph({
      agents: [facts('p', { publishes: ['t'] }), facts('s', { listens: ['t', 'u'] }), facts('new', { publishes: ['u'] })],
      rates: [{ topic: 't', publisher: 'p', rate: 2 }],
      nodes: [{ name: 'n1', online: false }],
    });
    const d = diffGraph(prev, next)!;
    expect(d.removed_agents).toEqual(['gone']);
    expect(d.agents.map((a) => a.id)).toEqual(['new']);
    expect(d.nodes).toEqual([{ name: 'n1', online: false }]);
    const applied = applyGraphDelta(prev, d);
    const key = (g: typeof next) => [g.agents.map((a) => a.id).sort(), g.edges.map(edgeKey).sort(), g.edges.map((e) => e.rate).sort(), g.nodes];
    expect(key(applied)).toEqual(key(next));
    expect(diffGraph(next, next)).toBeNull();
  });
});
