/** Every topic the dashboard listens to. One place, so the connection and the router agree. */
import { APPROVALS_TOPIC } from '../../../shared/approvals.js';
import { topics } from '../../../shared/topics.js';

export const INSTALLER_TOPIC_PATTERNS = ['installer/#', 'catalog/#'] as const;

/** The state bridge publishes flat (default) or per entity (HA_STATE_BRIDGE_PER_ENTITY=1). */
export const HA_STATE_TOPIC_PATTERNS = [topics.haStateChanges, `${topics.haStateChanges}/#`] as const;

/** Remote nodes announce themselves every 10 s. */
export const NODE_HEARTBEAT_PATTERN = topics.node('+', 'heartbeat');

/** The graph of agents (retained snapshot + deltas) and the activity feed (live batches + retained window). */
export const GRAPH_TOPICS = [topics.systemGraph, topics.systemGraphDelta] as const;
export const FEED_TOPICS = [topics.systemFeed, topics.systemFeedRecent] as const;

export const DASHBOARD_SUBSCRIPTIONS: readonly string[] = [
  topics.allAgents('heartbeat'),
  topics.allAgents('metrics'),
  topics.allAgents('status'),
  topics.allAgents('logs'),
  topics.allAgents('manifest'),
  topics.allAgents('alert'),
  topics.allAgents('chat'),
  topics.ioChat,
  topics.ioChatResponse,
  topics.systemHealth,
  topics.systemRestore,
  ...INSTALLER_TOPIC_PATTERNS,
  ...HA_STATE_TOPIC_PATTERNS,
  NODE_HEARTBEAT_PATTERN,
  // Approval events (retained: the pending count reaches a dashboard that opens later).
  APPROVALS_TOPIC,
  ...GRAPH_TOPICS,
  ...FEED_TOPICS,
];
