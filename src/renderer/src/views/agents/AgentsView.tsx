import { memo, useMemo, useRef } from 'react';
import { StateBadge } from '../../components/StateBadge.js';
import { VirtualList } from '../../components/VirtualList.js';
import { useFocusRequest } from '../../hooks/useFocusRequest.js';
import { useNow } from '../../hooks/useNow.js';
import { useThrottledStore } from '../../hooks/useThrottledStore.js';
import { formatCost, relativeTime } from '../../lib/relative-time.js';
import { hotkeyLabel } from '../../lib/hotkeys.js';
import { healthTag, useAgentsStore, type AgentView } from '../../stores/agents-store.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { countAgents, filterAgents, useAgentFilter, type HealthFilter, type SortKey } from './agent-filter.js';

const ROW_HEIGHT = 48;

const AgentRow = memo(function AgentRow({ agent, now }: { agent: AgentView; now: number }) {
  const tag = healthTag(agent, now);
  return (
    <a
      href={`#/agents/${encodeURIComponent(agent.name)}`}
      className={`cols agent-row ${tag}`}
      data-testid="agent-row"
      data-agent-name={agent.name}
      data-agent-kind={agent.kind}
      data-health={tag}
    >
      <span className="agent-name">
        <b>
          {agent.name}
          {agent.protected ? (
            <span className="lock" title="Protected: refuses stop and delete">
              ● protected
            </span>
          ) : null}
        </b>
        {/* "idle" is the original's heartbeat word for no task: not worth a subtitle. */}
        <span>{agent.description ?? (agent.task && agent.task !== 'idle' ? agent.task : agent.id)}</span>
      </span>
      <span>
        <span className="tag">{agent.kind}</span>
      </span>
      <StateBadge agent={agent} now={now} />
      <span className={tag === 'stale' ? 'small' : 'small muted'} title={agent.lastHeartbeat ? new Date(agent.lastHeartbeat * 1000).toLocaleString() : 'no heartbeat yet'}>
        {relativeTime(agent.lastHeartbeat, now)}
      </span>
      <span className="num" title="Inbox size">
        {agent.inboxSize}
      </span>
      <span className="num" title="Restarts">
        {agent.restarts}
      </span>
      <span className="num" title="Messages processed">
        {agent.messagesProcessed}
      </span>
      <span className="num" title="LLM cost">
        {formatCost(agent.costUsd)}
      </span>
    </a>
  );
});

const COLUMNS: { key: SortKey; label: string; num?: boolean }[] = [
  { key: 'name', label: 'Agent' },
  { key: 'kind', label: 'Kind' },
  { key: 'state', label: 'State' },
  { key: 'heartbeat', label: 'Heartbeat' },
  { key: 'inbox', label: 'Inbox', num: true },
  { key: 'restarts', label: 'Restarts', num: true },
  { key: 'messages', label: 'Messages', num: true },
  { key: 'cost', label: 'Cost', num: true },
];

const HEALTH_FILTERS: { v: HealthFilter; label: string }[] = [
  { v: 'all', label: 'All' },
  { v: 'attention', label: 'Needs attention' },
  { v: 'ok', label: 'Running' },
  { v: 'stale', label: 'Stale' },
  { v: 'failed', label: 'Failed' },
  { v: 'stopped', label: 'Stopped' },
];

export function AgentsView() {
  // 500 agents beat 50 times a second between them: the table renders 4 times a second (the
  // store changes every frame; this view does not re-render in between).
  const byId = useThrottledStore(useAgentsStore, (s) => s.byId, 250);
  const loadedAt = useAgentsStore((s) => s.loadedAt);
  const rest = useConnectionStore((s) => s.rest);
  const f = useAgentFilter();
  const now = useNow(1_000);
  const search = useRef<HTMLInputElement>(null);
  useFocusRequest('agent-search', search);

  const all = useMemo(() => Object.values(byId), [byId]);
  // Re-filter on data changes and every few seconds (staleness depends on the clock).
  const coarseNow = Math.floor(now / 5_000) * 5_000;
  const rows = useMemo(() => filterAgents(all, f, coarseNow), [all, f, coarseNow]);
  const counts = useMemo(() => countAgents(all, coarseNow), [all, coarseNow]);

  const sortBy = (key: SortKey) => f.set(f.sort === key ? { desc: !f.desc } : { sort: key, desc: false });

  return (
    <>
      <div className="summary" data-testid="agent-summary">
        <div className="stat">
          <b data-testid="count-total">{counts.total}</b>
          <span>agents</span>
        </div>
        <div className="stat">
          <b>{counts.running}</b>
          <span>running</span>
        </div>
        <div className={`stat ${counts.stale ? 'warn' : ''}`}>
          <b>{counts.stale}</b>
          <span>stale (&gt; 60 s)</span>
        </div>
        <div className={`stat ${counts.failed ? 'err' : ''}`}>
          <b>{counts.failed}</b>
          <span>failed</span>
        </div>
        <div className="stat">
          <b>{counts.stopped}</b>
          <span>stopped</span>
        </div>
      </div>
      <div className="agents-toolbar">
        <input
          ref={search}
          id="agent-search"
          className="input search"
          type="search"
          placeholder={`Search agents… (${hotkeyLabel('mod+k')})`}
          value={f.query}
          onChange={(e) => f.set({ query: e.target.value })}
          data-testid="agent-search"
          aria-label="Search agents"
        />
        <select className="select" style={{ width: 'auto' }} value={f.kind} onChange={(e) => f.set({ kind: e.target.value as typeof f.kind })} aria-label="Kind" data-testid="kind-filter">
          <option value="all">All kinds</option>
          {['core', 'dynamic', 'catalog', 'llm', 'unknown']
            .filter((k) => k !== 'unknown' || counts.kinds.unknown)
            .map((k) => (
              <option key={k} value={k}>
                {k} ({counts.kinds[k] ?? 0})
              </option>
            ))}
        </select>
        <div className="row" role="group" aria-label="Health">
          {HEALTH_FILTERS.map((h) => (
            <button key={h.v} type="button" className={`chip ${f.health === h.v ? 'on' : ''}`} onClick={() => f.set({ health: h.v })} data-testid={`health-${h.v}`}>
              {h.label}
            </button>
          ))}
        </div>
        <span className="grow" />
        <span className="small muted">
          {rows.length === all.length ? `${all.length} shown` : `${rows.length} of ${all.length} shown`}
        </span>
      </div>
      <div className="table">
        <div className="cols thead" role="row">
          {COLUMNS.map((c) => (
            <button key={c.key} type="button" className={`${f.sort === c.key ? 'sorted' : ''} ${c.num ? 'num' : ''}`} onClick={() => sortBy(c.key)}>
              {c.label}
              {f.sort === c.key ? (f.desc ? ' ↑' : ' ↓') : ''}
            </button>
          ))}
        </div>
        <VirtualList
          items={rows}
          rowHeight={ROW_HEIGHT}
          getKey={(a) => a.id}
          renderRow={(a) => <AgentRow agent={a} now={now} />}
          testId="agent-list"
          ariaLabel="Agents"
          emptyText={
            loadedAt === null ? (rest === 'error' ? 'Cannot reach the hub.' : 'Loading agents…') : all.length === 0 ? 'No agents yet.' : 'No agent matches these filters.'
          }
        />
      </div>
    </>
  );
}

