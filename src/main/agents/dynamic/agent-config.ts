/**
 * The `config` column of a spawn-registry entry: everything besides the code that brings an agent
 * back the same after a restart (manifest fields, limits, supervision, the agent's own config),
 * in the original's snake_case. Read back leniently: an entry written by an older hub, or by hand,
 * still starts (unknown or broken fields fall back to defaults instead of losing the agent).
 */
import { z } from 'zod';
import type { SupervisionOptions } from '../../core/supervisor.js';
import { DEFAULT_LIMITS, type AgentLanguage, type SandboxLimits } from './sandbox/index.js';
import type { DynamicAgentSpec } from './dynamic-agent.js';
import { legacyBusGrant, type BusGrant } from '../../../shared/grants.js';

/** Limits and restart policy an agent may set (REST `config`, a spawn block's `config`). */
export const agentTuningSchema = z.object({
  /** Heap cap of the agent's engine, MB. */
  memory_mb: z.number().int().min(8).max(2_048).optional(),
  /** Longest any single call (setup, a task, a process tick…) may run, ms. */
  call_timeout_ms: z.number().int().min(50).max(600_000).optional(),
  /** Seconds between `process` calls. */
  poll_interval: z.number().positive().max(86_400).optional(),
  /** Supervisor: restarts allowed within a minute before the agent is given up on. */
  max_restarts: z.number().int().min(0).max(100).optional(),
  /** Supervisor: delay before the first restart, ms (doubles per recent restart). */
  restart_delay_ms: z.number().int().min(0).max(600_000).optional(),
  /** `dedicated`: the agent's engine gets a sandbox worker of its own (capped per hub), not a shared one. */
  isolation: z.enum(['shared', 'dedicated']).optional(),
  /** What the agent's LLM calls may cost in total, USD (past it `agent.llm` refuses). */
  llm_budget_usd: z.number().min(0).max(100_000).optional(),
});
export type AgentTuning = z.infer<typeof agentTuningSchema>;
export const TUNING_KEYS = Object.keys(agentTuningSchema.shape) as (keyof AgentTuning)[];

const strings = z.array(z.string()).catch([]);

export const storedConfigSchema = z.looseObject({
  description: z.string().catch(''),
  /** What it was granted (approvals: src/shared/approvals.ts). */
  capabilities: strings.default([]),
  /** Its declared topics, less what agent code can never have (src/main/grants): its bus grant with the rest. */
  publishes: strings.default([]),
  /** Absent: stored before agents declared subscriptions (an upgrade) — it keeps what it had (legacyBusGrant). */
  subscribes: z.array(z.string()).optional().catch(undefined),
  /** Code agents it declared it asks with `sendTo`. */
  send_to: strings.default([]),
  /** Hub actors (core, Home Assistant) it may ask with `sendTo`: granted by a person (approvals). */
  hub_actors: strings.default([]),
  /** Topics a person set in its config where it may publish retained messages. */
  retained: strings.default([]),
  input_schema: z.unknown().optional(),
  output_schema: z.unknown().optional(),
  /** Secret values the user gave (REST); exposed as `agent.env`. */
  env: z.record(z.string(), z.string()).catch({}).default({}),
  /** Secret names the agent declared; values come from the hub's secrets. */
  env_names: strings.default([]),
  /** The agent's own configuration (`agent.state.config`). */
  config: z.record(z.string(), z.unknown()).catch({}).default({}),
  system_prompt: z.string().optional(),
  /** ha_actuator: the whole spawn block. */
  spec: z.unknown().optional(),
  install: strings.default([]),
  /** Who created it: rest, llm, writer, catalog, planner… */
  source: z.string().catch('unknown').default('unknown'),
  ...Object.fromEntries(Object.entries(agentTuningSchema.shape).map(([k, v]) => [k, (v as z.ZodOptional<z.ZodType>).catch(undefined)])),
});
export type StoredConfig = z.infer<typeof storedConfigSchema> & AgentTuning;

export function readStoredConfig(raw: Record<string, unknown>): StoredConfig {
  return storedConfigSchema.parse(raw) as StoredConfig;
}

export interface ServiceDefaults {
  limits: SandboxLimits;
  supervision: SupervisionOptions;
  /** Value of a declared secret, or undefined when the hub has none of that name. */
  secret: (name: string) => string | undefined;
}

/** The actor's spec from a registry entry. */
export function dynamicSpecFrom(
  entry: { name: string; kind: string; code: string | null; language: string | null; version: number },
  cfg: StoredConfig,
  defaults: ServiceDefaults,
): DynamicAgentSpec {
  const env: Record<string, string> = {};
  for (const n of cfg.env_names) {
    const v = defaults.secret(n);
    if (v !== undefined) env[n] = v;
  }
  Object.assign(env, cfg.env);
  return {
    name: entry.name,
    registryKind: entry.kind === 'manual' ? 'manual' : entry.kind === 'catalog' ? 'catalog' : 'dynamic',
    code: entry.code ?? '',
    language: (entry.language === 'typescript' ? 'typescript' : 'javascript') as AgentLanguage,
    version: entry.version,
    description: cfg.description,
    capabilities: cfg.capabilities,
    publishes: cfg.publishes,
    subscribes: cfg.subscribes ?? [],
    grant: busGrantOf(cfg),
    inputSchema: cfg.input_schema ?? null,
    outputSchema: cfg.output_schema ?? null,
    pollInterval: cfg.poll_interval,
    limits: {
      memoryMb: cfg.memory_mb ?? defaults.limits.memoryMb ?? DEFAULT_LIMITS.memoryMb,
      callTimeoutMs: cfg.call_timeout_ms ?? defaults.limits.callTimeoutMs ?? DEFAULT_LIMITS.callTimeoutMs,
    },
    env,
    config: Object.keys(cfg.config).length ? cfg.config : undefined,
    ...(cfg.isolation ? { isolation: cfg.isolation } : {}),
    ...(cfg.llm_budget_usd !== undefined ? { llmBudgetUsd: cfg.llm_budget_usd } : {}),
  };
}

/** What the agent may do on the bus (src/shared/grants.ts): its grant's capabilities and its declared topics. */
export function busGrantOf(cfg: StoredConfig): BusGrant {
  if (cfg.subscribes === undefined) return legacyBusGrant(cfg.capabilities);
  return { capabilities: [...cfg.capabilities], publishes: [...cfg.publishes], subscribes: [...cfg.subscribes], retained: [...cfg.retained], send_to: [...cfg.send_to], hub_actors: [...cfg.hub_actors] };
}

export function supervisionFor(cfg: StoredConfig, defaults: SupervisionOptions): SupervisionOptions {
  return {
    ...defaults,
    ...(cfg.max_restarts !== undefined ? { maxRestarts: cfg.max_restarts } : {}),
    ...(cfg.restart_delay_ms !== undefined ? { restartDelayMs: cfg.restart_delay_ms } : {}),
  };
}

/** What may be shown of a stored config (secret values never leave the hub). */
export function publicConfig(cfg: StoredConfig): Record<string, unknown> {
  const { env, ...rest } = cfg;
  return { ...rest, env: Object.keys(env) };
}
