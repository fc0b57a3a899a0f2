/**
 * REST request bodies (zod, validated by the server) and response shapes (types, used by the
 * renderer). The original's routes are served as they were; ours sit beside them. The dashboard
 * server serves the same API under /api/.
 */
import { z } from 'zod';
import type { ActorKind, ActorState } from './actor-state.js';

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
}

export interface HealthResponse {
  status: 'ok';
  uptime: number;
  actors: number;
  llm: { provider: string; model: string | null; configured: boolean };
  mqtt: { mode: 'embedded' | 'external'; state: string; port: number };
  persistence: { ephemeral: 'redis' | 'memory' };
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
