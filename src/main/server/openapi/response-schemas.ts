/**
 * Runtime schemas of the REST responses, for the OpenAPI document only. Each is typed against the
 * TypeScript shape the route really returns, so the compiler keeps the two in step.
 */
import { z } from 'zod';
import { ACTOR_KINDS, ACTOR_STATES } from '../../../shared/actor-state.js';
import type {
  AgentCodeResponse,
  AgentSummary,
  ApiError,
  ChatResponse,
  CostResponse,
  HaHistoryResponse,
  HaToggleResponse,
  HealthResponse,
  LlmInfoResponse,
  LlmModelsResponse,
  OriginalActorMetrics,
  OriginalConfigResponse,
} from '../../../shared/rest.js';
import { metricsSchema, restoreProgressSchema } from '../../../shared/mqtt-payloads.js';
import { spendInfoSchema } from '../../../shared/original-monitor.js';

export const apiErrorSchema: z.ZodType<ApiError> = z.object({ error: z.string(), detail: z.unknown().optional() });

export const agentSummarySchema: z.ZodType<AgentSummary> = z.object({
  id: z.string().describe('Stable actor id: uuid5(DNS, "wactorz.actor.<name>")'),
  name: z.string(),
  state: z.enum(ACTOR_STATES),
  protected: z.boolean(),
  kind: z.enum(ACTOR_KINDS),
  last_heartbeat: z.number().nullable().describe('Epoch seconds of the last heartbeat'),
  inbox_size: z.number().int(),
  restart_count: z.number().int(),
  messages_processed: z.number().int(),
  description: z.string().optional(),
  cost_usd: z.number().optional(),
  node: z.string().optional(),
  cpu: z.number().nullable().optional().describe("The original monitor's field: CPU % from the last heartbeat"),
  mem: z.number().nullable().optional().describe("The original monitor's field: memory_mb from the last heartbeat"),
  task: z.string().nullable().optional().describe('The heartbeat\'s task ("idle" when none)'),
  messagesProcessed: z.number().int().optional(),
  costUsd: z.number().nullable().optional(),
});

/** GET /actors/{id}/metrics: our metrics payload plus the original's fields. */
export const originalMetricsSchema = metricsSchema.extend({
  messages_received: z.number().int(),
  messages_failed: z.number().int(),
  heartbeats: z.number().int(),
  last_message_at: z.number().int().describe('Epoch seconds of the last heartbeat, as the original reports it'),
  llm_input_tokens: z.number().int(),
  llm_output_tokens: z.number().int(),
  llm_cost_usd: z.number(),
  cost_usd: z.number().describe("The original monitor's name for llm_cost_usd"),
  cpu: z.number().nullable(),
  mem: z.number().nullable(),
  task: z.string().nullable(),
}) satisfies z.ZodType<OriginalActorMetrics>;

export const originalConfigSchema: z.ZodType<OriginalConfigResponse> = z.object({
  ha: z.object({ url: z.string(), token: z.literal('').describe('Never sent (the original sent the token)') }),
  fuseki: z.object({ url: z.string(), dataset: z.string(), user: z.string(), password: z.literal('') }),
  mqtt: z.object({ host: z.string(), port: z.number().int(), url: z.string() }),
  llm: z.object({ provider: z.string(), model: z.string() }),
  weather: z.object({ defaultLocation: z.string() }),
  ws_url: z.string(),
});

export const healthSchema: z.ZodType<HealthResponse> = z.object({
  status: z.literal('ok'),
  uptime: z.number(),
  actors: z.number().int(),
  llm: z.object({ provider: z.string(), model: z.string().nullable(), configured: z.boolean() }),
  mqtt: z.object({ mode: z.enum(['embedded', 'external']), state: z.string(), port: z.number().int() }),
  persistence: z.object({ ephemeral: z.enum(['redis', 'memory']) }),
  restore: restoreProgressSchema.optional().describe('How far the hub is in bringing its agents back after a start (also retained on MQTT system/restore)'),
});

export const chatResponseSchema: z.ZodType<ChatResponse> = z.object({ status: z.literal('sent'), agent: z.string(), response: z.string() });

export const agentCodeSchema: z.ZodType<AgentCodeResponse> = z.object({
  name: z.string(),
  code: z.string(),
  language: z.enum(['javascript', 'typescript']),
  version: z.number().int(),
  versions: z.array(z.object({ version: z.number().int(), created_at: z.number(), note: z.string().optional() })),
});

export const commandResultSchema = z.object({
  status: z.enum(['pausing', 'resuming', 'stopping', 'restarting', 'ok']).describe("The original's word: pausing, resuming, stopping (`ok` from /agents/command)"),
  ok: z.literal(true).optional().describe('POST /agents/command only (the original answered {ok: true})'),
  actor: z.string(),
  command: z.string(),
  message: z.string(),
});
export const messageResultSchema = z.object({ status: z.literal('sent'), actor: z.string(), result: z.unknown().describe("The actor's RESULT payload") });

export const llmInfoSchema: z.ZodType<LlmInfoResponse> = z.object({
  provider: z.string(),
  model: z.string().nullable(),
  base_url: z.string().nullable(),
  configured: z.boolean(),
  summary: z.string(),
});

export const llmModelsSchema: z.ZodType<LlmModelsResponse> = z.object({
  provider: z.string(),
  model: z.string().nullable(),
  configured: z.boolean(),
  installed: z.boolean().nullable(),
  models: z.array(
    z.object({
      name: z.string(),
      size_bytes: z.number().nullable().optional(),
      modified_at: z.string().nullable().optional(),
      family: z.string().nullable().optional(),
      parameter_size: z.string().nullable().optional(),
      quantization: z.string().nullable().optional(),
    }),
  ),
  note: z.string().optional(),
});

const costEntrySchema = z.object({
  calls: z.number().int(),
  failures: z.number().int(),
  tokens_in: z.number().int(),
  tokens_out: z.number().int(),
  cost_usd: z.number(),
  unpriced_calls: z.number().int(),
  avg_latency_ms: z.number(),
});
/** Ours (total, agents, summary) with the original's `get_global_cost_info()` fields beside. */
export const costSchema: z.ZodType<CostResponse> = spendInfoSchema.extend({ total: costEntrySchema, agents: z.record(z.string(), costEntrySchema), summary: z.string() });

export const haHistorySchema: z.ZodType<HaHistoryResponse> = z.object({
  entity_id: z.string(),
  numeric: z.boolean(),
  unit: z.string().nullable(),
  points: z.array(z.object({ ts: z.number(), value: z.number().nullable(), state: z.string() })),
});

export const haToggleSchema: z.ZodType<HaToggleResponse> = z.object({
  entity_id: z.string(),
  service: z.string(),
  previous_state: z.string().nullable(),
  state: z.string().nullable(),
});
