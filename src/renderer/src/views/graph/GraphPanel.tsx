/**
 * The side panel of the graph view: the selected agent (what it is, its wires, its actions —
 * pause, resume, stop… through the same REST routes as its detail page — and links to its detail,
 * code and chat) or the selected wire (its topic's recent messages, read on demand).
 */
import { useEffect, useState } from 'react';
import type { GraphAgent, GraphEdge, TopicMessages } from '../../../../shared/graph.js';
import { hub } from '../../connection/index.js';
import { navigate } from '../../hooks/useRoute.js';
import { blankAgent, useAgentsStore, type AgentView } from '../../stores/agents-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { AgentActions } from '../agent-detail/AgentActions.js';
import { rateLabel } from './graph-view-model.js';

export type Selection = { type: 'agent'; id: string } | { type: 'wire'; from: string; to: string; topic: string } | null;

const asView = (a: GraphAgent): AgentView => ({
  ...blankAgent(a.id, a.name),
  kind: a.kind === 'core' || a.kind === 'dynamic' || a.kind === 'catalog' || a.kind === 'llm' ? a.kind : 'unknown',
  state: a.state === 'silent' ? 'running' : a.state,
  ...(a.node ? { node: a.node } : {}),
});

function AgentPanel({ agent, edges, names }: { agent: GraphAgent; edges: GraphEdge[]; names: Map<string, string> }) {
  const live = useAgentsStore((s) => s.byId[agent.id]);
  const view = live ? { ...live, state: agent.state === 'silent' ? live.state : agent.state } : asView(agent);
  const out = edges.filter((e) => e.from === agent.id);
  const inc = edges.filter((e) => e.to === agent.id);
  const chat = () => {
    useUiStore.getState().requestChatDraft(`@${agent.name} `);
    navigate({ view: 'chat' });
  };
  const wire = (e: GraphEdge, other: string) => (
    <li key={`${e.from}|${e.to}|${e.topic}`}>
      <span className="mono">{e.topic}</span> {e.from === agent.id ? '→' : '←'} <b>{names.get(other) ?? other}</b> <span className="muted">{rateLabel(e.rate)}</span>
    </li>
  );
  return (
    <div data-testid="graph-panel" data-agent-id={agent.id}>
      <h2 className="mono">{agent.name}</h2>
      <dl className="kv small">
        <dt>Kind</dt>
        <dd>{agent.kind}</dd>
        <dt>Runs on</dt>
        <dd>{agent.node ?? 'this hub'}</dd>
        <dt>State</dt>
        <dd data-testid="graph-panel-state">{agent.state}</dd>
      </dl>
      {agent.kind !== 'external' ? (
        <>
          <div className="actions">
            <a className="btn" href={`#/agents/${encodeURIComponent(agent.name)}`} data-testid="graph-open-detail">
              Detail
            </a>
            {agent.kind === 'catalog' ? (
              <a className="btn" href={`#/editor/${encodeURIComponent(agent.name)}`} data-testid="graph-open-code">
                Code
              </a>
            ) : null}
            <button type="button" className="btn" onClick={chat} data-testid="graph-open-chat">
              Chat
            </button>
          </div>
          <AgentActions agent={view} />
        </>
      ) : (
        <p className="small muted">Messages from MQTT clients the hub cannot name (another program, a device, the original's agents).</p>
      )}
      <h3>Publishes to</h3>
      {out.length ? <ul className="small graph-wires">{out.map((e) => wire(e, e.to))}</ul> : <p className="small muted">no wire</p>}
      <h3>Listens to</h3>
      {inc.length ? <ul className="small graph-wires">{inc.map((e) => wire(e, e.from))}</ul> : <p className="small muted">no wire</p>}
    </div>
  );
}

function WirePanel({ edge, names }: { edge: GraphEdge; names: Map<string, string> }) {
  const [msgs, setMsgs] = useState<TopicMessages | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    hub.rest.topicMessages(edge.topic).then(
      (m) => live && (setMsgs(m), setError(null)),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [edge.topic, n]);
  return (
    <div data-testid="graph-wire-panel" data-topic={edge.topic}>
      <h2 className="mono">{edge.topic}</h2>
      <p className="small">
        <b>{names.get(edge.from) ?? edge.from}</b> → <b>{names.get(edge.to) ?? edge.to}</b> · {rateLabel(edge.rate)} (last 10 s)
      </p>
      <div className="row">
        <h3 className="grow">Recent messages</h3>
        <button type="button" className="btn" onClick={() => setN((x) => x + 1)} data-testid="graph-wire-refresh">
          Refresh
        </button>
      </div>
      {error ? <div className="error-box">{error}</div> : null}
      {msgs && msgs.messages.length === 0 ? <p className="small muted">None seen on this topic lately (wildcard wires show what was declared).</p> : null}
      <ul className="graph-messages">
        {msgs?.messages.map((m, i) => (
          <li key={`${m.timestamp}-${i}`} data-testid="graph-wire-message">
            <span className="small muted">
              {new Date(m.timestamp * 1000).toLocaleTimeString()} · {m.from ? (names.get(m.from) ?? m.from) : 'unattributed'} · {m.bytes} B{m.truncated ? ' (cut)' : ''}
            </span>
            <pre className="mono small">{typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload, null, 1)}</pre>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function GraphPanel({ selection, agents, edges, onClose }: { selection: Selection; agents: GraphAgent[]; edges: GraphEdge[]; onClose: () => void }) {
  if (!selection) return null;
  const names = new Map(agents.map((a) => [a.id, a.name]));
  let body: React.ReactNode = null;
  if (selection.type === 'agent') {
    const a = agents.find((x) => x.id === selection.id);
    body = a ? <AgentPanel agent={a} edges={edges} names={names} /> : <p className="muted">This agent is gone.</p>;
  } else {
    const e = edges.find((x) => x.from === selection.from && x.to === selection.to && x.topic === selection.topic);
    body = e ? <WirePanel edge={e} names={names} /> : <p className="muted">This wire is gone.</p>;
  }
  return (
    <aside className="graph-panel card">
      <button type="button" className="btn graph-panel-close" onClick={onClose} aria-label="Close">
        ×
      </button>
      {body}
    </aside>
  );
}
