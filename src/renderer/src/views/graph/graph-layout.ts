/**
 * Where each agent goes on the graph view, readable at 200 agents and more:
 * - agents are grouped by where they run — the hub, each remote node (and "outside" for the
 *   external publisher) — one box per group, boxes side by side;
 * - inside a box, each set of agents that talk to each other (wires within the group) is laid out
 *   left to right along its wires by dagre (a layered layout: publishers before subscribers), and
 *   the sets are packed in rows towards a 16:10 block; agents
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
      // Each connected set of agents laid out alone, then the sets packed in rows towards a
      // 16:10 block — 40 chains of five make a block, not a 40-high column.
      const parts = components(ids.filter((id) => wired.has(id)), inner).map((part) => layoutPart(part, inner));
      const area = parts.reduce((n, p) => n + (p.width + GAP_X * 2) * (p.height + GAP_Y * 2), 0);
      const rowWidth = Math.max(...parts.map((p) => p.width), Math.sqrt(area * 1.6));
      parts.sort((a, b) => b.height - a.height || a.first.localeCompare(b.first));
      let px = 0;
      let py = 0;
      let rowH = 0;
      for (const part of parts) {
        if (px > 0 && px + part.width > rowWidth) {
          px = 0;
          py += rowH + GAP_Y * 2;
          rowH = 0;
        }
        for (const [id, p] of Object.entries(part.at)) {
          const at = { x: PAD + px + p.x, y: HEADER + py + p.y };
          positions[id] = at;
          width = Math.max(width, at.x + NODE_W);
          height = Math.max(height, at.y + NODE_H);
        }
        px += part.width + GAP_X * 3;
        rowH = Math.max(rowH, part.height);
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

/** Connected sets of agents (wires taken both ways), each sorted, in a stable order. */
function components(ids: string[], inner: Map<string, Set<string>>): string[][] {
  const adj = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [from, tos] of inner) for (const to of tos) {
    adj.get(from)?.push(to);
    adj.get(to)?.push(from);
  }
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const start of ids) {
    if (seen.has(start)) continue;
    const part: string[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length) {
      const id = stack.pop()!;
      part.push(id);
      for (const n of adj.get(id) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        stack.push(n);
      }
    }
    out.push(part.sort());
  }
  return out;
}

/** dagre on one connected set: positions from its own top-left, and its size. */
function layoutPart(part: string[], inner: Map<string, Set<string>>): { first: string; at: Record<string, { x: number; y: number }>; width: number; height: number } {
  const dg = new graphlib.Graph();
  dg.setGraph({ rankdir: 'LR', nodesep: GAP_Y, ranksep: 70, marginx: 0, marginy: 0 });
  dg.setDefaultEdgeLabel(() => ({}));
  const members = new Set(part);
  for (const id of part) dg.setNode(id, { width: NODE_W, height: NODE_H });
  for (const id of part) for (const to of inner.get(id) ?? []) if (members.has(to)) dg.setEdge(id, to);
  layout(dg);
  const at: Record<string, { x: number; y: number }> = {};
  let width = 0;
  let height = 0;
  for (const id of part) {
    const n = dg.node(id);
    const p = { x: n.x - NODE_W / 2, y: n.y - NODE_H / 2 };
    at[id] = p;
    width = Math.max(width, p.x + NODE_W);
    height = Math.max(height, p.y + NODE_H);
  }
  return { first: part[0]!, at, width, height };
}

function rank(g: string): number {
  return g === OUTSIDE_GROUP ? 0 : g === HUB_GROUP ? 1 : 2;
}
