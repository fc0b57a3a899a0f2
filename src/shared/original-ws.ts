/**
 * The original Wactorz monitor's WebSocket protocol (`/ws` on the dashboard port), both ways, as
 * its `monitor_server.py` speaks it and its dashboard (`frontend/src/io/WSChatClient.ts`,
 * `main.ts`) reads it. Field names are the original's: snake_case, `timestamp` in epoch seconds.
 *
 * Server → browser: `full_snapshot` and `config` on connect; `patch` whenever the monitor's view
 * changes; `delete_agent` after a delete; `chat`, `stream_chunk`, `stream_end` answer a chat turn on
 * the connection that asked. `reset` goes to every client after POST /api/reset (its `scope` and
 * `agent`, and the state after it). `error` is ours: a bad frame is answered with it and the connection stays open
 * (the original logged bad frames and said nothing; its dashboard ignores frame types it does not
 * know, so the extra frame is harmless to it).
 *
 * Browser → server: `command` (the card buttons) and `chat` (the chat bar; `agent_name` is sent but
 * the content's `@name` prefix is what routes it).
 */
import { z } from 'zod';

const epochSeconds = z.number().nonnegative();

/** The card buttons' commands (the original's set; `restart` is ours and only over REST). */
export const ORIGINAL_WS_COMMANDS = ['pause', 'stop', 'resume', 'delete'] as const;
export type OriginalWsCommand = (typeof ORIGINAL_WS_COMMANDS)[number];

/** What the dashboard announces as the sender of every chat frame ("agent" names the real responder). */
export const IO_GATEWAY = 'io-gateway';

/** One agent as the monitor keeps it (`state.agents[]`); the dashboard reads the flat fields. */
export const monitorAgentSchema = z.looseObject({
  agent_id: z.string(),
  name: z.string(),
  state: z.string(),
  protected: z.boolean(),
  cpu: z.number().nullable(),
  mem: z.number().nullable(),
  task: z.string().nullable(),
  messages_processed: z.number().int().nonnegative(),
  /** LLM spend; absent for an agent that never called an LLM (the original set it from metrics). */
  cost_usd: z.number().optional(),
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  /** The node a remote agent runs on (absent: this hub). */
  node: z.string().optional(),
  /** The card's type badge (orchestrator, monitor, gateway, or our kind). */
  agent_type: z.string().optional(),
  /** The last `agents/{id}/status`, `heartbeat` and `metrics` payloads, as received. */
  status: z.unknown().optional(),
  heartbeat: z.unknown().optional(),
  metrics: z.unknown().optional(),
  first_seen: epochSeconds,
  last_update: epochSeconds,
});
export type MonitorAgent = z.infer<typeof monitorAgentSchema>;

/** One activity entry (`spawned`, `log`, `status`, `alert`, `completed`, `command`), newest first. */
export const logFeedItemSchema = z.looseObject({
  type: z.string(),
  agent_id: z.string().optional(),
  timestamp: epochSeconds,
});
export type LogFeedItem = z.infer<typeof logFeedItemSchema>;

export const monitorNodeSchema = z.looseObject({
  node: z.string(),
  agents: z.array(z.string()),
  last_seen: epochSeconds,
  online: z.boolean(),
  node_id: z.string(),
});
export type MonitorNode = z.infer<typeof monitorNodeSchema>;

/** The monitor's whole view, sent in every frame that carries `state`. */
export const monitorStateSchema = z.looseObject({
  agents: z.array(monitorAgentSchema),
  nodes: z.array(monitorNodeSchema),
  /** Newest first, at most 10. */
  alerts: z.array(z.looseObject({})),
  /** Newest first, at most 20. */
  log_feed: z.array(logFeedItemSchema),
  system_health: z.looseObject({}),
  /** The hub's LLM spend, deleted agents included. */
  total_cost_usd: z.number().nonnegative(),
  total_messages: z.number().int().nonnegative(),
});
export type MonitorState = z.infer<typeof monitorStateSchema>;

/** What changed, in a `patch` (null for a heartbeat, as the original). */
export const monitorEventSchema = z.union([
  z.looseObject({ type: z.literal('agent'), agent_id: z.string(), metric: z.string(), data: z.unknown() }),
  z.looseObject({ type: z.literal('system'), subtype: z.string(), data: z.unknown() }),
  z.looseObject({ type: z.literal('node'), node_name: z.string(), data: z.unknown() }),
]);
export type MonitorEvent = z.infer<typeof monitorEventSchema>;

// ── server → browser ────────────────────────────────────────────────────────

export const fullSnapshotFrameSchema = z.looseObject({ type: z.literal('full_snapshot'), state: monitorStateSchema });
export const configFrameSchema = z.looseObject({ type: z.literal('config'), chat_mode: z.enum(['direct_ws', 'mqtt']) });
export const patchFrameSchema = z.looseObject({ type: z.literal('patch'), event: monitorEventSchema.nullable(), state: monitorStateSchema });
export const deleteAgentFrameSchema = z.looseObject({ type: z.literal('delete_agent'), agent_id: z.string(), state: monitorStateSchema });
export const resetFrameSchema = z.looseObject({ type: z.literal('reset'), scope: z.string(), agent: z.string().nullable(), state: monitorStateSchema });
export const chatFrameSchema = z.looseObject({ type: z.literal('chat'), from: z.string(), agent: z.string(), content: z.string(), timestamp: epochSeconds });
export const streamChunkFrameSchema = z.looseObject({ type: z.literal('stream_chunk'), from: z.string(), agent: z.string(), content: z.string(), timestamp: epochSeconds });
export const streamEndFrameSchema = z.looseObject({ type: z.literal('stream_end'), from: z.string(), agent: z.string(), timestamp: epochSeconds });
/** Ours: why a frame was not acted on (bad JSON, unknown type, a refused command, a busy connection). */
export const errorFrameSchema = z.looseObject({ type: z.literal('error'), error: z.string(), detail: z.string().optional() });

export const originalServerFrameSchema = z.discriminatedUnion('type', [
  fullSnapshotFrameSchema,
  configFrameSchema,
  patchFrameSchema,
  deleteAgentFrameSchema,
  resetFrameSchema,
  chatFrameSchema,
  streamChunkFrameSchema,
  streamEndFrameSchema,
  errorFrameSchema,
]);
export type OriginalServerFrame = z.infer<typeof originalServerFrameSchema>;

// ── browser → server ────────────────────────────────────────────────────────

export const commandClientFrameSchema = z.looseObject({
  type: z.literal('command'),
  command: z.enum(ORIGINAL_WS_COMMANDS),
  /** The actor id (`id` of /api/actors); a name is accepted too. */
  agent_id: z.string().min(1),
});
export const chatClientFrameSchema = z.looseObject({
  type: z.literal('chat'),
  /** `/command`, `@name …` (`@main`, `@main-actor`, `@io-agent` reach main) or text for main. */
  content: z.string(),
  agent_name: z.string().optional(),
});
export const originalClientFrameSchema = z.discriminatedUnion('type', [commandClientFrameSchema, chatClientFrameSchema]);
export type OriginalClientFrame = z.infer<typeof originalClientFrameSchema>;

/** Reads one text frame from the browser: the frame, or why it is not one. */
export function parseOriginalClientFrame(text: string): { ok: true; frame: OriginalClientFrame } | { ok: false; error: string; detail: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: 'bad frame', detail: `not JSON: ${(e as Error).message}` };
  }
  const type = json !== null && typeof json === 'object' ? (json as { type?: unknown }).type : undefined;
  if (type !== 'command' && type !== 'chat') {
    return { ok: false, error: 'unknown frame type', detail: `expected {"type": "command"} or {"type": "chat"}, got type ${JSON.stringify(type ?? null)}` };
  }
  const r = originalClientFrameSchema.safeParse(json);
  if (!r.success) return { ok: false, error: `bad ${type} frame`, detail: z.prettifyError(r.error) };
  return { ok: true, frame: r.data };
}
