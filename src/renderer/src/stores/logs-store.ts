/**
 * Live log lines from `agents/+/logs`: one capped buffer per actor and one for everything, so a
 * hub printing 1,000 lines a second keeps a bounded memory footprint.
 */
import { create } from 'zustand';
import type { DashboardUpdate, LogItem } from '../connection/topic-router.js';
import { appendCapped } from '../lib/ring.js';

export const LOGS_PER_AGENT = 2_000;
export const LOGS_TOTAL = 10_000;

export interface LogLine extends LogItem {
  /** Monotonic, for React keys. */
  seq: number;
}

interface LogsState {
  all: LogLine[];
  byAgent: Record<string, LogLine[]>;
  /** Lines received since the start (the buffers drop old ones). */
  received: number;
  applyUpdate(u: DashboardUpdate): void;
  clear(actorId?: string): void;
}

let seq = 0;

export function reduceLogs(
  state: Pick<LogsState, 'all' | 'byAgent' | 'received'>,
  items: readonly LogItem[],
  perAgent = LOGS_PER_AGENT,
  total = LOGS_TOTAL,
): Pick<LogsState, 'all' | 'byAgent' | 'received'> {
  if (items.length === 0) return state;
  const lines: LogLine[] = items.map((it) => ({ ...it, seq: ++seq }));
  const grouped = new Map<string, LogLine[]>();
  for (const l of lines) {
    const g = grouped.get(l.actorId);
    if (g) g.push(l);
    else grouped.set(l.actorId, [l]);
  }
  const byAgent = { ...state.byAgent };
  for (const [id, g] of grouped) byAgent[id] = appendCapped(byAgent[id] ?? [], g, perAgent);
  return { all: appendCapped(state.all, lines, total), byAgent, received: state.received + lines.length };
}

export const useLogsStore = create<LogsState>((set) => ({
  all: [],
  byAgent: {},
  received: 0,
  applyUpdate(u) {
    if (u.logs.length === 0) return;
    set((st) => reduceLogs(st, u.logs));
  },
  clear(actorId) {
    set((st) => {
      if (actorId === undefined) return { all: [], byAgent: {} };
      const byAgent = { ...st.byAgent };
      delete byAgent[actorId];
      return { byAgent, all: st.all.filter((l) => l.actorId !== actorId) };
    });
  },
}));
