/** The selected entity's recorded history (GET /ha/history/:id), re-read when its state changes. */
import { useEffect, useState } from 'react';
import { hub } from '../../connection/index.js';
import { useNow } from '../../hooks/useNow.js';
import type { HomeEntity } from '../../stores/home-store.js';
import type { HaHistoryResponse } from '../../../../shared/rest.js';
import { HistoryChart } from './HistoryChart.js';
import { displayState } from './home-model.js';

const RANGES = [
  { label: '1 h', seconds: 3_600 },
  { label: '24 h', seconds: 86_400 },
  { label: '7 d', seconds: 7 * 86_400 },
] as const;

export function EntityHistory({ entity, onClose }: { entity: HomeEntity; onClose: () => void }) {
  const [range, setRange] = useState<number>(86_400);
  const [history, setHistory] = useState<HaHistoryResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(10_000);
  const id = entity.entity_id;
  // A new state is a new point: read the history again (a pending toggle waits for the truth).
  const version = `${entity.last_changed ?? ''}|${entity.pending ? '' : (entity.state ?? '')}`;

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      hub.rest
        .haHistory(id, { since: Date.now() / 1000 - range, limit: 1_000 })
        .then((h) => {
          if (!live) return;
          setHistory(h);
          setError(null);
        })
        .catch((e: Error) => {
          if (live) setError(e.message);
        });
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [id, range, version]);

  const shown = history?.entity_id === id ? history : null;
  return (
    <aside className="card ha-history" data-testid="ha-history" data-entity-id={id}>
      <div className="row">
        <h2 className="grow">{entity.name}</h2>
        <button type="button" className="btn small ghost" onClick={onClose} aria-label="Close the history">
          ✕
        </button>
      </div>
      <dl className="kv small">
        <dt>Entity</dt>
        <dd className="mono">{id}</dd>
        <dt>State</dt>
        <dd>{displayState(entity)}</dd>
        {entity.area_name ? (
          <>
            <dt>Area</dt>
            <dd>{entity.area_name}</dd>
          </>
        ) : null}
        {entity.device_name ? (
          <>
            <dt>Device</dt>
            <dd>{entity.device_name}</dd>
          </>
        ) : null}
      </dl>
      <div className="row" style={{ margin: '12px 0 6px' }}>
        {RANGES.map((r) => (
          <button key={r.seconds} type="button" className={`chip ${range === r.seconds ? 'on' : ''}`} onClick={() => setRange(r.seconds)}>
            {r.label}
          </button>
        ))}
      </div>
      {error ? <div className="error-box small">History unavailable: {error}</div> : null}
      {shown && shown.points.length === 0 ? <div className="empty small">No recorded changes in this period.</div> : null}
      {shown && shown.points.length > 0 ? <HistoryChart points={shown.points} numeric={shown.numeric} unit={shown.unit} endTs={Math.max(now / 1000, shown.points[shown.points.length - 1]!.ts)} /> : null}
      {!shown && !error ? <div className="empty small">Loading the history…</div> : null}
      <details className="small" style={{ marginTop: 8 }}>
        <summary>Attributes</summary>
        <pre className="json">{JSON.stringify(entity.attributes, null, 2)}</pre>
      </details>
    </aside>
  );
}
