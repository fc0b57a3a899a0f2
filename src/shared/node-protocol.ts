/**
 * The remote-node protocol (hub ↔ node over MQTT, under `nodes/{node}/…`) and the task-by-name
 * envelope. Every payload that crosses the bus is validated here; field names are snake_case and
 * `timestamp` is epoch seconds, like every other Wactorz payload. docs/fleet.md describes it for people.
 *
 * hub → node (QoS 1; every command carries a `command_id`, and a node applies an id once):
 *   nodes/{node}/spawn          a spawn spec (+ `state` when it is a migration), retained until acked
 *   nodes/{node}/stop           {command_id, name}
 *   nodes/{node}/stop_all       {command_id}
 *   nodes/{node}/list           {command_id?}                → nodes/{node}/agents
 *   nodes/{node}/migrate        {command_id, name, to}       → nodes/{node}/migrate_result
 *   nodes/{node}/desired_state  retained: every agent the node should run (it reconciles to it)
 *   nodes/{node}/rekey          {command_id, kid, wrap_kid, wrapped}: the node's next fleet key
 * node → hub:
 *   nodes/{node}/heartbeat      every 10 s: {node, timestamp, agents[], load, memory_mb, …}
 *   nodes/{node}/ack            {command_id, ok, error?} once a command is applied (or was already)
 *   nodes/{node}/agents         the reply to `list`
 *   nodes/{node}/migrate_result the exported agent (code, config, state) or why not
 *   nodes/{node}/ask            a task for an agent the node does not host: the task envelope plus
 *                               `to`; the hub serves it or forwards it to agents/by-name/{to}/task
 * anyone → an agent on a node: agents/by-name/{name}/task (see readTaskEnvelope).
 *
 * Every message above, and every task reply between a node and the hub, is **signed**: the payload
 * carries an `auth` member (fleetAuthSchema) — the node's key id, a per-key sequence number and an
 * HMAC-SHA256 with the node's fleet key over the RFC 8785 (JCS) canonical JSON of
 * `{v, dir, topic, node, kid, seq, body}` (body = the payload without `auth`; `dir` = who signed,
 * `hub` or `node`). The receiver checks the MAC, and for commands and node messages that `seq`
 * grows per key and topic kind (so nothing is taken twice). src/main/nodes/trust/ implements it.
 *
 * The contract only (schemas, types, topic builders, the envelope reader): the hub, the node and
 * the dashboard read the same file. What needs Node (the node's actor id) is in
 * src/main/nodes/protocol.ts.
 */
import { z } from 'zod';
import { topics } from './topics.js';
import { AGENT_NAME_PATTERN } from './agent-name.js';

/** A node's name: it is a topic level, a client id seed and a directory name. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const NODE_COMMANDS = ['spawn', 'stop', 'stop_all', 'list', 'migrate', 'desired_state', 'rekey'] as const;
export type NodeCommandKind = (typeof NODE_COMMANDS)[number];

export const nodeTopics = {
  command: (node: string, kind: NodeCommandKind): string => topics.node(node, kind),
  heartbeat: (node: string): string => topics.node(node, 'heartbeat'),
  ack: (node: string): string => topics.node(node, 'ack'),
  agents: (node: string): string => topics.node(node, 'agents'),
  migrateResult: (node: string): string => topics.node(node, 'migrate_result'),
  ask: (node: string): string => topics.node(node, 'ask'),
  /** Wildcards the hub listens on. */
  allHeartbeats: 'nodes/+/heartbeat',
  allAcks: 'nodes/+/ack',
  allAgentLists: 'nodes/+/agents',
  allMigrateResults: 'nodes/+/migrate_result',
  allAsks: 'nodes/+/ask',
} as const;

/** `nodes/{node}/{kind}` → its parts; undefined for any other topic. */
export function parseNodeTopic(topic: string): { node: string; kind: string } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'nodes') return undefined;
  return { node: parts[1]!, kind: parts[2]! };
}

/**
 * The pseudo-actor that stands for a node in alerts (`agents/{id}/alert`, the dashboard's alert
 * list): named `node:{name}`, with the usual stable id derived from that name (nodeActorId, main).
 */
export function nodeActorName(node: string): string {
  return `node:${node}`;
}

const epochSeconds = z.number().nonnegative();
export const commandIdSchema = z.string().min(1).max(200);
const nodeName = z.string().regex(NODE_NAME_PATTERN, 'a node name is letters, digits, - and _ (up to 64)');
const agentName = z.string().regex(AGENT_NAME_PATTERN, 'an agent name is letters, digits, - and _ (up to 63)');
const stringList = z.array(z.string().max(200)).max(100);

/** What a node needs to run an agent: its code and everything the hub's spawn registry keeps besides. */
export const remoteAgentSpecSchema = z.looseObject({
  name: agentName,
  /** dynamic (generated) or manual (hand-written): both are code agents. */
  type: z.enum(['dynamic', 'manual']).default('dynamic'),
  code: z.string().min(1),
  language: z.enum(['javascript', 'typescript']).default('javascript'),
  /** The hub's code version (its spawn registry's), echoed in the node's lists. */
  version: z.number().int().min(1).default(1),
  description: z.string().max(2_000).default(''),
  capabilities: stringList.default([]),
  publishes: stringList.optional(),
  /**
   * What the hub granted on the bus (src/shared/grants.ts): the node enforces exactly this. Absent
   * `subscribes`: an agent placed before declared topics (it keeps what it had).
   */
  subscribes: stringList.optional(),
  retained: stringList.optional(),
  /** Code agents it asks by declaration. */
  send_to: stringList.optional(),
  /** Hub actors it may ask (granted by a person). */
  hub_actors: stringList.optional(),
  input_schema: z.unknown().optional(),
  output_schema: z.unknown().optional(),
  poll_interval: z.number().positive().max(86_400).optional(),
  /** Secret names: values come from the node's own environment (WACTORZ_SECRET_<NAME>), never over the bus. */
  env: stringList.default([]),
  /** Limits (memory_mb, call_timeout_ms…) and the agent's own configuration (`agent.state.config`). */
  config: z.record(z.string(), z.unknown()).default({}),
});
export type RemoteAgentSpec = z.infer<typeof remoteAgentSpecSchema>;
export type RemoteAgentSpecInput = z.input<typeof remoteAgentSpecSchema>;

const agentState = z.record(z.string(), z.unknown());

/** `nodes/{node}/spawn`, and each entry of a desired state. `state` is set when the agent moves in with it. */
export const spawnCommandSchema = remoteAgentSpecSchema.extend({
  command_id: commandIdSchema,
  state: agentState.nullable().optional(),
  /** When the hub issued it (hub clock): a desired state older than this does not remove the agent. */
  issued_at: epochSeconds.optional(),
});
export type SpawnCommand = z.infer<typeof spawnCommandSchema>;

export const stopCommandSchema = z.looseObject({ command_id: commandIdSchema, name: agentName });
export type StopCommand = z.infer<typeof stopCommandSchema>;

export const stopAllCommandSchema = z.looseObject({ command_id: commandIdSchema });
export type StopAllCommand = z.infer<typeof stopAllCommandSchema>;

/** A read: no effect to deduplicate, so the id is optional (it is echoed in the reply). */
export const listCommandSchema = z.looseObject({ command_id: commandIdSchema.optional() });
export type ListCommand = z.infer<typeof listCommandSchema>;

export const migrateCommandSchema = z.looseObject({ command_id: commandIdSchema, name: agentName, to: nodeName });
export type MigrateCommand = z.infer<typeof migrateCommandSchema>;

export const desiredStateSchema = z.looseObject({
  command_id: commandIdSchema,
  /** Grows with every publish; a node ignores a revision older than the last one it applied. */
  revision: z.number().int().nonnegative(),
  timestamp: epochSeconds,
  agents: z.array(spawnCommandSchema),
});
export type DesiredState = z.infer<typeof desiredStateSchema>;

/** A key rotation: the node's next key (`kid`), encrypted with the key `wrap_kid` it has now (AES-256-GCM, base64url). */
export const rekeyCommandSchema = z.looseObject({
  command_id: commandIdSchema,
  kid: z.string().regex(/^[0-9a-f]{16}$/),
  wrap_kid: z.string().regex(/^[0-9a-f]{16}$/),
  wrapped: z.string().regex(/^[A-Za-z0-9_-]{40,200}$/),
});
export type RekeyCommand = z.infer<typeof rekeyCommandSchema>;

// ── signatures ───────────────────────────────────────────────────────────────

export const FLEET_AUTH_VERSION = 1;
/** A key id: 8 random bytes, hex. */
export const FLEET_KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

/**
 * The `auth` member of a signed message (see the file comment). `node` is the node whose key
 * signed it (node → hub) or for which the hub signed it (hub → node).
 */
export const fleetAuthSchema = z.object({
  v: z.literal(FLEET_AUTH_VERSION),
  node: nodeName,
  kid: z.string().regex(FLEET_KEY_ID_PATTERN),
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** HMAC-SHA256, base64url without padding. */
  mac: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type FleetAuth = z.infer<typeof fleetAuthSchema>;
/** Who signed a message. */
export type FleetSigner = 'hub' | 'node';

export const nodeHeartbeatSchema = z.looseObject({
  node: nodeName,
  timestamp: epochSeconds,
  /** Names of the agents the node hosts. */
  agents: z.array(z.string()),
  /** os.loadavg(): 1, 5 and 15 minutes. */
  load: z.array(z.number()),
  memory_mb: z.number().nonnegative(),
  agent_states: z.record(z.string(), z.string()).optional(),
  cpus: z.number().int().positive().optional(),
  started_at: epochSeconds.optional(),
  hostname: z.string().optional(),
  /** Each hosted agent's live topic filters (`agent.subscribe`), for the hub's graph of agents. */
  subscriptions: z.record(z.string(), z.array(z.string().max(1_000)).max(100)).optional(),
});
export type NodeHeartbeat = z.infer<typeof nodeHeartbeatSchema>;

export const nodeAgentInfoSchema = z.looseObject({
  name: z.string(),
  actor_id: z.string(),
  state: z.string(),
  version: z.number().int().nonnegative(),
  language: z.string(),
  description: z.string().optional(),
});
export type NodeAgentInfo = z.infer<typeof nodeAgentInfoSchema>;

export const nodeAgentsSchema = z.looseObject({
  node: nodeName,
  timestamp: epochSeconds,
  command_id: commandIdSchema.optional(),
  agents: z.array(nodeAgentInfoSchema),
});
export type NodeAgents = z.infer<typeof nodeAgentsSchema>;

export const migrateResultSchema = z.looseObject({
  command_id: commandIdSchema,
  node: nodeName,
  name: agentName,
  to: nodeName,
  ok: z.boolean(),
  error: z.string().optional(),
  /** The agent as it ran on the source node (ok only). */
  spec: remoteAgentSpecSchema.optional(),
  state: agentState.nullable().optional(),
  timestamp: epochSeconds,
});
export type MigrateResult = z.infer<typeof migrateResultSchema>;

export const commandAckSchema = z.looseObject({
  command_id: commandIdSchema,
  node: nodeName,
  kind: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  /** The node had applied this id before: nothing was done again. */
  duplicate: z.boolean().optional(),
  timestamp: epochSeconds,
});
export type CommandAck = z.infer<typeof commandAckSchema>;

// ── tasks by name ────────────────────────────────────────────────────────────

/** Envelope fields of a task on `agents/by-name/{name}/task`; they are not part of the task itself. */
export const TASK_ENVELOPE_KEYS = ['reply_to', 'correlation_id', 'task_id', 'from'] as const;

export interface TaskEnvelope {
  /** What the agent's handleTask receives. */
  task: unknown;
  /** Topic the reply is published on (QoS 1); no reply without it. */
  replyTo?: string;
  /** Echoed in the reply so the sender can match it. */
  correlationId?: string;
  /** Deduplication id: a redelivered task with the same id runs once (default: correlation_id). */
  taskId?: string;
  from?: string;
}

const envelopeFields = z.object({
  reply_to: z.string().min(1).max(1_000).optional(),
  correlation_id: z.string().min(1).max(200).optional(),
  task_id: z.string().min(1).max(200).optional(),
  from: z.string().max(200).optional(),
});

/**
 * Reads a task published on `agents/by-name/{name}/task`:
 * - a JSON object with `payload`: the task is `payload`, the other envelope fields are read;
 * - a JSON object without it: the task is the object without the envelope fields
 *   (`{"action":"inc","reply_to":"r/1","correlation_id":"c1"}` → task `{"action":"inc"}`);
 * - any other JSON value, or text that is not JSON (`{text}`), is the task, without a reply.
 */
export function readTaskEnvelope(raw: Uint8Array | string): { ok: true; envelope: TaskEnvelope } | { ok: false; error: string } {
  const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: true, envelope: { task: { text } } };
  }
  return readTaskEnvelopeValue(json);
}

/** readTaskEnvelope for a payload already parsed (a signed message, once its signature is checked). */
export function readTaskEnvelopeValue(json: unknown): { ok: true; envelope: TaskEnvelope } | { ok: false; error: string } {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: true, envelope: { task: json } };
  const obj = json as Record<string, unknown>;
  const env = envelopeFields.safeParse(obj);
  if (!env.success) return { ok: false, error: `bad task envelope: ${z.prettifyError(env.error)}` };
  let task: unknown;
  if ('payload' in obj) task = obj.payload;
  else {
    const rest: Record<string, unknown> = { ...obj };
    for (const k of TASK_ENVELOPE_KEYS) delete rest[k];
    task = rest;
  }
  const e = env.data;
  const taskId = e.task_id ?? e.correlation_id;
  return {
    ok: true,
    envelope: {
      task,
      ...(e.reply_to ? { replyTo: e.reply_to } : {}),
      ...(e.correlation_id ? { correlationId: e.correlation_id } : {}),
      ...(taskId ? { taskId } : {}),
      ...(e.from ? { from: e.from } : {}),
    },
  };
}

/** `nodes/{node}/ask`: the agent a node's task is for (the rest is the task envelope, readTaskEnvelope). */
export const nodeAskSchema = z.looseObject({ to: z.string().min(1).max(200) });

/** Published on the task's `reply_to`. */
export const taskReplySchema = z.looseObject({
  correlation_id: z.string().nullable(),
  task_id: z.string().nullable().optional(),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.looseObject({ error: z.string(), kind: z.string().optional() }).optional(),
  agent: z.string(),
  node: z.string(),
  timestamp: epochSeconds,
});
export type TaskReply = z.infer<typeof taskReplySchema>;
