/**
 * Home: Home Assistant's connection, the home map (entities by area) with live states, toggles for
 * lights/switches/fans/input_booleans, filters, and the history chart of the selected entity.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { hub } from '../../connection/index.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { useNow } from '../../hooks/useNow.js';
import { relativeTime } from '../../lib/relative-time.js';
import { useHomeStore, type HomeEntity } from '../../stores/home-store.js';
import { EntityHistory } from './EntityHistory.js';
import { displayState, facets, filterEntities, groupByArea, isoToEpoch, UNASSIGNED, type HomeFilter } from './home-model.js';

const RELOAD_MS = 30_000;

/** Status, then entities (only when HA is configured). Shared by the first load, the reload button and the timer. */
async function loadHome(): Promise<void> {
  const st = useHomeStore.getState();
  st.setLoading(true);
  try {
    const status = await hub.rest.haStatus();
    st.setStatus(status);
    if (!status.configured) return;
    const r = await hub.rest.haEntities();
    st.setEntities(r.entities);
  } catch (e) {
    st.setError((e as Error).message);
  } finally {
    st.setLoading(false);
  }
}

async function toggle(id: string): Promise<void> {
  const st = useHomeStore.getState();
  if (st.entities[id]?.pending) return;
  st.beginToggle(id);
  try {
    const r = await hub.rest.haToggle(id);
    useHomeStore.getState().finishToggle(id, r.state);
  } catch (e) {
    useHomeStore.getState().failToggle(id, (e as Error).message);
  }
}

function StatusBanner() {
  const status = useHomeStore((s) => s.status);
  if (!status) return null;
  if (!status.configured) {
    return (
      <div className="card ha-status" data-testid="ha-status" data-state="not-configured">
        <h2>Home Assistant is not configured</h2>
        <p className="muted" data-testid="ha-not-configured-reason">
          {status.reason}
        </p>
        <p className="small">
          Enter its URL and a long-lived access token in <a href="#/settings">Settings</a>, or start the hub with <code>HA_URL</code> and <code>HA_TOKEN</code> set.
        </p>
      </div>
    );
  }
  const state = status.connected ? 'connected' : 'disconnected';
  return (
    <div className={`ha-status-line ${state}`} data-testid="ha-status" data-state={state}>
      <span className={`state ${status.connected ? 'ok' : 'failed'}`}>{status.connected ? 'connected' : status.status}</span>
      <span className="small muted">
        {status.url}
        {status.ha_version ? ` · Home Assistant ${status.ha_version}` : ''}
      </span>
      {status.error ? <span className="small err-text">{status.error}</span> : null}
    </div>
  );
}

const EntityRow = memo(function EntityRow({ e, now, selected, onSelect }: { e: HomeEntity; now: number; selected: boolean; onSelect: (id: string) => void }) {
  const changed = isoToEpoch(e.last_changed);
  const on = e.state === 'on';
  return (
    <div
      className={`ha-entity ${selected ? 'selected' : ''} ${e.state === 'unavailable' ? 'unavailable' : ''}`}
      data-testid="ha-entity"
      data-entity-id={e.entity_id}
      data-state={e.state ?? ''}
      data-pending={e.pending ? 'true' : 'false'}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      onClick={() => onSelect(e.entity_id)}
      onKeyDown={(ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          onSelect(e.entity_id);
        }
      }}
    >
      <span className="ha-entity-name">
        <b>{e.name}</b>
        <span className="small muted mono">{e.entity_id}</span>
      </span>
      <span className={`ha-state ${on ? 'on' : ''}`} data-testid="ha-entity-state">
        {displayState(e)}
      </span>
      <span className="small muted" title={e.last_changed ? new Date(e.last_changed).toLocaleString() : ''} data-testid="ha-entity-changed">
        {relativeTime(changed, now)}
      </span>
      <span className="ha-toggle-cell">
        {e.toggleable ? (
          <button
            type="button"
            role="switch"
            aria-checked={on}
            aria-label={`Turn ${e.name} ${on ? 'off' : 'on'}`}
            className={`switch ${on ? 'on' : ''}`}
            data-testid="ha-toggle"
            disabled={Boolean(e.pending) || e.state === 'unavailable'}
            onClick={(ev) => {
              ev.stopPropagation();
              void toggle(e.entity_id);
            }}
          >
            <span className="knob" />
          </button>
        ) : null}
      </span>
      {e.toggleError ? (
        <span className="small err-text ha-toggle-error" data-testid="ha-toggle-error">
          Could not toggle: {e.toggleError}
        </span>
      ) : null}
    </div>
  );
});

export function HomeView() {
  const { status, entities, loaded, loading, error, selected } = useHomeStore();
  const mqtt = useConnectionStore((s) => s.mqtt);
  const [filter, setFilter] = useState<HomeFilter>({ domain: '', area: '', query: '' });
  const now = useNow(1_000);

  useEffect(() => {
    void loadHome();
    const t = setInterval(() => void loadHome(), RELOAD_MS);
    return () => clearInterval(t);
  }, []);
  // Back online after a gap: the states may have moved meanwhile.
  const prevMqtt = useRef(mqtt);
  useEffect(() => {
    if (mqtt === 'online' && prevMqtt.current !== 'online') void loadHome();
    prevMqtt.current = mqtt;
  }, [mqtt]);

  const all = useMemo(() => Object.values(entities), [entities]);
  const f = useMemo(() => facets(all), [all]);
  const groups = useMemo(() => groupByArea(filterEntities(all, filter)), [all, filter]);
  const onSelect = useCallback((id: string) => {
    const st = useHomeStore.getState();
    st.select(st.selected === id ? null : id);
  }, []);
  const selectedEntity = selected ? entities[selected] : undefined;

  return (
    <div className="home">
      <StatusBanner />
      {error ? <div className="error-box" data-testid="ha-error">Cannot load Home Assistant: {error}</div> : null}
      {status?.configured ? (
        <>
          <div className="agents-toolbar">
            <input
              className="input search"
              type="search"
              placeholder="Search entities…"
              value={filter.query}
              onChange={(e) => setFilter({ ...filter, query: e.target.value })}
              aria-label="Search entities"
              data-testid="ha-search"
            />
            <select className="select" value={filter.domain} onChange={(e) => setFilter({ ...filter, domain: e.target.value })} aria-label="Domain" data-testid="ha-domain-filter">
              <option value="">All domains ({all.length})</option>
              {f.domains.map(([d, n]) => (
                <option key={d} value={d}>
                  {d} ({n})
                </option>
              ))}
            </select>
            <select className="select" value={filter.area} onChange={(e) => setFilter({ ...filter, area: e.target.value })} aria-label="Area" data-testid="ha-area-filter">
              <option value="">All areas</option>
              {f.areas.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.n})
                </option>
              ))}
              {f.unassigned > 0 ? <option value={UNASSIGNED}>No area ({f.unassigned})</option> : null}
            </select>
            <span className="grow" />
            <button type="button" className="btn" onClick={() => void loadHome()} disabled={loading}>
              {loading ? 'Loading…' : 'Reload'}
            </button>
          </div>
          <div className={`home-layout ${selectedEntity ? 'with-detail' : ''}`}>
            <div className="home-map" data-testid="ha-map">
              {loaded && groups.length === 0 ? <div className="empty">{all.length === 0 ? 'Home Assistant reports no entities.' : 'No entity matches the filter.'}</div> : null}
              {groups.map((g) => (
                <section key={g.areaId ?? UNASSIGNED} className="card ha-area" data-testid="ha-area" data-area-id={g.areaId ?? ''}>
                  <h2>
                    {g.name} <span className="small muted">{g.entities.length}</span>
                  </h2>
                  {g.entities.map((e) => (
                    <EntityRow key={e.entity_id} e={e} now={now} selected={e.entity_id === selected} onSelect={onSelect} />
                  ))}
                </section>
              ))}
            </div>
            {selectedEntity ? <EntityHistory entity={selectedEntity} onClose={() => useHomeStore.getState().select(null)} /> : null}
          </div>
        </>
      ) : null}
      {!status && loading ? <div className="empty">Asking the hub about Home Assistant…</div> : null}
    </div>
  );
}
