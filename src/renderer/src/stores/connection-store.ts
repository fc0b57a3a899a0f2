/** The dashboard's link to the hub as the UI shows it: MQTT state, REST reachability, token need. */
import { create } from 'zustand';
import type { HealthResponse } from '../../../shared/rest.js';
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import type { LinkState } from '../connection/mqtt-link.js';

export type RestState = 'unknown' | 'ok' | 'error';

interface ConnectionState {
  mqtt: LinkState;
  rest: RestState;
  /** The hub refused our (missing) token. */
  authRequired: boolean;
  detail: string | null;
  /** Epoch ms of the last MQTT state change. */
  since: number;
  baseUrl: string | null;
  health: HealthResponse | null;
  /** How far the hub is in bringing its agents back (GET /health's `restore`, the retained system/restore): the newest. */
  restore: RestoreProgress | null;
  /** Malformed MQTT payloads ignored so far. */
  rejected: number;
  /** Where the MQTT client runs: a Web Worker, or the page's main thread (fallback). */
  busMode: 'worker' | 'inline' | null;
  setBusMode(mode: 'worker' | 'inline' | null): void;
  setMqtt(state: LinkState, detail?: string): void;
  setRest(state: RestState, detail?: string): void;
  setAuthRequired(v: boolean): void;
  setBaseUrl(url: string): void;
  setHealth(h: HealthResponse | null): void;
  setRestore(p: RestoreProgress): void;
  countRejected(n: number): void;
}

export const useConnectionStore = create<ConnectionState>((set) => ({
  mqtt: 'connecting',
  rest: 'unknown',
  authRequired: false,
  detail: null,
  since: Date.now(),
  baseUrl: null,
  health: null,
  restore: null,
  rejected: 0,
  busMode: null,
  setBusMode(mode) {
    set((st) => (st.busMode === mode ? st : { busMode: mode }));
  },
  setMqtt(state, detail) {
    set((st) => (st.mqtt === state && st.detail === (detail ?? null) ? st : { mqtt: state, detail: detail ?? null, since: st.mqtt === state ? st.since : Date.now() }));
  },
  setRest(state, detail) {
    set((st) => ({ rest: state, detail: detail ?? st.detail }));
  },
  setAuthRequired(v) {
    set({ authRequired: v });
  },
  setBaseUrl(url) {
    set({ baseUrl: url });
  },
  setHealth(h) {
    set((st) => ({ health: h, restore: newerRestore(st.restore, h?.restore) }));
  },
  setRestore(p) {
    set((st) => {
      const restore = newerRestore(st.restore, p);
      return restore === st.restore ? st : { restore };
    });
  },
  countRejected(n) {
    if (n > 0) set((st) => ({ rejected: st.rejected + n }));
  },
}));

/** The one word the badge shows. */
export type OverallState = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'locked';

export function overallState(s: Pick<ConnectionState, 'mqtt' | 'rest' | 'authRequired'>): OverallState {
  if (s.authRequired) return 'locked';
  if (s.mqtt === 'online') return 'online';
  return s.mqtt;
}

/** REST and MQTT both report restore progress: keep the later report (by the hub's timestamp). */
export function newerRestore(current: RestoreProgress | null, next: RestoreProgress | null | undefined): RestoreProgress | null {
  if (!next) return current;
  if (current && current.timestamp > next.timestamp) return current;
  return next;
}
