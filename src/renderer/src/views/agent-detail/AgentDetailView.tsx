import { StateBadge } from '../../components/StateBadge.js';
import { useNow } from '../../hooks/useNow.js';
import { clockTime, formatCost, formatDuration, relativeTime } from '../../lib/relative-time.js';
import { findAgent, useAgentsStore } from '../../stores/agents-store.js';
import { LogsPanel } from '../logs/LogsPanel.js';
import { AgentActions } from './AgentActions.js';
import { HeartbeatTimeline } from './HeartbeatTimeline.js';
import { TaskForm } from './TaskForm.js';

function Json({ value }: { value: unknown }) {
  if (value === undefined || value === null) return <span className="faint">none</span>;
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function AgentDetailView({ name }: { name: string }) {
  const agent = useAgentsStore((s) => findAgent(s.byId, name));
  const loaded = useAgentsStore((s) => s.loadedAt !== null);
  const now = useNow(1_000);

  if (!agent) {
    return (
      <div className="empty" data-testid="agent-missing">
        {loaded ? (
          <>
            No agent named <b>{name}</b>. <a href="#/agents">Back to all agents</a>
          </>
        ) : (
          'Loading…'
        )}
      </div>
    );
  }
  const m = agent.metrics;
  const manifest = agent.manifest;
  return (
    <div className="detail" data-testid="agent-detail" data-agent-name={agent.name}>
      <div className="detail-main">
        <div className="card">
          <div className="row" style={{ marginBottom: 8 }}>
            <a href="#/agents" className="small">
              ← Agents
            </a>
            <span className="tag">{agent.kind}</span>
            <StateBadge agent={agent} now={now} />
            {agent.protected ? <span className="tag">protected</span> : null}
            {agent.node ? <span className="tag">node {agent.node}</span> : null}
            <span className="grow" />
            <span className="small muted">
              heartbeat {relativeTime(agent.lastHeartbeat, now)}
              {agent.lastHeartbeat ? ` (${clockTime(agent.lastHeartbeat)})` : ''}
            </span>
          </div>
          {agent.description ? <p className="muted" style={{ margin: '0 0 10px' }}>{agent.description}</p> : null}
          <AgentActions agent={agent} />
        </div>
        <div className="card">
          <h3>Heartbeats</h3>
          <HeartbeatTimeline points={agent.heartbeats} now={now} />
        </div>
        <LogsPanel actorId={agent.id} />
      </div>
      <div className="detail-side">
        <div className="card">
          <h3>Metrics</h3>
          <dl className="kv" data-testid="agent-metrics">
            <dt>Actor id</dt>
            <dd className="mono small">{agent.id}</dd>
            <dt>Current task</dt>
            <dd>{agent.task ?? '—'}</dd>
            <dt>Uptime</dt>
            <dd>{agent.uptime !== undefined ? formatDuration(agent.uptime) : '—'}</dd>
            <dt>Inbox</dt>
            <dd>{agent.inboxSize}</dd>
            <dt>Messages</dt>
            <dd>{agent.messagesProcessed}</dd>
            <dt>Tasks ok / failed</dt>
            <dd>{m ? `${m.tasks_completed} / ${m.tasks_failed}` : '—'}</dd>
            <dt>Errors</dt>
            <dd>{m ? m.errors : '—'}</dd>
            <dt>Restarts</dt>
            <dd>{agent.restarts}</dd>
            <dt>CPU / memory</dt>
            <dd>{agent.cpu !== undefined ? `${agent.cpu.toFixed(1)} % · ${agent.memoryMb?.toFixed(0) ?? '?'} MB` : '—'}</dd>
            {m?.tokens_in !== undefined || m?.tokens_out !== undefined || m?.input_tokens !== undefined || m?.output_tokens !== undefined ? (
              <>
                <dt>Tokens in / out</dt>
                <dd>
                  {/* ours, else the original's names (an original node or agent publishing only those) */}
                  {m?.tokens_in ?? m?.input_tokens ?? 0} / {m?.tokens_out ?? m?.output_tokens ?? 0}
                </dd>
              </>
            ) : null}
            <dt>Cost</dt>
            <dd>{formatCost(agent.costUsd)}</dd>
            {agent.supervised !== undefined ? (
              <>
                <dt>Supervised</dt>
                <dd>{agent.supervised ? 'yes' : 'no'}</dd>
              </>
            ) : null}
          </dl>
        </div>
        <TaskForm key={agent.name} name={agent.name} inputSchema={manifest?.input_schema} />
        <div className="card" data-testid="agent-manifest">
          <h3>Manifest</h3>
          {manifest ? (
            <dl className="kv">
              <dt>Capabilities</dt>
              <dd>{manifest.capabilities.length ? manifest.capabilities.map((c) => <span key={c} className="tag" style={{ marginRight: 4 }}>{c}</span>) : '—'}</dd>
              <dt>Publishes</dt>
              <dd className="mono small">{manifest.publishes.length ? manifest.publishes.join(', ') : '—'}</dd>
              <dt>Input</dt>
              <dd>
                <Json value={manifest.input_schema} />
              </dd>
              <dt>Output</dt>
              <dd>
                <Json value={manifest.output_schema} />
              </dd>
            </dl>
          ) : (
            <span className="faint">This agent has not published a manifest.</span>
          )}
        </div>
      </div>
    </div>
  );
}
