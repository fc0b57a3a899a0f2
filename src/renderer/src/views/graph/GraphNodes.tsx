/**
 * The graph's own node and edge components for React Flow. Kept small and memoised: React Flow
 * re-renders a node only when its object changes (GraphView reuses unchanged ones), so a heartbeat
 * re-renders one agent, never the picture.
 *
 * Pulses are cheap on purpose — nothing animates per frame, per wire or per message: an agent's
 * dot is bright for a moment after each heartbeat (`fresh`, a class), and the wires that carry
 * messages have dashes and a dot that step at each graph update (the canvas's `tick-0`/`tick-1`
 * class flips: one style change for all of them). Running CSS animations on hundreds of elements
 * cost whole seconds per frame under software raster (measured: dashboard-load).
 */
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, Handle, Position, useStore, type EdgeProps, type Node, type NodeProps, type Edge } from '@xyflow/react';
import type { GraphAgent } from '../../../../shared/graph.js';
import { rateLabel, wireWidth } from './graph-view-model.js';

export interface AgentNodeData extends Record<string, unknown> {
  agent: GraphAgent;
  /** Epoch seconds of the last heartbeat. */
  beat: number | null;
  /** A heartbeat came in the last seconds: the dot is bright. */
  fresh: boolean;
  mark: 'match' | 'path' | 'dim' | null;
}

export interface GroupNodeData extends Record<string, unknown> {
  label: string;
  node: string | null;
  online: boolean | null;
  count: number;
}

export interface WireData extends Record<string, unknown> {
  topic: string;
  rate: number;
  mark: 'path' | 'dim' | null;
  label: boolean;
}

export type AgentFlowNode = Node<AgentNodeData, 'agent'>;
export type GroupFlowNode = Node<GroupNodeData, 'group-box'>;
export type WireFlowEdge = Edge<WireData, 'wire'>;

const STATE_TAG: Record<string, string> = { running: 'ok', paused: 'paused', failed: 'failed', silent: 'stale', stopped: 'stopped', starting: 'starting', stopping: 'starting', created: 'starting' };

/** Below this zoom an agent is its name on a state-coloured edge: the details are unreadable anyway, and 200 of them cost paint. */
const DETAIL_ZOOM = 0.55;

export const AgentNode = memo(function AgentNode({ data, selected }: NodeProps<AgentFlowNode>) {
  const a = data.agent;
  const tag = STATE_TAG[a.state] ?? 'ok';
  const detailed = useStore((s) => s.transform[2] >= DETAIL_ZOOM);
  return (
    <div
      className={`graph-agent kind-${a.kind === 'external' ? 'external' : 'agent'} st-${tag} ${detailed ? '' : 'brief'} ${data.mark ?? ''} ${selected ? 'selected' : ''}`}
      data-testid="graph-agent"
      data-agent-id={a.id}
      data-agent-name={a.name}
      data-state={a.state}
      data-node={a.node ?? ''}
      data-mark={data.mark ?? ''}
      title={`${a.name} · ${a.kind}${a.node ? ` on ${a.node}` : ''} · ${a.state}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="graph-agent-name">{a.name}</span>
      {detailed ? (
        <span className="graph-agent-meta">
          <span className={`state ${tag}`}>{a.state}</span>
          <span className="muted">{a.kind}</span>
          {data.beat !== null ? <span className={`graph-beat ${data.fresh ? 'fresh' : ''}`} aria-hidden="true" title={`last heartbeat ${new Date(data.beat * 1000).toLocaleTimeString()}`} /> : null}
        </span>
      ) : data.fresh ? (
        <span className="graph-beat fresh brief" aria-hidden="true" />
      ) : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

export const GroupNode = memo(function GroupNode({ data }: NodeProps<GroupFlowNode>) {
  return (
    <div className={`graph-group ${data.online === false ? 'offline' : ''}`} data-testid="graph-group" data-node={data.node ?? ''} data-online={data.online === null ? '' : String(data.online)}>
      <div className="graph-group-label">
        <b>{data.label}</b>
        {data.online !== null ? <span className={`state ${data.online ? 'ok' : 'failed'}`}>{data.online ? 'online' : 'offline'}</span> : null}
        <span className="muted small">
          {data.count} agent{data.count === 1 ? '' : 's'}
        </span>
      </div>
    </div>
  );
});

export const WireEdge = memo(function WireEdge(p: EdgeProps<WireFlowEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX: p.sourceX, sourceY: p.sourceY, sourcePosition: p.sourcePosition, targetX: p.targetX, targetY: p.targetY, targetPosition: p.targetPosition });
  const d = p.data!;
  const flowing = d.rate > 0;
  const cls = `graph-wire ${flowing ? 'flowing' : ''} ${d.mark ?? ''} ${p.selected ? 'selected' : ''}`;
  return (
    <>
      <BaseEdge id={p.id} path={path} className={cls} style={{ strokeWidth: wireWidth(d.rate) }} interactionWidth={14} />
      {flowing || d.label || p.selected ? (
        <EdgeLabelRenderer>
          <div
            className={`graph-wire-label ${d.label || p.selected ? '' : 'dot-only'} ${d.mark ?? ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid="graph-edge"
            data-from={p.source}
            data-to={p.target}
            data-topic={d.topic}
            data-rate={d.rate}
          >
            {flowing ? <span className="graph-flow" aria-hidden="true" /> : null}
            {d.label || p.selected ? (
              <span>
                <span className="mono">{d.topic}</span> · {rateLabel(d.rate)}
              </span>
            ) : null}
          </div>
        </EdgeLabelRenderer>
      ) : (
        <EdgeLabelRenderer>
          <div className="graph-wire-label hidden" data-testid="graph-edge" data-from={p.source} data-to={p.target} data-topic={d.topic} data-rate={d.rate} style={{ transform: `translate(${labelX}px, ${labelY}px)` }} />
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export const NODE_TYPES = { agent: AgentNode, 'group-box': GroupNode };
export const EDGE_TYPES = { wire: WireEdge };
