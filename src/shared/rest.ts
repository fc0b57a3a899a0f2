/**
 * REST request bodies (zod, validated by the server) and response shapes (types, used by the
 * renderer). The original's routes are served as they were; ours sit beside them. The dashboard
 * server serves the same API under /api/.
 */
import { z } from 'zod';
import type { ActorKind, ActorState } from './actor-state.js';
import type { RestoreProgress } from './mqtt-payloads.js';
import type { SpendInfo } from './original-monitor.js';

/** Every error response: `{error, detail?}`. */
export interface ApiError {
  error: string;
  detail?: unknown;
}

export interface AgentSummary {
  id: string;
  name: string;
  state: ActorState;
  protected: boolean;
  kind: ActorKind;
  /** Epoch seconds of the last heartbeat, null before the first. */
  last_heartbeat: number | null;
  inbox_size: number;
  restart_count: number;
  messages_processed: number;
  description?: string;
  cost_usd?: number;
  node?: string;
  // The original monitor's fields (its dashboard reads them from /api/actors), beside ours.
  /** CPU % from the last heartbeat (the hub process's share), null before it. */
  cpu?: number | null;
  /** `memory_mb` from the last heartbeat, null before it. */
  mem?: number | null;
  /** The heartbeat's `task` ("idle" when none), null before the first. */
  task?: string | null;
  messagesProcessed?: number;
  /** LLM spend in USD, null for an actor that never called one. */
  costUsd?: number | null;
}

/**
 * GET /actors/{id}/metrics: our metrics payload (src/shared/mqtt-payloads.ts) plus the original
 * RESTInterface's fields and the original monitor's (cpu, mem, task).
 */
export interface OriginalActorMetrics {
  messages_received: number;
  messages_processed: number;
  messages_failed: number;
  heartbeats: number;
  /** Epoch seconds (an integer) of the last heartbeat, as the original reports it; 0 before. */
  last_message_at: number;
  restart_count: number;
  llm_input_tokens: number;
  llm_output_tokens: number;
  llm_cost_usd: number;
  /** The monitor's name for llm_cost_usd. */
  cost_usd: number;
  cpu: number | null;
  mem: number | null;
  task: string | null;
}

/** GET /api/config (and /config on the REST port): the original monitor's non-secret runtime config. */
export interface OriginalConfigResponse {
  /** The token is never sent (the original sent it): always "". */
  ha: { url: string; token: '' };
  fuseki: { url: string; dataset: string; user: string; password: '' };
  mqtt: { host: string; port: number; url: string };
  llm: { provider: string; model: string };
  weather: { defaultLocation: string };
  ws_url: string;
}

export interface HealthResponse {
  status: 'ok';
  uptime: number;
  actors: number;
  llm: { provider: string; model: string | null; configured: boolean };
  mqtt: { mode: 'embedded' | 'external'; state: string; port: number };
  persistence: { ephemeral: 'redis' | 'memory' };
  /** How far the hub is in bringing its agents back after a start (mqtt-payloads.ts: restoreProgressSchema). */
  restore?: RestoreProgress;
}

export const chatRequestSchema = z.object({
  message: z.string().min(1),
  agent_name: z.string().min(1).optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;
export interface ChatResponse {
  status: 'sent';
  agent: string;
  response: string;
}

export const actorMessageRequestSchema = z.object({ content: z.unknown() });

export const agentCommandRequestSchema = z.object({
  target: z.string().min(1),
  command: z.enum(['stop', 'pause', 'resume', 'delete', 'restart']),
});

export const taskRequestSchema = z.object({ payload: z.unknown(), timeout_ms: z.number().int().positive().optional() });

/** DynamicAgent routes (issue 4). */
export const createAgentRequestSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'letters, digits, - and _ only'),
  code: z.string().min(1),
  language: z.enum(['javascript', 'typescript']).optional(),
  description: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  capabilities: z.array(z.string()).optional(),
  node: z.string().optional(),
  /** Topics (filters) it publishes / subscribes to beyond its own namespace, actors it asks (src/main/grants). */
  publishes: z.array(z.string()).max(200).optional(),
  subscribes: z.array(z.string()).max(200).optional(),
  send_to: z.array(z.string()).max(200).optional(),
});
export type CreateAgentRequest = z.infer<typeof createAgentRequestSchema>;

export const updateCodeRequestSchema = z.object({ code: z.string().min(1), language: z.enum(['javascript', 'typescript']).optional() });
export const rollbackRequestSchema = z.object({ version: z.number().int().positive() });

export interface AgentCodeVersion {
  version: number;
  created_at: number;
  note?: string;
}
export interface AgentCodeResponse {
  name: string;
  code: string;
  language: 'javascript' | 'typescript';
  version: number;
  versions: AgentCodeVersion[];
}

/** A syntax/type problem with a place in the code (400 on create/deploy). */
export interface CodeDiagnostic {
  message: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
}

// ── Home Assistant (served by src/main/agents/home-assistant/routes/) ──

/** One entity as the home map shows it (`GET /ha-map`, `GET /ha/entities`). */
export interface HaEntityView {
  entity_id: string;
  domain: string;
  /** The name HA shows: registry name → friendly_name → original name → entity id. */
  name: string;
  /** null for an entity in the registry without a current state. */
  state: string | null;
  attributes: Record<string, unknown>;
  /** The entity's own area, else its device's. */
  area_id: string | null;
  area_name: string | null;
  device_id: string | null;
  device_name: string | null;
  last_changed: string | null;
  /** A light/switch/fan/input_boolean… that the dashboard can toggle. */
  toggleable: boolean;
}

export interface HaDeviceView {
  id: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  area_id: string | null;
  entity_ids: string[];
}

export interface HaAreaView {
  area_id: string;
  name: string;
  aliases: string[];
  devices: HaDeviceView[];
  entities: HaEntityView[];
}

/** GET /ha-map (404 `{error, detail}` when HA is not configured). */
export interface HaMapResponse {
  areas: HaAreaView[];
  /** Devices and entities with no area. */
  unassigned: { devices: HaDeviceView[]; entities: HaEntityView[] };
  counts: { areas: number; devices: number; entities: number };
  /** Epoch seconds of the last change applied. */
  updated_at: number;
  connected: boolean;
}

/**
 * The original's `/ha-map` body (its home-assistant-map-agent's latest payload), served beside
 * ours in the same response: devices with their area's name and their entities.
 */
export interface OriginalHaMapFields {
  type: 'home_assistant_map_update';
  event_type: 'entity_registry_updated';
  /** Epoch seconds of the last change applied. */
  timestamp: number;
  event: Record<string, unknown>;
  devices: Array<{
    device_id: string;
    name: string;
    manufacturer: string | null;
    model: string | null;
    /** The area's name, not its id. */
    area: string | null;
    entities: Array<{ entity_id: string; unique_id: string | null; platform: string | null; area: string | null; original_name: string | null; name: string; state: string | null; attributes: Record<string, unknown> }>;
  }>;
}

/** GET /ha/status */
export type HaStatusResponse =
  | { configured: false; reason: string }
  | { configured: true; url: string; status: string; connected: boolean; ha_version: string | null; error: string | null; error_kind: string | null; map_loaded: boolean };

/** GET /ha/entities?domain=&area= */
export interface HaEntitiesResponse {
  entities: HaEntityView[];
  connected: boolean;
  updated_at: number;
}

/** GET /ha/history/:entity_id?since=&until=&limit=&bucket= (epoch seconds) */
export interface HaHistoryResponse {
  entity_id: string;
  numeric: boolean;
  unit: string | null;
  points: Array<{ ts: number; value: number | null; state: string }>;
}

/** POST /ha/entities/:entity_id/toggle */
export interface HaToggleResponse {
  entity_id: string;
  service: string;
  previous_state: string | null;
  state: string | null;
}

// ── Pipelines (src/main/agents/planner/pipeline-routes.ts) ──

export interface PipelineAgentStatus {
  name: string;
  role: string;
  type: string;
  recipe?: string;
  subscribes: string[];
  publishes: string[];
  /** The actor's state now, or 'absent'. */
  state: string;
}

export interface PipelineTopicView {
  topic: string;
  from: string[];
  to: string[];
  description: string;
}

export interface PipelineSummary {
  id: string;
  description: string;
  request: string;
  summary: string;
  agents: PipelineAgentStatus[];
  topics: PipelineTopicView[];
  warnings: string[];
  enabled: boolean;
  created_at: number;
  updated_at: number;
}

/** GET /pipelines */
export interface PipelineListResponse {
  pipelines: PipelineSummary[];
}

// ── LLM and cost (src/main/hub/llm-routes.ts) ──

/** GET /llm */
export interface LlmInfoResponse {
  provider: string;
  model: string | null;
  base_url: string | null;
  configured: boolean;
  /** One line: which LLM, or exactly what to set. */
  summary: string;
}

export interface LlmModel {
  name: string;
  size_bytes?: number | null;
  modified_at?: string | null;
  family?: string | null;
  parameter_size?: string | null;
  quantization?: string | null;
}

/** GET /llm/models */
export interface LlmModelsResponse {
  provider: string;
  /** The model the hub is configured to use. */
  model: string | null;
  configured: boolean;
  /** Ollama: whether the configured model is installed; other providers: null (not checked). */
  installed: boolean | null;
  models: LlmModel[];
  /** What to do when the configured model is missing or no provider is configured. */
  note?: string;
}

export interface CostEntry {
  calls: number;
  failures: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  unpriced_calls: number;
  avg_latency_ms: number;
}

/** GET /cost: ours (total, agents, summary) with the original's spend-limit fields beside. */
export interface CostResponse extends SpendInfo {
  total: CostEntry;
  agents: Record<string, CostEntry>;
  summary: string;
}

// ── Remote nodes (src/main/nodes/hub/node-routes.ts) ──

/** GET /nodes → NodeInfo[] */
export interface NodeInfo {
  name: string;
  /** Seen in the last 45 s (hub clock). */
  online: boolean;
  /** Epoch seconds of the last heartbeat (hub clock), or null. */
  last_seen: number | null;
  agents: string[];
  agent_states: Record<string, string>;
  /** Load average: 1, 5, 15 minutes. */
  load: number[] | null;
  memory_mb: number | null;
  cpus: number | null;
  hostname: string | null;
  /** Agents the hub placed there. */
  placed: string[];
  pending_commands: number;
  alert: 'warning' | 'critical' | null;
  /** The hub holds a fleet key for it (docs/fleet.md, "Enrolling a node"); nothing is sent to a node that is not enrolled. */
  enrolled?: boolean;
  /** The id of the key in use (never the key). */
  key_id?: string | null;
}

// ── Access (src/main/server/auth-routes.ts) ──

/** POST /auth/token/rotate → the new dashboard token (the old one stops working at once). */
export const tokenRotationResponseSchema = z.object({ token: z.string().min(16) });
export type TokenRotationResponse = z.infer<typeof tokenRotationResponseSchema>;

/** POST /nodes/{node}/enroll → the node's fleet key as an enrollment code, shown once (docs/fleet.md). */
export const nodeEnrollRequestSchema = z.object({ replace: z.boolean().optional() });
export const nodeEnrollmentSchema = z.object({
  node: z.string(),
  key_id: z.string(),
  code: z.string(),
  command: z.string(),
  replaced: z.boolean(),
});
export type NodeEnrollment = z.infer<typeof nodeEnrollmentSchema>;

/** POST /nodes/{node}/key/rotate → 200 done | 202 pending (the node gets the key when it is back). */
export const nodeKeyRotateRequestSchema = z.object({ wait_ms: z.number().int().min(0).max(60_000).optional() });
export const nodeKeyRotationSchema = z.object({
  node: z.string(),
  status: z.enum(['done', 'pending']),
  key_id: z.string(),
  previous_key_id: z.string(),
  message: z.string(),
});
export type NodeKeyRotation = z.infer<typeof nodeKeyRotationSchema>;
