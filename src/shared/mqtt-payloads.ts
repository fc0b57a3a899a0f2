/**
 * Runtime schemas for every payload that crosses MQTT. Field names are the original's (snake_case,
 * `timestamp` in epoch seconds) — add fields freely, never rename one. Objects are loose so that
 * newer publishers' extra fields pass through to older consumers.
 */
import { z } from 'zod';
import { ACTOR_STATES } from './actor-state.js';

const epochSeconds = z.number().nonnegative();
const actorState = z.enum(ACTOR_STATES);

/** `io/chat`: UI / any client → main. `@name …` goes to that agent, `/cmd` is a command. */
export const ioChatSchema = z.looseObject({
  from: z.string().min(1).default('user'),
  content: z.string().min(1),
  /** Optional: lets a client match streamed replies to its request. */
  message_id: z.string().optional(),
});
export type IoChat = z.infer<typeof ioChatSchema>;

/** `io/chat/response`: streamed chunks (`done: false`), then one final message with the whole reply. */
export const ioChatResponseSchema = z.looseObject({
  from: z.string(),
  to: z.string().optional(),
  content: z.string(),
  done: z.boolean(),
  message_id: z.string().optional(),
  timestamp: epochSeconds,
});
export type IoChatResponse = z.infer<typeof ioChatResponseSchema>;

/** `agents/{id}/chat`: ARCHITECTURE's fields plus the seed's (role, interface). */
export const agentChatSchema = z.looseObject({
  from: z.string(),
  to: z.string().optional(),
  content: z.string(),
  timestamp: epochSeconds,
  role: z.enum(['user', 'assistant', 'system']).optional(),
  interface: z.string().optional(),
});
export type AgentChat = z.infer<typeof agentChatSchema>;

export const heartbeatSchema = z.looseObject({
  actor_id: z.string(),
  name: z.string(),
  timestamp: epochSeconds,
  state: actorState,
  cpu: z.number(),
  memory_mb: z.number(),
  /** What it is doing; "idle" when nothing (the original's word). Older publishers sent null. */
  task: z.string().nullable(),
  protected: z.boolean(),
  inbox_size: z.number().int().nonnegative().optional(),
  kind: z.string().optional(),
  node: z.string().optional(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const metricsSchema = z.looseObject({
  actor_id: z.string(),
  messages_processed: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  uptime: z.number().nonnegative(),
  tasks_completed: z.number().int().nonnegative(),
  tasks_failed: z.number().int().nonnegative(),
  restart_count: z.number().int().nonnegative(),
  inbox_size: z.number().int().nonnegative().optional(),
  tokens_in: z.number().optional(),
  tokens_out: z.number().optional(),
  /** The original's names for tokens_in/tokens_out; the hub sends both. */
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cost_usd: z.number().optional(),
  /** The actor's last metrics payload, sent once when it stops (the original's field; absent otherwise). */
  final: z.literal(true).optional(),
});
export type Metrics = z.infer<typeof metricsSchema>;

export const statusSchema = z.looseObject({
  actor_id: z.string(),
  name: z.string(),
  state: actorState,
  protected: z.boolean(),
  uptime: z.number().nonnegative(),
  messages_processed: z.number().int().nonnegative(),
  restart_count: z.number().int().nonnegative(),
  supervised: z.boolean(),
  kind: z.string().optional(),
  timestamp: epochSeconds.optional(),
});
export type Status = z.infer<typeof statusSchema>;

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export const logSchema = z.looseObject({
  type: z.string(),
  message: z.string(),
  timestamp: epochSeconds,
});
export type LogEntry = z.infer<typeof logSchema>;

/** `agents/{id}/completed`: an LLM agent finished a task (the original's LLMAgent). */
export const agentCompletedSchema = z.looseObject({
  /** The first 200 characters of the answer. */
  result_preview: z.string(),
  /** Seconds the task took. */
  duration: z.number().nonnegative(),
  /** The first 60 characters of the task. */
  task: z.string(),
});
export type AgentCompleted = z.infer<typeof agentCompletedSchema>;

export const ERROR_PHASES = ['compile', 'setup', 'process', 'handle_task'] as const;
/** `agents/{id}/errors`: a DynamicAgent's code failed (the original's `_publish_error`). */
export const agentErrorEventSchema = z.looseObject({
  actor_id: z.string(),
  name: z.string(),
  phase: z.enum(ERROR_PHASES),
  error: z.string(),
  /** The end of the stack (at most 1,200 characters); '' when there is none. */
  traceback: z.string(),
  /** Failures in a row (a success resets it). */
  consecutive: z.number().int().positive(),
  /** The agent is down (it crashed, or its code does not load). */
  fatal: z.boolean(),
  severity: z.enum(['warning', 'critical']),
  /** `consecutive` reached 3. */
  degraded: z.boolean(),
  timestamp: epochSeconds,
});
export type AgentErrorEvent = z.infer<typeof agentErrorEventSchema>;

export const manifestSchema = z.looseObject({
  name: z.string(),
  actor_id: z.string(),
  description: z.string(),
  publishes: z.array(z.string()),
  /** Topics it reads (declared with the security work's `subscribes`; absent from older publishers). */
  subscribes: z.array(z.string()).optional(),
  capabilities: z.array(z.string()),
  /** `{}` when the actor declares none (the original's empty schema); older publishers sent null. */
  input_schema: z.unknown(),
  output_schema: z.unknown(),
  timestamp: epochSeconds,
  kind: z.string().optional(),
  /** What a DynamicAgent declared with `declareContract` (the original's TopicContract fields; its `subscribes` go above). */
  triggers_when: z.record(z.string(), z.unknown()).optional(),
  produces_schema: z.record(z.string(), z.unknown()).optional(),
  consumes_schema: z.record(z.string(), z.unknown()).optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const alertSchema = z.looseObject({
  actor_id: z.string(),
  name: z.string(),
  message: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  timestamp: epochSeconds,
  /** true when the condition has cleared (the actor came back). */
  resolved: z.boolean().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

/** `agents/{id}/spawn`: an actor announcing itself when it first starts (the original dashboard's spawn feed). */
export const spawnAnnouncementSchema = z.looseObject({
  agentId: z.string(),
  agentName: z.string(),
  /** The card's type badge: orchestrator, monitor, gateway, or the actor's kind. */
  agentType: z.string(),
  timestamp: epochSeconds,
});
export type SpawnAnnouncement = z.infer<typeof spawnAnnouncementSchema>;

/** `agents/{parent}/spawned`: a child the parent spawned (the original monitor's activity feed). */
export const spawnedSchema = z.looseObject({
  child_id: z.string(),
  child_name: z.string(),
  timestamp: epochSeconds,
});
export type Spawned = z.infer<typeof spawnedSchema>;

/** The original's type badge for an actor: its names for main, the monitor and the chat gateway, else our kind. */
export function originalAgentType(name: string, kind: string): string {
  if (name === 'main') return 'orchestrator';
  if (name === 'monitor') return 'monitor';
  if (name === 'io') return 'gateway';
  return kind;
}

export const AGENT_COMMANDS = ['stop', 'pause', 'resume', 'delete', 'restart'] as const;
export const agentCommandSchema = z.looseObject({
  command: z.enum(AGENT_COMMANDS),
});
export type AgentCommand = z.infer<typeof agentCommandSchema>;

export const systemHealthSchema = z.looseObject({
  timestamp: epochSeconds,
  total_actors: z.number().int().nonnegative(),
  running: z.number().int().nonnegative(),
  stopped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  degraded: z.number().int().nonnegative(),
  actors: z.array(
    z.looseObject({ actor_id: z.string(), name: z.string(), state: z.string(), last_seen: z.number().nullable() }),
  ),
});
export type SystemHealth = z.infer<typeof systemHealthSchema>;

/**
 * `system/restore` (retained) and `restore` in GET /health: how far the hub is in bringing its
 * registered agents back after a start. `restoring` while agents are still coming up (the hub
 * answers REST and the dashboard meanwhile); `done` once every one is back or has failed.
 * `restored + failed + pending = total`.
 */
export const restoreProgressSchema = z.looseObject({
  state: z.enum(['restoring', 'done']),
  total: z.number().int().nonnegative(),
  restored: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** Still waiting or starting. */
  pending: z.number().int().nonnegative(),
  started_at: epochSeconds,
  finished_at: epochSeconds.nullable(),
  timestamp: epochSeconds,
});
export type RestoreProgress = z.infer<typeof restoreProgressSchema>;

export const haStateChangeSchema = z.looseObject({
  entity_id: z.string(),
  domain: z.string(),
  new_state: z.unknown(),
  old_state: z.unknown(),
});
export type HaStateChange = z.infer<typeof haStateChangeSchema>;

/** Parses a raw MQTT payload as JSON and validates it; never throws. */
export function parsePayload<T>(
  schema: z.ZodType<T>,
  raw: Buffer | Uint8Array | string,
): { ok: true; value: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  const r = schema.safeParse(json);
  if (!r.success) return { ok: false, error: z.prettifyError(r.error) };
  return { ok: true, value: r.data };
}
