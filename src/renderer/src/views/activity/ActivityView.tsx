/**
 * The activity feed (issue 16): what happened in the hub, newest first — spawned, stopped,
 * failed, deleted, deployed (with the version), approvals, alerts, nodes online/offline, installs.
 * Filter by kind (chips from the shared kinds table: a new kind shows up by itself) and by text;
 * each row links to what it is about. Live from `system/feed` (retained recent window + batches),
 * older pages from GET /api/feed. Text is rendered as text, never HTML.
 */
import { useMemo, useState } from 'react';
import { FEED_KIND_NAMES, FEED_KINDS, type FeedEvent, type FeedKind } from '../../../../shared/feed.js';
import { VirtualList } from '../../components/VirtualList.js';
import { hub } from '../../connection/index.js';
import { useThrottledStore } from '../../hooks/useThrottledStore.js';
import { useNow } from '../../hooks/useNow.js';
import { relativeTime } from '../../lib/relative-time.js';
import { matchesFeed, useFeedStore } from '../../stores/feed-store.js';
import { feedLink } from './activity-links.js';

const ROW = 34;

function Row({ e, now }: { e: FeedEvent; now: number }) {
  const info = FEED_KINDS[e.kind];
  const href = feedLink(e);
  return (
    <div className={`feed-row tone-${info?.tone ?? 'neutral'}`} data-testid="feed-event" data-kind={e.kind} data-subject={e.subject.name}>
      <span className="feed-kind">{info?.label ?? e.kind}</span>
      <span className="feed-when small muted" title={new Date(e.timestamp * 1000).toLocaleString()}>
        {relativeTime(e.timestamp, now)}
      </span>
      {href ? (
        <a className="feed-subject mono" href={href} data-testid="feed-link">
          {e.subject.name}
        </a>
      ) : (
        <span className="feed-subject mono">{e.subject.name}</span>
      )}
      <span className="feed-text" title={e.text}>
        {e.text}
      </span>
    </div>
  );
}

export function ActivityView() {
  const events = useThrottledStore(useFeedStore, (s) => s.events, 250);
  const more = useFeedStore((s) => s.more);
  const filters = useFeedStore((s) => s.filters);
  const setFilters = useFeedStore((s) => s.setFilters);
  const now = useNow(5_000);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shown = useMemo(() => events.filter((e) => matchesFeed(e, filters)), [events, filters]);

  const toggle = (k: FeedKind) => setFilters({ kinds: filters.kinds.includes(k) ? filters.kinds.filter((x) => x !== k) : [...filters.kinds, k] });
  const loadOlder = async () => {
    setLoading(true);
    try {
      const oldest = events.at(-1);
      const page = await hub.rest.feed({ ...(oldest ? { before: oldest.id } : {}), limit: 200 });
      useFeedStore.getState().addOlder(page.events, page.more);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };

  return (
    <div className="activity-view">
      <div className="agents-toolbar">
        <input className="search" type="search" placeholder="Search the activity…" value={filters.search} onChange={(e) => setFilters({ search: e.target.value })} data-testid="feed-search" />
        <span className="grow" />
        <span className="small muted" data-testid="feed-count">
          {shown.length} of {events.length}
        </span>
        <button type="button" className="btn" onClick={() => void loadOlder()} disabled={loading || (!more && events.length > 0)} data-testid="feed-older">
          {loading ? 'Loading…' : 'Older'}
        </button>
      </div>
      <div className="feed-kinds" role="group" aria-label="Kinds">
        {FEED_KIND_NAMES.map((k) => (
          <button key={k} type="button" className={`chip tone-${FEED_KINDS[k].tone} ${filters.kinds.includes(k) ? 'on' : ''}`} aria-pressed={filters.kinds.includes(k)} onClick={() => toggle(k)} data-testid={`feed-kind-${k}`}>
            {FEED_KINDS[k].label}
          </button>
        ))}
        {filters.kinds.length > 0 ? (
          <button type="button" className="chip" onClick={() => setFilters({ kinds: [] })}>
            all
          </button>
        ) : null}
      </div>
      {error ? <div className="error-box">Cannot load older events: {error}</div> : null}
      <VirtualList
        items={shown}
        rowHeight={ROW}
        getKey={(e) => e.id}
        renderRow={(e) => <Row e={e} now={now} />}
        className="feed-list"
        testId="feed-list"
        ariaLabel="Activity"
        emptyText={events.length === 0 ? 'Nothing has happened yet.' : 'Nothing matches the filters.'}
      />
    </div>
  );
}
