/**
 * Home Assistant for the Home view: connection status and entities (REST), kept live from the
 * state bridge's `homeassistant/state_changes` (MQTT), and toggles shown at once (optimistic) and
 * rolled back if the hub refuses them. Reducers are pure and tested under Node.
 */
import { create } from 'zustand';
import type { HaStateChange } from '../../../shared/mqtt-payloads.js';
import type { HaEntityView, HaStatusResponse } from '../../../shared/rest.js';
import type { DashboardUpdate } from '../connection/topic-router.js';

/** Domains the hub's toggle route accepts (mirrors TOGGLEABLE_DOMAINS on the hub). */
export const TOGGLE_DOMAINS: ReadonlySet<string> = new Set(['light', 'switch', 'fan', 'input_boolean']);

export interface HomeEntity extends HaEntityView {
  /** A toggle on its way: the state before it (restored if the hub refuses). */
  pending?: { previous: string | null };
  /** Why the last toggle failed. */
  toggleError?: string;
}

export type EntityMap = Record<string, HomeEntity>;

interface HaStateObject {
  state?: unknown;
  attributes?: unknown;
  last_changed?: unknown;
}

const asStateObject = (v: unknown): HaStateObject | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as HaStateObject) : null);

/** The flipped state a toggle should lead to ("on" ↔ "off"; anything else turns on). */
export function toggledState(state: string | null): string {
  return state === 'on' ? 'off' : 'on';
}

export function loadEntities(prev: EntityMap, list: readonly HaEntityView[]): EntityMap {
  const next: EntityMap = {};
  for (const e of list) {
    const old = prev[e.entity_id];
    // A toggle still in flight keeps its optimistic state until the hub answers.
    next[e.entity_id] = old?.pending ? { ...e, state: old.state, pending: old.pending } : { ...e };
  }
  return next;
}

/** Applies the state bridge's changes: new state, attributes and last_changed; removed entities go; new ones appear (without an area until the next reload). */
export function applyStateChanges(entities: EntityMap, changes: readonly HaStateChange[]): EntityMap {
  if (changes.length === 0) return entities;
  const next: EntityMap = { ...entities };
  for (const c of changes) {
    const ns = asStateObject(c.new_state);
    const cur = next[c.entity_id];
    if (c.new_state === null) {
      delete next[c.entity_id];
      continue;
    }
    if (!ns || typeof ns.state !== 'string') continue;
    const attributes = asStateObject(ns.attributes) ? (ns.attributes as Record<string, unknown>) : (cur?.attributes ?? {});
    const friendly = typeof attributes.friendly_name === 'string' ? attributes.friendly_name : null;
    const lastChanged = typeof ns.last_changed === 'string' ? ns.last_changed : new Date().toISOString();
    if (cur) {
      const { pending: _p, toggleError: _e, ...rest } = cur;
      // The truth from HA settles any toggle in flight.
      next[c.entity_id] = { ...rest, state: ns.state, attributes, last_changed: lastChanged };
    } else {
      const domain = c.domain || c.entity_id.split('.')[0] || '';
      next[c.entity_id] = {
        entity_id: c.entity_id,
        domain,
        name: friendly ?? c.entity_id,
        state: ns.state,
        attributes,
        area_id: null,
        area_name: null,
        device_id: null,
        device_name: null,
        last_changed: lastChanged,
        toggleable: TOGGLE_DOMAINS.has(domain),
      };
    }
  }
  return next;
}

export function beginToggle(entities: EntityMap, id: string): EntityMap {
  const e = entities[id];
  if (!e || e.pending) return entities;
  const { toggleError: _e, ...rest } = e;
  return { ...entities, [id]: { ...rest, state: toggledState(e.state), pending: { previous: e.state } } };
}

/** The hub answered: its state wins (null: keep ours until MQTT says). */
export function finishToggle(entities: EntityMap, id: string, state: string | null): EntityMap {
  const e = entities[id];
  if (!e) return entities;
  const { pending: _p, ...rest } = e;
  return { ...entities, [id]: { ...rest, state: state ?? e.state } };
}

/** The hub refused: back to the state before the toggle, with the reason. */
export function failToggle(entities: EntityMap, id: string, error: string): EntityMap {
  const e = entities[id];
  if (!e) return entities;
  const { pending, ...rest } = e;
  return { ...entities, [id]: { ...rest, state: pending ? pending.previous : e.state, toggleError: error } };
}

interface HomeState {
  status: HaStatusResponse | null;
  statusError: string | null;
  entities: EntityMap;
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** The entity whose history is shown. */
  selected: string | null;
  setStatus(s: HaStatusResponse | null, error?: string | null): void;
  setEntities(list: readonly HaEntityView[]): void;
  setLoading(v: boolean): void;
  setError(e: string | null): void;
  select(id: string | null): void;
  beginToggle(id: string): void;
  finishToggle(id: string, state: string | null): void;
  failToggle(id: string, error: string): void;
  applyUpdate(u: DashboardUpdate): void;
}

export const useHomeStore = create<HomeState>((set) => ({
  status: null,
  statusError: null,
  entities: {},
  loaded: false,
  loading: false,
  error: null,
  selected: null,
  setStatus(status, error = null) {
    set({ status, statusError: error });
  },
  setEntities(list) {
    set((st) => ({ entities: loadEntities(st.entities, list), loaded: true, error: null }));
  },
  setLoading(loading) {
    set({ loading });
  },
  setError(error) {
    set({ error });
  },
  select(selected) {
    set({ selected });
  },
  beginToggle(id) {
    set((st) => ({ entities: beginToggle(st.entities, id) }));
  },
  finishToggle(id, state) {
    set((st) => ({ entities: finishToggle(st.entities, id, state) }));
  },
  failToggle(id, error) {
    set((st) => ({ entities: failToggle(st.entities, id, error) }));
  },
  applyUpdate(u) {
    if (u.haStateChanges.length === 0) return;
    set((st) => {
      const entities = applyStateChanges(st.entities, u.haStateChanges);
      return entities === st.entities ? st : { entities };
    });
  },
}));
