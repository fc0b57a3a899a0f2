/**
 * What the graph view shows, from the hub's graph and what the person asked for — pure, so the
 * filters, the search and the pipeline path are tested without a browser:
 * - **filters** (kind, state, node) take agents out of the picture, and the wires that touch them;
 * - **search** keeps everyone but marks the matches (and dims the rest), so the picture does not
 *   jump while typing; the view can zoom to the matches;
 * - **a pipeline** marks its agents and the wires between them (or on its topics) as its path.
 */
import { topicMatches } from '../../../../shared/topics.js';
import type { Graph, GraphAgent, GraphEdge } from '../../../../shared/graph.js';
import type { PipelineSummary } from '../../../../shared/rest.js';
import { pipelineLinks } from '../pipelines/pipeline-model.js';

export interface GraphFilters {
  /** '' = every kind. */
  kind: string;
  /** '' = every state; 'problem' = failed, silent or stopped. */
  state: string;
  /** '' = everywhere; 'hub' = on the hub; else a node's name. */
  node: string;
  search: string;
}

export const NO_FILTERS: GraphFilters = { kind: '', state: '', node: '', search: '' };

const PROBLEM = new Set(['failed', 'silent', 'stopped']);

export interface ViewGraph {
  agents: GraphAgent[];
  edges: GraphEdge[];
  /** Agents the search matched (empty when there is no search). */
  matches: Set<string>;
  /** The selected pipeline's agents and wires (empty when none). */
  pathAgents: Set<string>;
  pathEdges: Set<GraphEdge>;
}

function passes(a: GraphAgent, f: GraphFilters): boolean {
  if (f.kind && a.kind !== f.kind) return false;
  if (f.state === 'problem' ? !PROBLEM.has(a.state) : f.state && a.state !== f.state) return false;
  if (f.node === 'hub' ? a.node !== null : f.node && a.node !== f.node) return false;
  return true;
}

export function viewGraph(g: Graph, f: GraphFilters, pipeline: Pick<PipelineSummary, 'agents' | 'topics'> | null): ViewGraph {
  const agents = g.agents.filter((a) => passes(a, f));
  const kept = new Set(agents.map((a) => a.id));
  const edges = g.edges.filter((e) => kept.has(e.from) && kept.has(e.to));
  const q = f.search.trim().toLowerCase();
  const matches = new Set(q ? agents.filter((a) => a.name.toLowerCase().includes(q) || a.id === q).map((a) => a.id) : []);
  const pathAgents = new Set<string>();
  const pathEdges = new Set<GraphEdge>();
  if (pipeline) {
    const names = new Set(pipeline.agents.map((a) => a.name));
    for (const a of agents) if (names.has(a.name)) pathAgents.add(a.id);
    const topics = new Set([...pipeline.topics.map((t) => t.topic), ...pipelineLinks(pipeline).map((l) => l.topic)]);
    for (const e of edges) {
      const between = pathAgents.has(e.from) && pathAgents.has(e.to);
      const onTopic = [...topics].some((t) => topicMatches(t, e.topic) || topicMatches(e.topic, t));
      if (between || (onTopic && (pathAgents.has(e.from) || pathAgents.has(e.to)))) pathEdges.add(e);
    }
  }
  return { agents, edges, matches, pathAgents, pathEdges };
}

/** Kinds and nodes present, for the filter menus. */
export function filterChoices(g: Graph): { kinds: string[]; nodes: string[] } {
  const kinds = [...new Set(g.agents.map((a) => a.kind))].sort();
  const nodes = [...new Set([...g.nodes.map((n) => n.name), ...g.agents.flatMap((a) => (a.node ? [a.node] : []))])].sort();
  return { kinds, nodes };
}

/** Stroke width of a wire: grows with the rate, gently (log), 1.5 px at rest. */
export function wireWidth(rate: number): number {
  return rate <= 0 ? 1.5 : Math.min(6, 2 + Math.log10(1 + rate) * 2);
}

/** "3.2/s", "0.1/s", "—". */
export function rateLabel(rate: number): string {
  return rate <= 0 ? 'idle' : `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`;
}
