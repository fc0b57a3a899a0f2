/**
 * Turns a batch of raw MQTT messages into one update per concern. Every payload is validated with
 * the shared zod schemas; a malformed one is counted and ignored, never thrown.
 */
import {
  agentChatSchema,
  alertSchema,
  haStateChangeSchema,
  heartbeatSchema,
  ioChatResponseSchema,
  ioChatSchema,
  logSchema,
  manifestSchema,
  metricsSchema,
  parsePayload,
  restoreProgressSchema,
  statusSchema,
  systemHealthSchema,
  type AgentChat,
  type Alert,
  type HaStateChange,
  type Heartbeat,
  type IoChat,
  type IoChatResponse,
  type Manifest,
  type Metrics,
  type RestoreProgress,
  type Status,
  type SystemHealth,
} from '../../../shared/mqtt-payloads.js';
import { parseAgentTopic, topicMatches, topics } from '../../../shared/topics.js';
import { APPROVALS_TOPIC, approvalEventSchema, type ApprovalEvent } from '../../../shared/approvals.js';
import { toInstallEvent, type InstallEvent } from './install-progress.js';
import { nodeHeartbeatSchema, type NodeHeartbeat } from '../../../shared/node-protocol.js';
import { HA_STATE_TOPIC_PATTERNS, INSTALLER_TOPIC_PATTERNS, NODE_HEARTBEAT_PATTERN } from './subscriptions.js';
import { graphDeltaMessageSchema, graphSnapshotMessageSchema, type GraphDeltaMessage, type GraphSnapshotMessage } from '../../../shared/graph.js';
import { feedBatchMessageSchema, feedPageSchema, type FeedEvent, type FeedPage } from '../../../shared/feed.js';

export interface RawMessage {
  topic: string;
  payload: Uint8Array | string;
}

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface LogItem {
  actorId: string;
  level: LogLevel;
  /** The publisher's own `type` (may be more specific than the level). */
  type: string;
  message: string;
  timestamp: number;
}

export interface DashboardUpdate {
  heartbeats: { actorId: string; value: Heartbeat }[];
  metrics: { actorId: string; value: Metrics }[];
  statuses: { actorId: string; value: Status }[];
  manifests: { actorId: string; value: Manifest }[];
  logs: LogItem[];
  alerts: (Alert & { topicActorId: string })[];
  agentChats: { actorId: string; value: AgentChat }[];
  chatRequests: IoChat[];
  chatResponses: IoChatResponse[];
  health: SystemHealth | null;
  /** The hub's restore progress (retained system/restore); the newest of the batch. */
  restore: RestoreProgress | null;
  installs: InstallEvent[];
  /** Home Assistant state changes from the state bridge, in arrival order. */
  haStateChanges: HaStateChange[];
  /** Remote nodes' heartbeats, with the dashboard's clock when they arrived (ms). */
  nodeHeartbeats: (NodeHeartbeat & { received_at: number })[];
  /** `system/approvals`: something about approvals changed (the count now; the cards come from REST). */
  approvals: ApprovalEvent[];
  /** `system/graph` snapshots and `system/graph/delta` updates, in arrival order. */
  graphSnapshots: GraphSnapshotMessage[];
  graphDeltas: GraphDeltaMessage[];
  /** Live activity-feed events (oldest first) and retained recent windows. */
  feedEvents: FeedEvent[];
  feedRecent: FeedPage[];
  rejected: { topic: string; error: string }[];
}

export function emptyUpdate(): DashboardUpdate {
  return {
    heartbeats: [],
    metrics: [],
    statuses: [],
    manifests: [],
    logs: [],
    alerts: [],
    agentChats: [],
    chatRequests: [],
    chatResponses: [],
    health: null,
    restore: null,
    installs: [],
    haStateChanges: [],
    nodeHeartbeats: [],
    approvals: [],
    graphSnapshots: [],
    graphDeltas: [],
    feedEvents: [],
    feedRecent: [],
    rejected: [],
  };
}

export function logLevelOf(type: string): LogLevel {
  const t = type.toLowerCase();
  if (t === 'debug' || t === 'trace') return 'debug';
  if (t.startsWith('warn')) return 'warning';
  if (t === 'error' || t === 'err' || t === 'critical' || t === 'fatal' || t === 'exception') return 'error';
  return 'info';
}

function decode(payload: Uint8Array | string): string {
  return typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
}

export function routeMessages(batch: readonly RawMessage[], nowSeconds = Date.now() / 1000): DashboardUpdate {
  const u = emptyUpdate();
  for (const { topic, payload } of batch) {
    const reject = (error: string) => u.rejected.push({ topic, error });
    const agent = parseAgentTopic(topic);
    if (agent) {
      const { actorId } = agent;
      switch (agent.kind) {
        case 'heartbeat': {
          const r = parsePayload(heartbeatSchema, payload);
          if (r.ok) u.heartbeats.push({ actorId, value: r.value });
          else reject(r.error);
          break;
        }
        case 'metrics': {
          const r = parsePayload(metricsSchema, payload);
          if (r.ok) u.metrics.push({ actorId, value: r.value });
          else reject(r.error);
          break;
        }
        case 'status': {
          const r = parsePayload(statusSchema, payload);
          if (r.ok) u.statuses.push({ actorId, value: r.value });
          else reject(r.error);
          break;
        }
        case 'manifest': {
          // An empty retained message clears a manifest: nothing to show.
          if (decode(payload).length === 0) break;
          const r = parsePayload(manifestSchema, payload);
          if (r.ok) u.manifests.push({ actorId, value: r.value });
          else reject(r.error);
          break;
        }
        case 'logs': {
          const r = parsePayload(logSchema, payload);
          if (r.ok) u.logs.push({ actorId, level: logLevelOf(r.value.type), type: r.value.type, message: r.value.message, timestamp: r.value.timestamp });
          else reject(r.error);
          break;
        }
        case 'alert': {
          const r = parsePayload(alertSchema, payload);
          if (r.ok) u.alerts.push({ ...r.value, topicActorId: actorId });
          else reject(r.error);
          break;
        }
        case 'chat': {
          const r = parsePayload(agentChatSchema, payload);
          if (r.ok) u.agentChats.push({ actorId, value: r.value });
          else reject(r.error);
          break;
        }
        case 'commands':
          break; // our own commands echoed back; nothing to show
      }
      continue;
    }
    if (topic === topics.ioChatResponse) {
      const r = parsePayload(ioChatResponseSchema, payload);
      if (r.ok) u.chatResponses.push(r.value);
      else reject(r.error);
    } else if (topic === topics.ioChat) {
      const r = parsePayload(ioChatSchema, payload);
      if (r.ok) u.chatRequests.push(r.value);
      else reject(r.error);
    } else if (topic === topics.systemHealth) {
      const r = parsePayload(systemHealthSchema, payload);
      if (r.ok) u.health = r.value;
      else reject(r.error);
    } else if (topic === APPROVALS_TOPIC) {
      const r = parsePayload(approvalEventSchema, payload);
      if (r.ok) u.approvals.push(r.value);
      else reject(r.error);
    } else if (topic === topics.systemRestore) {
      const r = parsePayload(restoreProgressSchema, payload);
      if (r.ok) u.restore = r.value;
      else reject(r.error);
    } else if (HA_STATE_TOPIC_PATTERNS.some((p) => topicMatches(p, topic))) {
      const r = parsePayload(haStateChangeSchema, payload);
      if (r.ok) u.haStateChanges.push(r.value);
      else reject(r.error);
    } else if (topicMatches(NODE_HEARTBEAT_PATTERN, topic)) {
      const r = parsePayload(nodeHeartbeatSchema, payload);
      if (r.ok) u.nodeHeartbeats.push({ ...r.value, received_at: nowSeconds * 1000 });
      else reject(r.error);
    } else if (topic === topics.systemGraph) {
      if (decode(payload).length === 0) continue; // a cleared retained snapshot
      const r = parsePayload(graphSnapshotMessageSchema, payload);
      if (r.ok) u.graphSnapshots.push(r.value);
      else reject(r.error);
    } else if (topic === topics.systemGraphDelta) {
      const r = parsePayload(graphDeltaMessageSchema, payload);
      if (r.ok) u.graphDeltas.push(r.value);
      else reject(r.error);
    } else if (topic === topics.systemFeed) {
      const r = parsePayload(feedBatchMessageSchema, payload);
      if (r.ok) u.feedEvents.push(...r.value.events);
      else reject(r.error);
    } else if (topic === topics.systemFeedRecent) {
      if (decode(payload).length === 0) continue;
      const r = parsePayload(feedPageSchema, payload);
      if (r.ok) u.feedRecent.push(r.value);
      else reject(r.error);
    } else if (INSTALLER_TOPIC_PATTERNS.some((p) => topicMatches(p, topic))) {
      let json: unknown;
      try {
        json = JSON.parse(decode(payload));
      } catch {
        reject('not JSON');
        continue;
      }
      const ev = toInstallEvent(topic, json, nowSeconds);
      if (ev) u.installs.push(ev);
    }
  }
  return u;
}
