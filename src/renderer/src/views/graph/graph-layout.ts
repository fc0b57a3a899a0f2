/**
 * Where each agent goes on the graph view, readable at 200 agents and more:
 * - agents are grouped by where they run — the hub, each remote node (and "outside" for the
 *   external publisher) — one box per group, boxes side by side;
 * - inside a box, agents that talk to each other (wires within the group) are laid out left to
 *   right along their wires by dagre (a layered layout: publishers before subscribers); agents
 *   without a wire in their group go in a compact grid below, so a hub of 200 silent agents is a
 *   block, not a 40,000-pixel row.
 * Pure (no DOM): runs in the layout worker (layout.worker.ts), and inline where no worker starts.
 * Only the structure matters (ids, groups, wires) — states and rates never move anything.
 */
import { graphlib, layout } from '@dagrejs/dagre';

export const NODE_W = 190;
export const NODE_H = 54;
const GAP_X = 24;
const GAP_Y = 18;
const PAD = 24;
const HEADER = 34;
const GROUP_GAP = 90;

export const HUB_GROUP = '~hub';
export const OUTSIDE_GROUP = '~outside';

export interface LayoutInput {
  agents: { id: string; node: string | null; kind: string }[];
  /** Wires (one per publisher–subscriber pair is enough). */
  edges: { from: string; to: string }[];
  /** Remote nodes (a node without agents still gets its box). */
  nodes?: string[];
}

export interface LayoutGroup {
  id: string;
  /** The remote node's name; null for the hub and outside. */
  node: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutResult {
  /** Top-left of each agent, relative to its group. */
  positions: Record<string, { x: number; y: number }>;
  /** Which group each agent is in. */
  groupOf: Record<string, string>;
  groups: LayoutGroup[];
}

export function groupKey(a: { node: string | null; kind: string }): string {
  return a.node ?? (a.kind === 'external' ? OUTSIDE_GROUP : HUB_GROUP);
}

/** A key that changes only when the layout would (for caching and skipping work). */
export function layoutKey(input: LayoutInput): string {
  const agents = input.agents.map((a) => `${a.id}@${groupKey(a)}`).sort();
  const edges = input.edges.map((e) => `${e.from}>${e.to}`).sort();
  return `${agents.join(',')}|${[...new Set(edges)].join(',')}|${(input.nodes ?? []).join(',')}`;
}

export function layoutGraph(input: LayoutInput): LayoutResult {
  const members = new Map<string, string[]>();
  const groupOf: Record<string, string> = {};
  for (const a of input.agents) {
    const g = groupKey(a);
    groupOf[a.id] = g;
    const list = members.get(g);
    if (list) list.push(a.id);
    else members.set(g, [a.id]);
  }
  for (const n of input.nodes ?? []) if (!members.has(n)) members.set(n, []);

  const order = [...members.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const positions: Record<string, { x: number; y: number }> = {};
  const groups: LayoutGroup[] = [];
  let x = 0;
  for (const g of order) {
    const ids = members.get(g)!.sort();
    const inner = new Map<string, Set<string>>();
    for (const e of input.edges) {
      if (e.from === e.to || groupOf[e.from] !== g || groupOf[e.to] !== g) continue;
      let s = inner.get(e.from);
      if (!s) inner.set(e.from, (s = new Set()));
      s.add(e.to);
    }
    const wired = new Set<string>();
    for (const [from, tos] of inner) {
      wired.add(from);
      tos.forEach((t) => wired.add(t));
    }
    let width = 0;
    let height = 0;
    if (wired.size > 0) {
      const dg = new graphlib.Graph();
      dg.setGraph({ rankdir: 'LR', nodesep: GAP_Y, ranksep: 70, marginx: 0, marginy: 0 });
      dg.setDefaultEdgeLabel(() => ({}));
      for (const id of ids) if (wired.has(id)) dg.setNode(id, { width: NODE_W, height: NODE_H });
      for (const [from, tos] of inner) for (const to of tos) dg.setEdge(from, to);
      layout(dg);
      for (const id of ids) {
        if (!wired.has(id)) continue;
        const n = dg.node(id);
        const p = { x: PAD + n.x - NODE_W / 2, y: HEADER + n.y - NODE_H / 2 };
        positions[id] = p;
        width = Math.max(width, p.x + NODE_W);
        height = Math.max(height, p.y + NODE_H);
      }
    }
    const alone = ids.filter((id) => !wired.has(id));
    if (alone.length > 0) {
      const cellW = NODE_W + GAP_X;
      const cols = Math.max(1, Math.max(Math.ceil(Math.sqrt(alone.length * 1.5)), Math.floor((width - PAD) / cellW)));
      const top = wired.size > 0 ? height + GAP_Y * 2 : HEADER;
      alone.forEach((id, i) => {
        const p = { x: PAD + (i % cols) * cellW, y: top + Math.floor(i / cols) * (NODE_H + GAP_Y) };
        positions[id] = p;
        width = Math.max(width, p.x + NODE_W);
        height = Math.max(height, p.y + NODE_H);
      });
    }
    const box = { id: g, node: g === HUB_GROUP || g === OUTSIDE_GROUP ? null : g, x, y: 0, width: Math.max(width, NODE_W + PAD) + PAD, height: Math.max(height, HEADER + NODE_H / 2) + PAD };
    groups.push(box);
    x += box.width + GROUP_GAP;
  }
  return { positions, groupOf, groups };
}

function rank(g: string): number {
  return g === OUTSIDE_GROUP ? 0 : g === HUB_GROUP ? 1 : 2;
}
