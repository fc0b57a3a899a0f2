/**
 * A recipe's `manifest.json` (catalogue_agents/<recipe>/manifest.json), validated with zod. Field
 * names are snake_case like the rest of the wire formats; the dashboard's catalog view reads
 * name, title, description, category, tags, dependencies, config_schema, capabilities, inputs and
 * outputs. `config_schema` is JSON Schema (the subset zod's `fromJSONSchema` understands): the
 * catalog validates a spawn's config against it and the dashboard builds its form from it.
 */
import { z } from 'zod';
import { AGENT_NAME_PATTERN } from '../../../shared/agent-name.js';

/** One way into or out of a recipe: a topic it reads/publishes, or a task it answers. */
const portSchema = z.looseObject({
  /** MQTT topic or filter; `{config.key}` placeholders name a config field. */
  topic: z.string().optional(),
  /** For inputs: a TASK payload it answers (e.g. `{"action": "status"}`). */
  task: z.string().optional(),
  description: z.string().default(''),
  schema: z.unknown().optional(),
});
export type RecipePort = z.infer<typeof portSchema>;

/** `name@version` or a bare name (latest); scoped names allowed. */
export const NPM_SPEC_PATTERN = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(@[A-Za-z0-9.^~<>=*|+ -]+)?$/;

const dependenciesSchema = z
  .union([z.array(z.string()), z.record(z.string(), z.string())])
  .default([])
  .transform((d) => (Array.isArray(d) ? d : Object.entries(d).map(([n, v]) => `${n}@${v}`)))
  .pipe(z.array(z.string().regex(NPM_SPEC_PATTERN, 'an npm package spec such as "is-number@7.0.0"')).max(20));

const jsonSchemaObject = z.looseObject({
  type: z.literal('object'),
  properties: z.record(z.string(), z.looseObject({})).default({}),
  required: z.array(z.string()).optional(),
});

export const recipeManifestSchema = z
  .looseObject({
  name: z.string().regex(AGENT_NAME_PATTERN, 'letters, digits, - and _'),
  title: z.string().min(1).optional(),
  version: z.string().default('1.0.0'),
  description: z.string().min(1, 'say what the recipe does'),
  category: z.string().optional(),
  tags: z.array(z.string()).default([]),
  inputs: z.array(portSchema).default([]),
  outputs: z.array(portSchema).default([]),
  /** npm packages the module imports (installed by the installer before the first spawn). */
  dependencies: dependenciesSchema,
  /**
   * Shared source the module builds on: `<catalog>/_lib/<name>.ts` (or .js, matching the module),
   * placed before the module's own code, so the agent still runs one self-contained module.
   */
  includes: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a file name in _lib/, without extension')).max(8).default([]),
  config_schema: jsonSchemaObject.default({ type: 'object', properties: {} }),
  /** Granted to every agent made from the recipe (e.g. `fetch`, `timeseries`). */
  capabilities: z.array(z.string().min(1)).default([]),
  /** Capabilities the user may grant at spawn time (e.g. `fetch_local` for a webhook on this machine). */
  optional_capabilities: z.array(z.string().min(1)).default([]),
  /** Topics the agent publishes (its manifest); `{config.key}` and `{name}` placeholders allowed. */
  publishes: z.array(z.string()).default([]),
  /**
   * Topics (filters) the agent subscribes to — what it may read beyond its own namespace
   * (src/main/grants); placeholders as in `publishes`, a list-valued config field gives one each.
   */
  subscribes: z.array(z.string()).default([]),
  /** Seconds between `process(agent)` calls; null when the module has no `process`. */
  poll_interval: z.number().positive().max(86_400).nullable().default(null),
  /** Agent name when the spawn request gives none (default: the recipe's name). */
  default_name: z.string().regex(AGENT_NAME_PATTERN).optional(),
  /** Per-call time limit and heap cap, when the defaults don't fit. */
  call_timeout_ms: z.number().int().min(50).max(600_000).optional(),
  memory_mb: z.number().int().min(8).max(2_048).optional(),
  /**
   * Where the agent runs: `sandbox` (default: the recipe's module, a DynamicAgent) or `host` (an agent
   * built into the hub — no module — spawned through its `spawn_type`, e.g. manual-agent's PDF work).
   */
  runtime: z.enum(['sandbox', 'host']).default('sandbox'),
  /** For `runtime: host`: the spawn type (integration/spawn-types.ts) that builds the agent. */
  spawn_type: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'a spawn type such as manual_agent').optional(),
})
  .superRefine((m, ctx) => {
    if (m.runtime === 'host' && !m.spawn_type) ctx.addIssue({ code: 'custom', path: ['spawn_type'], message: 'a host recipe names the spawn type that builds it' });
  });
export type RecipeManifest = z.infer<typeof recipeManifestSchema>;

/** Zod's issues as one line per problem, with the field path. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(manifest)'}: ${i.message}`).join('; ');
}
