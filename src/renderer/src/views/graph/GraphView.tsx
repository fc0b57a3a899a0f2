/**
 * The graph of agents, live (issue 16): agents grouped by where they run (the hub, each remote
 * node), wires between publishers and subscribers with their message rates, states on the agents,
 * heartbeats and traffic as cheap pulses. Click an agent for its detail, code, chat and actions;
 * click a wire for its topic's recent messages. Search, filters (kind, state, node) and a
 * pipeline's path work at hundreds of agents.
 *
 * Inside the dashboard's frame budget: the graph comes from the hub over MQTT (retained snapshot
 * + deltas, parsed in the bus worker), the view reads it and the heartbeats together once a
 * second (one render); the layout runs in a worker and only when the structure changes; React
 * Flow gets the same node objects back for agents that did not change, and draws only what is on
 * screen; zoomed out, an agent is its name on a state-coloured edge (less to paint).
 */
import '@xyflow/react/dist/style.css';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow, type Node, type NodeMouseHandler, type EdgeMouseHandler } from '@xyflow/react';
import { edgeKey, type Graph } from '../../../../shared/graph.js';
import type { PipelineSummary } from '../../../../shared/rest.js';
import { hub } from '../../connection/index.js';
import { useStoresEvery } from '../../hooks/useStoresEvery.js';
import { useAgentsStore } from '../../stores/agents-store.js';
import { useGraphStore } from '../../stores/graph-store.js';
import { usePipelinesStore } from '../../stores/pipelines-store.js';
import { HUB_GROUP, OUTSIDE_GROUP, type LayoutResult } from './graph-layout.js';
import { requestLayout } from './layout-client.js';
import { EDGE_TYPES, NODE_TYPES, type AgentFlowNode, type AgentNodeData, type GroupFlowNode, type WireFlowEdge } from './GraphNodes.js';
import { GraphPanel, type Selection } from './GraphPanel.js';
import { filterChoices, NO_FILTERS, viewGraph, type GraphFilters } from './graph-view-model.js';

const EMPTY: Graph = { agents: [], edges: [], nodes: [] };
/** A heartbeat's dot stays bright this long. */
const FRESH_SECONDS = 2;
/** Wire labels (topic · rate) for every wire up to this many; beyond, on the selected and the path's. */
const LABELS_UP_TO = 60;

async function loadPipelines(): Promise<void> {
  try {
    usePipelinesStore.getState().setPipelines((await hub.rest.pipelines()).pipelines);
  } catch (e) {
    usePipelinesStore.getState().setError((e as Error).message);
  }
}

function groupLabel(id: string): string {
  return id === HUB_GROUP ? 'this hub' : id === OUTSIDE_GROUP ? 'outside' : id;
}

function Canvas() {
  // The graph and the heartbeats, read together once a second: one render (the hub sends a delta
  // a second at most, and rates are 10 s averages — a faster picture would show nothing new).
  const [graphOrNull, version, byId] = useStoresEvery(() => [useGraphStore.getState().graph, useGraphStore.getState().version, useAgentsStore.getState().byId] as const, 1_000);
  const graph = graphOrNull ?? EMPTY;
  // Flips at every graph update the view takes: the wires' "messages flowing" step (CSS).
  const tick = version % 2;
  const stale = useGraphStore((s) => s.stale);
  const pipelines = usePipelinesStore((s) => s.pipelines);
  const [filters, setFilters] = useState<GraphFilters>(NO_FILTERS);
  const search = useDeferredValue(filters.search);
  const [pipelineId, setPipelineId] = useState('');
  const [selection, setSelection] = useState<Selection>(null);
  const [layout, setLayout] = useState<LayoutResult | null>(null);
  const rf = useReactFlow();
  const fitted = useRef<string>('');

  useEffect(() => {
    void loadPipelines();
  }, []);

  const pipeline: PipelineSummary | null = pipelines.find((p) => p.id === pipelineId) ?? null;
  const v = useMemo(() => viewGraph(graph, { ...filters, search }, pipeline), [graph, filters, search, pipeline]);
  const choices = useMemo(() => filterChoices(graph), [graph]);
  const online = useMemo(() => new Map(graph.nodes.map((n) => [n.name, n.online])), [graph.nodes]);

  // Lay out when the structure changes (the worker; cached by key, so rates and states never do).
  const input = useMemo(
    () => ({ agents: v.agents.map((a) => ({ id: a.id, node: a.node, kind: a.kind })), edges: v.edges.map((e) => ({ from: e.from, to: e.to })), nodes: graph.nodes.map((n) => n.name) }),
    [v.agents, v.edges, graph.nodes],
  );
  useEffect(() => {
    let live = true;
    void requestLayout(input).then((r) => {
      if (live && r) setLayout(r);
    });
    return () => {
      live = false;
    };
  }, [input]);

  // Node objects are reused when nothing about them changed, so React Flow skips them.
  const cache = useRef(new Map<string, { sig: string; node: Node }>());
  const nodes = useMemo(() => {
    if (!layout) return [];
    const out: Node[] = [];
    const next = new Map<string, { sig: string; node: Node }>();
    const reuse = (id: string, sig: string, make: () => Node) => {
      const hit = cache.current.get(id);
      const node = hit && hit.sig === sig ? hit.node : make();
      next.set(id, { sig, node });
      out.push(node);
    };
    const counts = new Map<string, number>();
    for (const a of v.agents) counts.set(layout.groupOf[a.id] ?? HUB_GROUP, (counts.get(layout.groupOf[a.id] ?? HUB_GROUP) ?? 0) + 1);
    for (const g of layout.groups) {
      const on = g.node ? (online.get(g.node) ?? false) : null;
      const count = counts.get(g.id) ?? 0;
      reuse(`group:${g.id}`, `${g.x},${g.y},${g.width},${g.height},${on},${count}`, (): GroupFlowNode => ({
        id: `group:${g.id}`,
        type: 'group-box',
        position: { x: g.x, y: g.y },
        data: { label: groupLabel(g.id), node: g.node, online: on, count },
        style: { width: g.width, height: g.height },
        selectable: false,
        draggable: false,
        zIndex: -1,
      }));
    }
    const searching = v.matches.size > 0 || search.trim() !== '';
    const nowSec = Date.now() / 1000;
    for (const a of v.agents) {
      const pos = layout.positions[a.id];
      const group = layout.groupOf[a.id];
      if (!pos || !group) continue; // laid out on the next pass
      const mark: AgentNodeData['mark'] = v.matches.has(a.id) ? 'match' : v.pathAgents.has(a.id) ? 'path' : searching || v.pathAgents.size > 0 ? 'dim' : null;
      const beat = byId[a.id]?.lastHeartbeat ?? null;
      const fresh = beat !== null && nowSec - beat < FRESH_SECONDS;
      reuse(a.id, `${pos.x},${pos.y},${group},${a.name},${a.kind},${a.state},${a.node},${beat},${fresh},${mark}`, (): AgentFlowNode => ({
        id: a.id,
        type: 'agent',
        parentId: `group:${group}`,
        position: pos,
        data: { agent: a, beat, fresh, mark },
        draggable: false,
      }));
    }
    cache.current = next;
    return out;
  }, [layout, v, byId, online, search]);

  const edgeCache = useRef(new Map<string, { sig: string; edge: WireFlowEdge }>());
  const edges = useMemo(() => {
    if (!layout) return [];
    const out: WireFlowEdge[] = [];
    const next = new Map<string, { sig: string; edge: WireFlowEdge }>();
    const labels = v.edges.length <= LABELS_UP_TO;
    for (const e of v.edges) {
      if (!layout.positions[e.from] || !layout.positions[e.to]) continue;
      const id = edgeKey(e);
      const mark = v.pathEdges.has(e) ? ('path' as const) : v.pathAgents.size > 0 ? ('dim' as const) : null;
      const label = labels || mark === 'path';
      const sig = `${e.rate},${mark},${label}`;
      const hit = edgeCache.current.get(id);
      const edge: WireFlowEdge = hit && hit.sig === sig ? hit.edge : { id, source: e.from, target: e.to, type: 'wire', data: { topic: e.topic, rate: e.rate, mark, label } };
      next.set(id, { sig, edge });
      out.push(edge);
    }
    edgeCache.current = next;
    return out;
  }, [layout, v]);

  // Fit the picture when what is laid out changes (not on every rate or state).
  useEffect(() => {
    if (!layout || nodes.length === 0) return;
    const key = layout.groups.map((g) => `${g.id}:${g.width}x${g.height}`).join(',');
    if (fitted.current === key) return;
    fitted.current = key;
    requestAnimationFrame(() => void rf.fitView({ padding: 0.08, duration: 0 }));
  }, [layout, nodes.length, rf]);

  const showMatches = useCallback(() => {
    if (v.matches.size === 0) return;
    void rf.fitView({ nodes: [...v.matches].map((id) => ({ id })), padding: 0.4, maxZoom: 1.2, duration: 200 });
  }, [rf, v.matches]);

  const onNodeClick: NodeMouseHandler = useCallback((_e, n) => {
    if (n.type === 'agent') setSelection({ type: 'agent', id: n.id });
  }, []);
  const onEdgeClick: EdgeMouseHandler = useCallback((_e, ed) => {
    const d = (ed as WireFlowEdge).data;
    if (d) setSelection({ type: 'wire', from: ed.source, to: ed.target, topic: d.topic });
  }, []);
  const set = (f: Partial<GraphFilters>) => setFilters((x) => ({ ...x, ...f }));

  return (
    <div className="graph-view">
      <div className="agents-toolbar graph-toolbar">
        <input
          className="search"
          type="search"
          placeholder="Search agents…"
          value={filters.search}
          onChange={(e) => set({ search: e.target.value })}
          onKeyDown={(e) => e.key === 'Enter' && showMatches()}
          data-testid="graph-search"
        />
        <button type="button" className="btn" onClick={showMatches} disabled={v.matches.size === 0} data-testid="graph-show-matches">
          Show {v.matches.size > 0 ? v.matches.size : ''}
        </button>
        <select className="select" value={filters.kind} onChange={(e) => set({ kind: e.target.value })} data-testid="graph-kind-filter" aria-label="Kind">
          <option value="">every kind</option>
          {choices.kinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <select className="select" value={filters.state} onChange={(e) => set({ state: e.target.value })} data-testid="graph-state-filter" aria-label="State">
          <option value="">every state</option>
          <option value="problem">failed, silent, stopped</option>
          {['running', 'paused', 'failed', 'silent', 'stopped'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select className="select" value={filters.node} onChange={(e) => set({ node: e.target.value })} data-testid="graph-node-filter" aria-label="Node">
          <option value="">hub and nodes</option>
          <option value="hub">this hub</option>
          {choices.nodes.map((n) => (
            <option key={n} value={n}>
              node {n}
            </option>
          ))}
        </select>
        <select className="select" value={pipelineId} onChange={(e) => setPipelineId(e.target.value)} data-testid="graph-pipeline" aria-label="Pipeline" onFocus={() => void loadPipelines()}>
          <option value="">no pipeline</option>
          {pipelines.map((p) => (
            <option key={p.id} value={p.id}>
              {p.description || p.request || p.id}
            </option>
          ))}
        </select>
        <span className="grow" />
        <span className="small muted" data-testid="graph-counts">
          {v.agents.length} agents · {v.edges.length} wires{stale ? ' · catching up…' : ''}
        </span>
      </div>
      <div className="graph-body">
        <div className={`graph-canvas tick-${tick}`} data-testid="graph-canvas" data-agents={v.agents.length} data-edges={v.edges.length} data-laid-out={layout ? 'true' : 'false'}>
          {graph === EMPTY ? <div className="empty">Waiting for the hub's graph…</div> : null}
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            edgeTypes={EDGE_TYPES}
            onNodeClick={onNodeClick}
            onEdgeClick={onEdgeClick}
            onPaneClick={() => setSelection(null)}
            nodesDraggable={false}
            nodesConnectable={false}
            onlyRenderVisibleElements
            minZoom={0.05}
            maxZoom={2}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={24} size={1} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        <GraphPanel selection={selection} agents={v.agents} edges={v.edges} onClose={() => setSelection(null)} />
      </div>
    </div>
  );
}

export function GraphView() {
  return (
    <ReactFlowProvider>
      <Canvas />
    </ReactFlowProvider>
  );
}
