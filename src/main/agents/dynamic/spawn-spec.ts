/**
 * What a `<spawn>{json}</spawn>` block (or the agent writer, the planner, the catalog) asks for:
 * the original's spawn config, validated. Field names are the original's (snake_case).
 *
 *   {"name": "temp-alert", "type": "dynamic", "description": "Alerts above 30 °C",
 *    "code": "export async function setup(agent) { … }", "capabilities": ["alerts"],
 *    "input_schema": {…}, "output_schema": {…}, "poll_interval": 30, "install": [],
 *    "replace": false, "node": ""}
 *
 * `type` names a spawn type (integration/spawn-types.ts) registered by an integration; an unknown
 * one is refused when spawned, with the list. Built in: `dynamic` (generated code), `manual` (code
 * written and maintained by a person — runs the same way, kept apart so the LLM knows not to
 * rewrite it), `llm` (an LLMAgent with its own `system_prompt`); with Home Assistant, `ha_actuator`
 * (service calls on MQTT triggers; the rest of the block is the actuator spec, validated there).
 */
import { z } from 'zod';
import { AGENT_NAME_PATTERN } from '../../../shared/agent-name.js';

export { AGENT_NAME_PATTERN };
/** The types the LLM is taught (the prompt); the hub's integrations may register more. */
export const SPAWN_TYPES = ['dynamic', 'llm', 'manual', 'ha_actuator'] as const;

const agentName = z.string().trim().regex(AGENT_NAME_PATTERN, 'a name is letters, digits, - and _ (up to 63), starting with a letter or digit');

/** `"js"`, `"ts"`, any case: the language the code is written in. */
const language = z.preprocess(
  (v) => (typeof v === 'string' ? ({ js: 'javascript', ts: 'typescript' } as Record<string, string>)[v.toLowerCase()] ?? v.toLowerCase() : v),
  z.enum(['javascript', 'typescript']),
);

/** A list given as one comma/space separated string is accepted too (`"install": "rss-parser"`). */
const stringList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v === null ? [] : v),
  z.array(z.string().min(1).max(200)).max(50),
);

export const spawnSpecSchema = z
  .looseObject({
    name: agentName,
    type: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'a type is a word such as dynamic, llm, manual or ha_actuator')).default('dynamic'),
    description: z.string().max(2_000).default(''),
    code: z.string().optional(),
    language: language.optional(),
    capabilities: stringList.default([]),
    input_schema: z.unknown().optional(),
    output_schema: z.unknown().optional(),
    /** Topics the agent publishes (for its manifest; its own namespace needs no declaring). */
    publishes: stringList.optional(),
    /** Topics (filters) it subscribes to: what it may read beyond its own namespace (src/main/grants). */
    subscribes: stringList.optional(),
    /** Agents it asks with `agent.sendTo` (the hub's own actors wait for a person's approval). */
    send_to: stringList.optional(),
    /** Seconds between `process(agent)` calls. */
    poll_interval: z.coerce.number().positive().max(86_400).optional(),
    /** npm packages the code needs (the installer's business). */
    install: stringList.default([]),
    replace: z.boolean().default(false),
    /** Remote node that should host it; '' or absent = this hub. */
    node: z.string().max(200).optional(),
    /** type llm: the agent's system prompt (`prompt` accepted too). */
    system_prompt: z.string().optional(),
    prompt: z.string().optional(),
    /** Names of secrets the agent needs (`agent.env`); values come from the hub, never from the LLM. */
    env: stringList.optional(),
    /** Agent configuration (limits, supervision, and whatever the agent reads from `agent.state.config`). */
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.type === 'dynamic' || s.type === 'manual') && !s.code?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['code'], message: `a ${s.type} agent needs its module in "code"` });
    }
    if (s.type === 'llm' && !(s.system_prompt ?? s.prompt)?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['system_prompt'], message: 'an llm agent needs a "system_prompt"' });
    }
  });

export type SpawnSpec = z.infer<typeof spawnSpecSchema>;
export type SpawnSpecInput = z.input<typeof spawnSpecSchema>;

export type SpawnSpecParse = { ok: true; spec: SpawnSpec } | { ok: false; error: string };

/** Validates a spawn spec; the error lists every problem with its field. */
export function parseSpawnSpec(raw: unknown): SpawnSpecParse {
  // The original's configs sometimes say `type: "dynamic"` with only a system prompt: an llm agent.
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    if (o.type === undefined && !o.code && (o.system_prompt || o.prompt)) raw = { ...o, type: 'llm' };
    // An actuator may be named by its automation only, as the Home Assistant part does.
    if (o.type === 'ha_actuator' && o.name === undefined && typeof o.automation_id === 'string') {
      raw = { ...o, name: `actuator-${o.automation_id}`.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 63) };
    }
  }
  const r = spawnSpecSchema.safeParse(raw);
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'spawn block'}: ${i.message}`).join('; ') };
}
