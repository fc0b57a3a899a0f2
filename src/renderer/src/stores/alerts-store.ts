/** Alerts from `agents/+/alert` (MonitorAgent and actors): a capped list, unread count and live toasts. */
import { create } from 'zustand';
import type { DashboardUpdate } from '../connection/topic-router.js';

export const ALERTS_KEPT = 500;
export const TOASTS_SHOWN = 4;

export interface AlertItem {
  key: string;
  actorId: string;
  name: string;
  message: string;
  severity: 'info' | 'warning' | 'critical';
  timestamp: number;
  resolved: boolean;
}

interface AlertsState {
  items: AlertItem[];
  unread: number;
  toasts: AlertItem[];
  applyUpdate(u: DashboardUpdate): void;
  /** A toast from the dashboard itself (deploy results, failed commands). */
  notify(message: string, severity?: AlertItem['severity'], name?: string): void;
  dismissToast(key: string): void;
  markRead(): void;
  clear(): void;
}

let localSeq = 0;

export function reduceAlerts(
  st: Pick<AlertsState, 'items' | 'unread' | 'toasts'>,
  u: DashboardUpdate,
): Pick<AlertsState, 'items' | 'unread' | 'toasts'> {
  if (u.alerts.length === 0) return st;
  let items = st.items;
  let toasts = st.toasts;
  let unread = st.unread;
  for (const a of u.alerts) {
    const actorId = a.actor_id || a.topicActorId;
    if (a.resolved) {
      // The actor came back: earlier alerts about it are resolved, and their toasts go away.
      items = items.map((it) => (it.actorId === actorId && !it.resolved ? { ...it, resolved: true } : it));
      toasts = toasts.filter((t) => t.actorId !== actorId);
    }
    const item: AlertItem = {
      key: `${actorId}:${a.timestamp}:${a.severity}:${a.message.length}`,
      actorId,
      name: a.name,
      message: a.message,
      severity: a.severity,
      timestamp: a.timestamp,
      resolved: a.resolved === true,
    };
    if (items.some((it) => it.key === item.key)) continue; // retained/duplicate delivery
    items = [item, ...items].slice(0, ALERTS_KEPT);
    if (!item.resolved) {
      unread++;
      toasts = [item, ...toasts.filter((t) => t.actorId !== actorId || t.severity !== item.severity)].slice(0, TOASTS_SHOWN);
    }
  }
  return { items, toasts, unread };
}

export const useAlertsStore = create<AlertsState>((set) => ({
  items: [],
  unread: 0,
  toasts: [],
  applyUpdate(u) {
    if (u.alerts.length === 0) return;
    set((st) => reduceAlerts(st, u));
  },
  notify(message, severity = 'info', name = 'dashboard') {
    const item: AlertItem = {
      key: `local:${++localSeq}`,
      actorId: 'dashboard',
      name,
      message,
      severity,
      timestamp: Date.now() / 1000,
      resolved: false,
    };
    set((st) => ({ toasts: [item, ...st.toasts].slice(0, TOASTS_SHOWN) }));
  },
  dismissToast(key) {
    set((st) => ({ toasts: st.toasts.filter((t) => t.key !== key) }));
  },
  markRead() {
    set({ unread: 0 });
  },
  clear() {
    set({ items: [], unread: 0, toasts: [] });
  },
}));
