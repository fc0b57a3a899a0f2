/**
 * The graph of agents from what the hub knows — a pure function, so every rule is tested alone:
 *
 * - **Wires** join a publisher of a topic to every other agent whose subscription matches it.
 *   Publishers come from observation first (each (topic, publisher) with traffic in the window,
 *   with its rate), then from declared `publishes` not yet observed (rate 0, the declared topic or
 *   pattern). Subscribers are live subscriptions (the hub's actors, and what nodes report) and
 *   declared `subscribes`.
 * - **Messages no tap announced** (published by a remote node's agent, or an MQTT client) are
 *   attributed to the agent whose namespace the topic is in (`agents/{id}/…`), else to the one
 *   remote/seen agent that declares publishing it, else to "external".
 * - Plumbing topics (heartbeats, logs, commands, node protocol, `system/…`) are never wires.
 * - Bounded: at most `maxEdges` wires (the busiest first).
 */
import { topicMatches } from '../../shared/topics.js';
import { EXTERNAL_PUBLISHER, type Graph, type GraphAgent, type GraphEdge, type GraphNode } from '../../shared/graph.js';
import { isPlumbingTopic, type TopicRate } from './traffic-counter.js';

/** An agent with what it declares and what it listens on. */
export interface AgentFacts {
  agent: GraphAgent;
  /** Declared publishes (`{id}` already replaced). */
  publishes: readonly string[];
  /** Declared subscribes and live subscriptions together. */
  listens: readonly string[];
  /** True for the hub's own actors (their publishes are all tapped). */
  local: boolean;
}

export interface GraphInput {
  agents: readonly AgentFacts[];
  rates: readonly TopicRate[];
  nodes: readonly GraphNode[];
  maxEdges?: number;
}

const EXTERNAL_AGENT: GraphAgent = { id: EXTERNAL_PUBLISHER, name: EXTERNAL_PUBLISHER, kind: 'external', node: null, state: 'running' };

const hasWildcard = (t: string): boolean => t.includes('+') || t.includes('#');

/** Two MQTT filters that some topic matches both (`a/+` and `a/b/#` do: `a/b`). */
export function filtersOverlap(a: string, b: string): boolean {
  const p = a.split('/');
  const q = b.split('/');
  for (let i = 0; ; i++) {
    const x = p[i];
    const y = q[i];
    if (x === '#' || y === '#') return true;
    if (x === undefined || y === undefined) return x === y;
    if (x !== '+' && y !== '+' && x !== y) return false;
  }
}

/** Replaces `{id}` and `{name}` in a declared topic. */
export function declaredTopic(pattern: string, agent: Pick<GraphAgent, 'id' | 'name'>): string {
  return pattern.replaceAll('{id}', agent.id).replaceAll('{name}', agent.name);
}

export function buildGraph(input: GraphInput): Graph {
  const maxEdges = input.maxEdges ?? 2_000;
  const byId = new Map(input.agents.map((f) => [f.agent.id, f]));

  // Subscribers: exact topics in a map, filters with wildcards in a list.
  const exact = new Map<string, Set<string>>();
  const wild: { id: string; filter: string }[] = [];
  for (const f of input.agents) {
    for (const filter of new Set(f.listens)) {
      if (hasWildcard(filter)) wild.push({ id: f.agent.id, filter });
      else {
        let s = exact.get(filter);
        if (!s) exact.set(filter, (s = new Set()));
        s.add(f.agent.id);
      }
    }
  }
  const subscribersOf = (topic: string): Set<string> => {
    const out = new Set<string>();
    if (hasWildcard(topic)) {
      for (const [t, ids] of exact) if (topicMatches(topic, t)) ids.forEach((id) => out.add(id));
      for (const w of wild) if (filtersOverlap(w.filter, topic)) out.add(w.id);
    } else {
      exact.get(topic)?.forEach((id) => out.add(id));
      for (const w of wild) if (topicMatches(w.filter, topic)) out.add(w.id);
    }
    return out;
  };

  // Remote or seen agents that declare publishing: who an unannounced message may be from.
  const declaredElsewhere = input.agents.filter((f) => !f.local && f.publishes.length > 0);
  const attribute = (topic: string): string => {
    if (topic.startsWith('agents/')) {
      const id = topic.split('/')[1]!;
      if (byId.has(id)) return id;
    }
    const candidates = declaredElsewhere.filter((f) => f.publishes.some((p) => topicMatches(p, topic)));
    return candidates.length === 1 ? candidates[0]!.agent.id : EXTERNAL_PUBLISHER;
  };

  // Publications: (publisher, topic) → rate.
  const pubs = new Map<string, { from: string; topic: string; rate: number }>();
  const addPub = (from: string, topic: string, rate: number): void => {
    const key = `${from}\u0000${topic}`;
    const p = pubs.get(key);
    if (p) p.rate += rate;
    else pubs.set(key, { from, topic, rate });
  };
  for (const r of input.rates) {
    if (isPlumbingTopic(r.topic)) continue;
    addPub(r.publisher !== null && byId.has(r.publisher) ? r.publisher : attribute(r.topic), r.topic, r.rate);
  }
  const observedBy = new Map<string, string[]>();
  for (const p of pubs.values()) {
    const list = observedBy.get(p.from);
    if (list) list.push(p.topic);
    else observedBy.set(p.from, [p.topic]);
  }
  for (const f of input.agents) {
    const seen = observedBy.get(f.agent.id) ?? [];
    for (const declared of new Set(f.publishes)) {
      if (isPlumbingTopic(declared) || seen.some((t) => topicMatches(declared, t))) continue;
      addPub(f.agent.id, declared, 0);
    }
  }

  let edges: GraphEdge[] = [];
  for (const p of pubs.values()) {
    for (const to of subscribersOf(p.topic)) {
      if (to === p.from) continue;
      edges.push({ from: p.from, to, topic: p.topic, rate: Math.round(p.rate * 10) / 10 });
    }
  }
  if (edges.length > maxEdges) edges = edges.sort((a, b) => b.rate - a.rate).slice(0, maxEdges);
  edges.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));

  const agents = input.agents.map((f) => f.agent);
  if (edges.some((e) => e.from === EXTERNAL_PUBLISHER) && !byId.has(EXTERNAL_PUBLISHER)) agents.push(EXTERNAL_AGENT);
  return { agents, edges, nodes: [...input.nodes] };
}
