/** Applies one frame's batch of MQTT messages to every store — the single place MQTT reaches state. */
import { useAgentsStore } from '../stores/agents-store.js';
import { useAlertsStore } from '../stores/alerts-store.js';
import { useApprovalsStore } from '../stores/approvals-store.js';
import { useCatalogStore } from '../stores/catalog-store.js';
import { useChatStore } from '../stores/chat-store.js';
import { useConnectionStore } from '../stores/connection-store.js';
import { useHomeStore } from '../stores/home-store.js';
import { useLogsStore } from '../stores/logs-store.js';
import { useNodesStore } from '../stores/nodes-store.js';
import { useGraphStore } from '../stores/graph-store.js';
import { useFeedStore } from '../stores/feed-store.js';
import { routeMessages, type DashboardUpdate, type RawMessage } from './topic-router.js';

/** One frame's messages, validated and routed (by the bus worker, or here by applyBatch). */
export function applyUpdate(u: DashboardUpdate): void {
  useAgentsStore.getState().applyUpdate(u);
  useLogsStore.getState().applyUpdate(u);
  useAlertsStore.getState().applyUpdate(u);
  useChatStore.getState().applyUpdate(u);
  useCatalogStore.getState().applyUpdate(u);
  useHomeStore.getState().applyUpdate(u);
  useNodesStore.getState().applyUpdate(u);
  useApprovalsStore.getState().applyUpdate(u);
  useGraphStore.getState().applyUpdate(u);
  useFeedStore.getState().applyUpdate(u);
  if (u.restore) useConnectionStore.getState().setRestore(u.restore);
  if (u.rejected.length > 0) {
    useConnectionStore.getState().countRejected(u.rejected.length);
    if (import.meta.env?.DEV && import.meta.env.MODE !== 'test') console.warn('ignored malformed MQTT payloads', u.rejected.slice(0, 5));
  }
}

export function applyBatch(batch: RawMessage[]): void {
  applyUpdate(routeMessages(batch));
}
