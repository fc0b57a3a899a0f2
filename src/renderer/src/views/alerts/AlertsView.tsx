import { useEffect } from 'react';
import { useNow } from '../../hooks/useNow.js';
import { clockTime, relativeTime } from '../../lib/relative-time.js';
import { useAlertsStore } from '../../stores/alerts-store.js';

export function AlertsView() {
  const items = useAlertsStore((s) => s.items);
  const markRead = useAlertsStore((s) => s.markRead);
  const clear = useAlertsStore((s) => s.clear);
  const now = useNow(5_000);
  useEffect(() => {
    markRead();
  }, [items.length, markRead]);
  return (
    <div className="card" style={{ padding: 0 }} data-testid="alert-list">
      <div className="row" style={{ padding: '10px 12px', borderBottom: '1px solid var(--border)' }}>
        <b>Alerts</b>
        <span className="small muted">from the monitor (no heartbeat for 60 s → warning, 120 s → critical) and from agents</span>
        <span className="grow" />
        {items.length > 0 ? (
          <button type="button" className="btn small" onClick={clear}>
            Clear
          </button>
        ) : null}
      </div>
      {items.length === 0 ? <div className="empty">No alerts. All quiet.</div> : null}
      {items.map((a) => (
        <div key={a.key} className={`alert-row ${a.resolved ? 'resolved' : ''}`} data-testid="alert-item" data-severity={a.severity}>
          <span className={`sev-pill ${a.severity}`}>{a.resolved ? 'resolved' : a.severity}</span>
          <a href={`#/agents/${encodeURIComponent(a.name)}`} className="mono small">
            {a.name}
          </a>
          <span>{a.message}</span>
          <span className="small muted" title={clockTime(a.timestamp)}>
            {relativeTime(a.timestamp, now)}
          </span>
        </div>
      ))}
    </div>
  );
}
