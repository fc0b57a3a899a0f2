/**
 * Validation of REST responses as the dashboard reads them. Lenient on purpose (loose objects,
 * defaults): a newer hub's extra fields pass, a missing optional one does not break a view,
 * and a response of the wrong shape becomes a clear error instead of a crash deep in a component.
 */
import { z } from 'zod';
import { ACTOR_KINDS, ACTOR_STATES } from '../../../shared/actor-state.js';
import type { AgentCodeResponse, AgentSummary, CodeDiagnostic, HealthResponse } from '../../../shared/rest.js';
import { restoreProgressSchema } from '../../../shared/mqtt-payloads.js';
import { asJsonSchema, type JsonSchema } from '../lib/json-schema.js';

export const agentSummarySchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  state: z.enum(ACTOR_STATES).catch('running'),
  protected: z.boolean().default(false),
  kind: z.enum(ACTOR_KINDS).catch('core'),
  last_heartbeat: z.number().nullable().default(null),
  inbox_size: z.number().default(0),
  restart_count: z.number().default(0),
  messages_processed: z.number().default(0),
  description: z.string().optional(),
  cost_usd: z.number().optional(),
  node: z.string().optional(),
}) satisfies z.ZodType<AgentSummary>;

export const agentListSchema = z.array(agentSummarySchema);

export const healthSchema = z.looseObject({
  status: z.literal('ok'),
  uptime: z.number(),
  actors: z.number(),
  llm: z.looseObject({ provider: z.string(), model: z.string().nullable(), configured: z.boolean() }),
  mqtt: z.looseObject({ mode: z.enum(['embedded', 'external']), state: z.string(), port: z.number() }),
  persistence: z.looseObject({ ephemeral: z.enum(['redis', 'memory']) }),
  restore: restoreProgressSchema.optional().catch(undefined),
}) satisfies z.ZodType<HealthResponse>;

export const chatResponseSchema = z.looseObject({ status: z.string(), agent: z.string(), response: z.string() });

const codeVersionSchema = z.looseObject({ version: z.number(), created_at: z.number(), note: z.string().optional() });

export const agentCodeSchema = z.looseObject({
  name: z.string(),
  code: z.string(),
  language: z.enum(['javascript', 'typescript']).catch('javascript'),
  version: z.number(),
  versions: z.array(codeVersionSchema).default([]),
}) satisfies z.ZodType<AgentCodeResponse>;

/** One stored version's code (GET /agents/{name}/versions/{n}). */
export const agentVersionSchema = z.looseObject({
  code: z.string(),
  version: z.number().optional(),
  language: z.enum(['javascript', 'typescript']).optional(),
});

export const taskResultSchema = z.looseObject({ result: z.unknown() });

const diagnosticSchema = z.looseObject({
  message: z.string(),
  line: z.number(),
  column: z.number().default(1),
  severity: z.enum(['error', 'warning']).catch('error'),
  end_line: z.number().optional(),
  end_column: z.number().optional(),
});

/** POST /agents/validate: the hub's own check of a module (syntax, exports, imports, TS types). */
export const codeCheckSchema = z.looseObject({
  ok: z.boolean(),
  diagnostics: z.array(diagnosticSchema).default([]),
});

/** Diagnostics with a place in the code, wherever a 400 body puts them (detail, diagnostics, or the body itself). */
export function diagnosticsFrom(body: unknown): CodeDiagnostic[] {
  const candidates: unknown[] = [];
  const visit = (x: unknown, depth: number) => {
    if (depth > 3 || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const item of x) visit(item, depth + 1);
      return;
    }
    candidates.push(x);
    const o = x as Record<string, unknown>;
    for (const key of ['detail', 'diagnostics', 'errors', 'error']) if (key in o) visit(o[key], depth + 1);
  };
  visit(body, 0);
  const out: CodeDiagnostic[] = [];
  for (const c of candidates) {
    const r = diagnosticSchema.safeParse(c);
    if (r.success) out.push({ message: r.data.message, line: r.data.line, column: r.data.column, severity: r.data.severity });
    else {
      // `{error: "…", line, column}`: the message under another name.
      const o = c as Record<string, unknown>;
      if (typeof o.line === 'number' && typeof o.error === 'string') {
        out.push({ message: o.error, line: o.line, column: typeof o.column === 'number' ? o.column : 1, severity: 'error' });
      }
    }
  }
  return out;
}

// ---- catalog ---------------------------------------------------------------------------------

/** A way into or out of a recipe: a topic it reads/publishes, or a task it answers. */
const portSchema = z.looseObject({ topic: z.string().optional(), task: z.string().optional(), description: z.string().default('') });
export type RecipePort = z.infer<typeof portSchema>;

const recipeSchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().default(''),
  category: z.string().optional(),
  version: z.union([z.string(), z.number()]).optional(),
  tags: z.array(z.string()).optional(),
  inputs: z.array(portSchema).catch([]).optional(),
  outputs: z.array(portSchema).catch([]).optional(),
  dependencies: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
  config_schema: z.unknown().optional(),
  configSchema: z.unknown().optional(),
  config: z.unknown().optional(),
  capabilities: z.array(z.string()).optional(),
  optional_capabilities: z.array(z.string()).optional(),
  default_name: z.string().optional(),
});

export interface Recipe {
  name: string;
  title: string;
  description: string;
  category?: string;
  tags: string[];
  dependencies: string[];
  configSchema: JsonSchema | null;
  inputs: RecipePort[];
  outputs: RecipePort[];
  capabilities: string[];
  /** Capabilities the user may grant at spawn time. */
  optionalCapabilities: string[];
  defaultName?: string;
}

const problemSchema = z.looseObject({ recipe: z.string(), error: z.string() });

export function toCatalog(json: unknown): { recipes: Recipe[]; problems: { recipe: string; error: string }[] } {
  const obj = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as { recipes?: unknown; items?: unknown; problems?: unknown }) : null;
  const list = Array.isArray(json) ? json : (obj?.recipes ?? obj?.items);
  const parsed = z.array(recipeSchema).parse(list);
  const problems = z.array(problemSchema).catch([]).parse(obj?.problems ?? []);
  const recipes = parsed.map((r) => {
    const deps = Array.isArray(r.dependencies) ? r.dependencies : r.dependencies ? Object.entries(r.dependencies).map(([n, v]) => `${n}@${v}`) : [];
    const rec: Recipe = {
      name: r.name,
      title: r.title ?? r.name,
      description: r.description,
      tags: r.tags ?? [],
      dependencies: deps,
      configSchema: asJsonSchema(r.config_schema ?? r.configSchema ?? r.config),
      capabilities: r.capabilities ?? [],
      optionalCapabilities: r.optional_capabilities ?? [],
      inputs: r.inputs ?? [],
      outputs: r.outputs ?? [],
    };
    if (r.category !== undefined) rec.category = r.category;
    if (r.default_name !== undefined) rec.defaultName = r.default_name;
    return rec;
  });
  return { recipes, problems: problems.map((p) => ({ recipe: p.recipe, error: p.error })) };
}

export function toRecipes(json: unknown): Recipe[] {
  return toCatalog(json).recipes;
}

export const spawnResultSchema = z.looseObject({
  name: z.string().optional(),
  agent: z.string().optional(),
  status: z.string().optional(),
  id: z.string().optional(),
  message: z.string().optional(),
  installed: z.unknown().optional(),
});

// ---- LLM models ------------------------------------------------------------------------------

export interface ModelInfo {
  name: string;
  detail?: string;
}

const modelEntry = z.union([
  z.string(),
  z.looseObject({
    name: z.string().optional(),
    model: z.string().optional(),
    id: z.string().optional(),
    size: z.number().optional(),
    size_bytes: z.number().nullable().optional(),
    parameter_size: z.string().nullable().optional(),
  }),
]);

export interface ModelList {
  /** The provider the hub listed models for (its configured one), when it says. */
  provider?: string;
  models: ModelInfo[];
  /** What to do, e.g. "model llama3 is not pulled — run `ollama pull llama3`". */
  note?: string;
}

export function toModels(json: unknown): ModelInfo[] {
  return toModelList(json).models;
}

export function toModelList(json: unknown): ModelList {
  const obj = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as { models?: unknown; data?: unknown; provider?: unknown; note?: unknown }) : null;
  const list = Array.isArray(json) ? json : (obj?.models ?? obj?.data);
  const parsed = z.array(modelEntry).parse(list ?? []);
  const models: ModelInfo[] = [];
  for (const m of parsed) {
    if (typeof m === 'string') models.push({ name: m });
    else {
      const name = m.name ?? m.model ?? m.id;
      if (!name) continue;
      const info: ModelInfo = { name };
      const bytes = m.size_bytes ?? m.size;
      const detail = [m.parameter_size, typeof bytes === 'number' ? `${(bytes / 1e9).toFixed(1)} GB` : null].filter(Boolean).join(' · ');
      if (detail) info.detail = detail;
      models.push(info);
    }
  }
  const out: ModelList = { models };
  if (typeof obj?.provider === 'string') out.provider = obj.provider;
  if (typeof obj?.note === 'string') out.note = obj.note;
  return out;
}
