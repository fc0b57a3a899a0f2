/**
 * The graph of agents and the messages between them (issue 16): one contract for `GET /api/graph`
 * (`/graph` on the REST port), the retained `system/graph` snapshot, the `system/graph/delta`
 * updates and the dashboard's graph view.
 *
 * - `agents`: every agent the hub knows — its own actors, the agents on remote nodes, and agents
 *   seen on the bus only by their heartbeats — with `node` null on the hub. `state` is the actor's,
 *   or `silent` when a running agent's heartbeats stopped (or its node went offline).
 * - `edges`: a wire from a publisher to a subscriber for one topic, from declared contracts
 *   (`publishes`, `subscribes`) and from what the hub observes (live subscriptions; publishes made
 *   through the hub; messages nobody the hub can name sent come `from: "external"`). `rate` is
 *   messages per second over the last 10 s. `topic` is the concrete topic, or the declared
 *   pattern while nothing was observed on it.
 * - `nodes`: the remote nodes, online or not.
 *
 * Updates over MQTT: the snapshot carries a `seq`; each delta carries the `seq` it makes (one more
 * than the state it applies to). A client applies a delta only on top of `seq - 1` and otherwise
 * waits for the next snapshot (re-sent every few seconds), so nothing ever polls.
 */
import { z } from 'zod';
import { ACTOR_STATES } from './actor-state.js';

/** The `from` of messages the hub cannot attribute to an agent (an MQTT client it cannot name). */
export const EXTERNAL_PUBLISHER = 'external';

/** Messages per second are averaged over this many seconds. */
export const GRAPH_RATE_WINDOW_SECONDS = 10;

export const GRAPH_AGENT_STATES = [...ACTOR_STATES, 'silent'] as const;
export type GraphAgentState = (typeof GRAPH_AGENT_STATES)[number];

const epochSeconds = z.number().nonnegative();

export const graphAgentSchema = z.looseObject({
  /** The actor id (stable, derived from the name), or "external". */
  id: z.string().min(1),
  name: z.string().min(1),
  /** core, dynamic, catalog, llm — or what a heartbeat says; "external" for the external publisher. */
  kind: z.string(),
  /** The remote node it runs on; null on the hub. */
  node: z.string().nullable(),
  state: z.enum(GRAPH_AGENT_STATES),
});
export type GraphAgent = z.infer<typeof graphAgentSchema>;

export const graphEdgeSchema = z.looseObject({
  from: z.string().min(1),
  to: z.string().min(1),
  topic: z.string().min(1),
  /** Messages per second over the last GRAPH_RATE_WINDOW_SECONDS. */
  rate: z.number().nonnegative(),
});
export type GraphEdge = z.infer<typeof graphEdgeSchema>;

export const graphNodeSchema = z.looseObject({ name: z.string().min(1), online: z.boolean() });
export type GraphNode = z.infer<typeof graphNodeSchema>;

/** `GET /api/graph` */
export const graphSchema = z.looseObject({
  agents: z.array(graphAgentSchema),
  edges: z.array(graphEdgeSchema),
  nodes: z.array(graphNodeSchema),
});
export type Graph = z.infer<typeof graphSchema>;

/** `system/graph` (retained). */
export const graphSnapshotMessageSchema = z.looseObject({
  seq: z.number().int().nonnegative(),
  timestamp: epochSeconds,
  graph: graphSchema,
});
export type GraphSnapshotMessage = z.infer<typeof graphSnapshotMessageSchema>;

/** `system/graph/delta`: upserts and removals; `nodes` is the whole list when it changed. */
export const graphDeltaMessageSchema = z.looseObject({
  seq: z.number().int().positive(),
  timestamp: epochSeconds,
  agents: z.array(graphAgentSchema).default([]),
  removed_agents: z.array(z.string()).default([]),
  edges: z.array(graphEdgeSchema).default([]),
  /** `edgeKey`s. */
  removed_edges: z.array(z.string()).default([]),
  nodes: z.array(graphNodeSchema).optional(),
});
export type GraphDeltaMessage = z.infer<typeof graphDeltaMessageSchema>;

/** A delta's content (what `diffGraph` finds and `applyGraphDelta` applies). */
export interface GraphDelta {
  agents: GraphAgent[];
  removed_agents: string[];
  edges: GraphEdge[];
  removed_edges: string[];
  nodes?: GraphNode[];
}

/** One edge's identity. U+0000 cannot occur in an MQTT topic, so it cannot occur in a part. */
export function edgeKey(e: Pick<GraphEdge, 'from' | 'to' | 'topic'>): string {
  return `${e.from}\u0000${e.to}\u0000${e.topic}`;
}

/** What changed from `prev` to `next` (null when nothing did). */
export function diffGraph(prev: Graph, next: Graph): GraphDelta | null {
  const prevAgents = new Map(prev.agents.map((a) => [a.id, a]));
  const nextIds = new Set(next.agents.map((a) => a.id));
  const agents = next.agents.filter((a) => {
    const p = prevAgents.get(a.id);
    return !p || p.name !== a.name || p.kind !== a.kind || p.node !== a.node || p.state !== a.state;
  });
  const removed_agents = prev.agents.filter((a) => !nextIds.has(a.id)).map((a) => a.id);
  const prevEdges = new Map(prev.edges.map((e) => [edgeKey(e), e]));
  const nextKeys = new Set<string>();
  const edges: GraphEdge[] = [];
  for (const e of next.edges) {
    const k = edgeKey(e);
    nextKeys.add(k);
    if (prevEdges.get(k)?.rate !== e.rate) edges.push(e);
  }
  const removed_edges = [...prevEdges.keys()].filter((k) => !nextKeys.has(k));
  const nodesChanged = prev.nodes.length !== next.nodes.length || prev.nodes.some((n, i) => n.name !== next.nodes[i]!.name || n.online !== next.nodes[i]!.online);
  if (!agents.length && !removed_agents.length && !edges.length && !removed_edges.length && !nodesChanged) return null;
  return { agents, removed_agents, edges, removed_edges, ...(nodesChanged ? { nodes: next.nodes } : {}) };
}

/** `graph` with `delta` applied (agents and edges keep their order; new ones go last). */
export function applyGraphDelta(graph: Graph, delta: GraphDelta): Graph {
  const agents = new Map(graph.agents.map((a) => [a.id, a]));
  for (const id of delta.removed_agents) agents.delete(id);
  for (const a of delta.agents) agents.set(a.id, a);
  const edges = new Map(graph.edges.map((e) => [edgeKey(e), e]));
  for (const k of delta.removed_edges) edges.delete(k);
  for (const e of delta.edges) edges.set(edgeKey(e), e);
  return { agents: [...agents.values()], edges: [...edges.values()], nodes: delta.nodes ?? graph.nodes };
}

/** `GET /api/graph/messages?topic=…`: the topic's recent messages, newest first. */
export const topicMessagesSchema = z.looseObject({
  topic: z.string(),
  messages: z.array(
    z.looseObject({
      timestamp: epochSeconds,
      /** The agent id, "external", or null when the hub did not attribute it. */
      from: z.string().nullable(),
      bytes: z.number().int().nonnegative(),
      /** Parsed JSON, or the text; cut to a preview when large (`truncated`). */
      payload: z.unknown(),
      truncated: z.boolean(),
    }),
  ),
});
export type TopicMessages = z.infer<typeof topicMessagesSchema>;
