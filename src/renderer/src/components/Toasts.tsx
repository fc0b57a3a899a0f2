import { useEffect } from 'react';
import { useAlertsStore, type AlertItem } from '../stores/alerts-store.js';
import { navigate } from '../hooks/useRoute.js';

const LIFETIME_MS = { info: 5_000, warning: 10_000, critical: 0 } as const;

function Toast({ item }: { item: AlertItem }) {
  const dismiss = useAlertsStore((s) => s.dismissToast);
  useEffect(() => {
    const ms = LIFETIME_MS[item.severity];
    if (ms === 0) return; // critical alerts stay until dismissed
    const t = setTimeout(() => dismiss(item.key), ms);
    return () => clearTimeout(t);
  }, [item.key, item.severity, dismiss]);
  const isAgent = item.actorId !== 'dashboard';
  return (
    <div className={`toast ${item.severity}`} role={item.severity === 'critical' ? 'alert' : 'status'} data-testid="toast" data-severity={item.severity}>
      <div className="body">
        <div className="small muted">
          <b>{item.name}</b> · {item.severity}
        </div>
        <div>{item.message}</div>
        {isAgent ? (
          <button type="button" className="link-button" onClick={() => navigate({ view: 'agent', name: item.name })}>
            open agent
          </button>
        ) : null}
      </div>
      <button type="button" className="btn ghost small" aria-label="Dismiss" onClick={() => dismiss(item.key)}>
        ✕
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useAlertsStore((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <Toast key={t.key} item={t} />
      ))}
    </div>
  );
}
