/** Remote nodes (GET /nodes, polled; `nodes/+/heartbeat` live): online, agents, load. Offline ones first, in red. */
import { useEffect, useMemo } from 'react';
import { hub } from '../../connection/index.js';
import { useNow } from '../../hooks/useNow.js';
import { relativeTime } from '../../lib/relative-time.js';
import { isNodeOnline, sortNodes, useNodesStore, type NodeView } from '../../stores/nodes-store.js';

const POLL_MS = 5_000;

async function loadNodes(): Promise<void> {
  const st = useNodesStore.getState();
  try {
    st.setNodes(await hub.rest.nodes());
  } catch (e) {
    st.setError((e as Error).message);
  }
}

function NodeCard({ n, now }: { n: NodeView; now: number }) {
  const online = isNodeOnline(n, now);
  const agents = [...new Set([...n.agents, ...n.placed])].sort();
  return (
    <section className={`card node ${online ? 'online' : 'offline'}`} data-testid="node-card" data-node={n.name} data-online={online ? 'true' : 'false'}>
      <div className="row">
        <h2 className="grow mono">{n.name}</h2>
        <span className={`state ${online ? 'ok' : 'failed'}`} data-testid="node-online">
          {online ? 'online' : 'offline'}
        </span>
      </div>
      <dl className="kv small">
        <dt>Last seen</dt>
        <dd title={n.last_seen ? new Date(n.last_seen * 1000).toLocaleString() : ''}>{relativeTime(n.last_seen, now)}</dd>
        {n.hostname ? (
          <>
            <dt>Host</dt>
            <dd>{n.hostname}</dd>
          </>
        ) : null}
        <dt>Load</dt>
        <dd data-testid="node-load">{n.load && n.load.length > 0 ? n.load.map((l) => l.toFixed(2)).join(' · ') : '—'}</dd>
        {n.cpus ? (
          <>
            <dt>CPUs</dt>
            <dd>{n.cpus}</dd>
          </>
        ) : null}
        {n.memory_mb !== null ? (
          <>
            <dt>Memory</dt>
            <dd>{Math.round(n.memory_mb)} MB</dd>
          </>
        ) : null}
        {n.pending_commands > 0 ? (
          <>
            <dt>Pending</dt>
            <dd>{n.pending_commands} command(s) waiting for the node</dd>
          </>
        ) : null}
      </dl>
      <h3 style={{ marginTop: 10 }}>Agents ({agents.length})</h3>
      {agents.length === 0 ? <div className="small muted">No agents.</div> : null}
      <ul className="node-agents">
        {agents.map((a) => (
          <li key={a} data-testid="node-agent" data-agent-name={a}>
            <a href={`#/agents/${encodeURIComponent(a)}`} className="mono small">
              {a}
            </a>
            <span className="small muted">{n.agent_states[a] ?? (n.agents.includes(a) ? '' : 'placed, not running yet')}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function NodesView() {
  const { nodes, loaded, error } = useNodesStore();
  const now = useNow(1_000);
  const list = useMemo(() => sortNodes(nodes, now), [nodes, now]);
  const offline = list.filter((n) => !isNodeOnline(n, now)).length;

  useEffect(() => {
    void loadNodes();
    const t = setInterval(() => void loadNodes(), POLL_MS);
    return () => clearInterval(t);
  }, []);

  return (
    <>
      <div className="agents-toolbar">
        <span className="small muted">
          {list.length} node{list.length === 1 ? '' : 's'}
          {offline > 0 ? <b className="err-text"> · {offline} offline</b> : null}
        </span>
      </div>
      {error ? <div className="error-box" data-testid="nodes-error">Cannot load the nodes: {error}</div> : null}
      {loaded && list.length === 0 ? (
        <div className="empty" data-testid="nodes-empty">
          No remote node has been seen. Start one with <code>wactorz node --broker HOST --name NAME</code>.
        </div>
      ) : null}
      <div className="grid-2" data-testid="node-list">
        {list.map((n) => (
          <NodeCard key={n.name} n={n} now={now} />
        ))}
      </div>
    </>
  );
}
