/**
 * Live log tail: virtualised, follows new lines until the user scrolls up, can be paused (the view
 * freezes while the buffer keeps filling), filtered by level and text.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import { VirtualList } from '../../components/VirtualList.js';
import { useThrottledStore } from '../../hooks/useThrottledStore.js';
import type { LogLevel } from '../../connection/topic-router.js';
import { clockTime } from '../../lib/relative-time.js';
import { useAgentsStore } from '../../stores/agents-store.js';
import { LOGS_PER_AGENT, LOGS_TOTAL, useLogsStore, type LogLine } from '../../stores/logs-store.js';
import { ALL_LEVELS, filterLogs } from './log-filter.js';

const ROW = 22;
const LEVEL_WIDTH = 7;
const WHO_WIDTH = 18;

/** `text` as a fixed-width column: cut with an ellipsis or padded with spaces. */
export function column(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}
const EMPTY: LogLine[] = [];

export function LogsPanel({ actorId, showAgent = false }: { actorId?: string; showAgent?: boolean }) {
  // A tail at 1,000 lines/s is unreadable at 60 Hz anyway: render it 4 times a second, like the
  // agents table (the store itself changes every frame; this view does not re-render in between).
  const live = useThrottledStore(useLogsStore, (s) => (actorId === undefined ? s.all : (s.byAgent[actorId] ?? EMPTY)), 250, [actorId]);
  const clear = useLogsStore((s) => s.clear);
  // Names only: agents beat every frame, so this reads them when the tail renders, not on every beat.
  const byId = useThrottledStore(useAgentsStore, (s) => (showAgent ? s.byId : null), 1_000, [showAgent]);
  const [paused, setPaused] = useState(false);
  const frozen = useRef<readonly LogLine[]>(EMPTY);
  const [follow, setFollow] = useState(true);
  const [levels, setLevels] = useState<ReadonlySet<LogLevel>>(() => new Set(ALL_LEVELS));
  const [query, setQuery] = useState('');

  const source = paused ? frozen.current : live;
  const nameOf = useCallback((id: string) => byId?.[id]?.name ?? id.slice(0, 8), [byId]);
  const lines = useMemo(() => filterLogs(source, levels, query, showAgent ? nameOf : undefined), [source, levels, query, showAgent, nameOf]);

  const togglePause = () => {
    if (!paused) frozen.current = live;
    setPaused(!paused);
  };
  const toggleLevel = (lv: LogLevel) =>
    setLevels((cur) => {
      const next = new Set(cur);
      if (next.has(lv)) next.delete(lv);
      else next.add(lv);
      return next;
    });
  const cap = actorId === undefined ? LOGS_TOTAL : LOGS_PER_AGENT;

  return (
    <div className="logs" data-testid="logs-panel">
      <div className="logs-bar">
        <b className="small">Logs</b>
        {ALL_LEVELS.map((lv) => (
          <button key={lv} type="button" className={`chip ${levels.has(lv) ? 'on' : ''}`} onClick={() => toggleLevel(lv)} data-testid={`log-level-${lv}`} aria-pressed={levels.has(lv)}>
            {lv}
          </button>
        ))}
        <input className="input" style={{ width: 180 }} type="search" placeholder="Filter…" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Filter logs" />
        <span className="grow" />
        <span className="small muted" title={`The newest ${cap.toLocaleString()} lines are kept`}>
          {lines.length.toLocaleString()} {lines.length === 1 ? 'line' : 'lines'}
        </span>
        <button type="button" className={`btn small ${paused ? 'primary' : ''}`} onClick={togglePause} data-testid="logs-pause" aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className={`btn small ${follow ? 'primary' : ''}`}
          onClick={() => setFollow(!follow)}
          title="Stick to the newest line"
          data-testid="logs-follow"
          aria-pressed={follow}
        >
          Follow
        </button>
        <button type="button" className="btn small" onClick={() => clear(actorId)}>
          Clear
        </button>
      </div>
      <VirtualList
        items={lines}
        rowHeight={ROW}
        follow={follow && !paused}
        onFollowChange={setFollow}
        getKey={(l) => l.seq}
        keyBySlot
        testId="log-lines"
        ariaLabel="Log lines"
        emptyText={source.length === 0 ? 'No log lines yet.' : 'No line matches the filter.'}
        className="log-list"
        renderRow={(l) => (
          // Columns by padding in a monospace font: one text run per side of the level, so a
          // screenful of rows replaced 8 times a second costs few layout objects.
          <div className={`log-line ${l.level}`} data-testid="log-line" data-level={l.level} title={l.message}>
            {`${clockTime(l.timestamp)} `}
            <span className={`lv ${l.level}`}>{column(l.type.toUpperCase(), LEVEL_WIDTH)}</span>
            {showAgent ? ` ${column(nameOf(l.actorId), WHO_WIDTH)} ${l.message}` : ` ${l.message}`}
          </div>
        )}
      />
    </div>
  );
}
