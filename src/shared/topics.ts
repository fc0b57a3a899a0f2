/**
 * MQTT topics: the original Wactorz's, so its clients, dashboards and remote nodes keep working.
 * Every topic the hub uses is built here; docs/topics.md lists them for people.
 */
export const AGENT_TOPIC_KINDS = [
  'chat',
  'heartbeat',
  'metrics',
  'status',
  'logs',
  /** An LLM agent finished a task: `{result_preview, duration, task}`. */
  'completed',
  /** A DynamicAgent's code failed: `{actor_id, name, phase, error, traceback, consecutive, fatal, severity, degraded, timestamp}`. */
  'errors',
  'manifest',
  'alert',
  'commands',
  /** An actor announcing itself when it first starts: `{agentId, agentName, agentType, timestamp}` (the original's built-ins did). */
  'spawn',
  /** On the parent's topic, for each child it spawned: `{child_id, child_name, timestamp}` (the original's `Actor.spawn`). */
  'spawned',
] as const;
export type AgentTopicKind = (typeof AGENT_TOPIC_KINDS)[number];

/**
 * What an agent's code publishes with `publishResult` / `publishDetection` (the original's names):
 * `agents/{id}/result`, `agents/{id}/detections`. Kept apart from the kinds above, which are the
 * hub's own traffic about an actor: these are an agent talking (the graph draws them).
 */
export const AGENT_DATA_KINDS = ['result', 'detections'] as const;

export const topics = {
  ioChat: 'io/chat',
  ioChatResponse: 'io/chat/response',
  systemHealth: 'system/health',
  /** Retained: how far the hub is in restoring its agents after a start (restoreProgressSchema). */
  systemRestore: 'system/restore',
  agent: (actorId: string, kind: AgentTopicKind): string => `agents/${actorId}/${kind}`,
  /** Wildcard over every actor for one kind, e.g. `agents/+/heartbeat`. */
  allAgents: (kind: AgentTopicKind): string => `agents/+/${kind}`,
  taskByName: (name: string): string => `agents/by-name/${name}/task`,
  /** World state an agent shares, retained, by its name (as the original does): `agents/{name}/data/{key}`. */
  worldState: (agentName: string, key: string): string => `agents/${agentName}/data/${key}`,
  haStateChanges: 'homeassistant/state_changes',
  haStateChangeEntity: (domain: string, entityId: string): string =>
    `homeassistant/state_changes/${domain}/${entityId}`,
  node: (node: string, kind: string): string => `nodes/${node}/${kind}`,
  /** Retained: the whole graph of agents (src/shared/graph.ts), re-sent every few seconds. */
  systemGraph: 'system/graph',
  /** What changed in the graph since the snapshot or the previous delta (about once a second). */
  systemGraphDelta: 'system/graph/delta',
  /** Live activity-feed events, in batches (src/shared/feed.ts). */
  systemFeed: 'system/feed',
  /** Retained: the most recent activity-feed events, newest first. */
  systemFeedRecent: 'system/feed/recent',
} as const;

/**
 * The hub's word to the dashboard (the graph, the activity feed, the restore progress): published
 * by the hub only, and never delivered to agent code — not by `agent.subscribe` (an explicit
 * subscription is refused; `#` never delivers them), `agent.window` or `agent.topics`
 * (docs/topics.md says who may subscribe). `system/restore`: an agent faking it would lie to the
 * dashboard, and one reading it learns about every other agent.
 */
export function isDashboardOnlyTopic(topic: string): boolean {
  return topic === 'system/graph' || topic.startsWith('system/graph/') || topic === 'system/feed' || topic.startsWith('system/feed/') || topic === topics.systemRestore;
}

/** Parses `agents/{id}/{kind}`; undefined for any other topic. */
export function parseAgentTopic(topic: string): { actorId: string; kind: AgentTopicKind } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'agents' || parts[1] === 'by-name') return undefined;
  const kind = parts[2] as AgentTopicKind;
  if (!AGENT_TOPIC_KINDS.includes(kind)) return undefined;
  return { actorId: parts[1]!, kind };
}

/** MQTT wildcard match (`+` one level, `#` the rest). */

export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === topic) return true;
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    if (seg === '#') return true;
    if (i >= t.length) return false;
    if (seg !== '+' && seg !== t[i]) return false;
  }
  return p.length === t.length;
}
