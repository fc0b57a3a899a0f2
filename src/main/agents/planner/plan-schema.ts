/**
 * The plan the LLM writes for a pipeline request: the agents (each a catalog recipe with a config,
 * generated code, an LLM agent or a Home Assistant actuator) and the MQTT topics that connect
 * them (the topic contracts). Validated with zod here; checked against the hub (recipes, configs,
 * code, names) in plan-check.ts.
 *
 *   {"name": "lamp-on-webhook", "description": "…",
 *    "agents": [{"name": "lamp-on-filter", "role": "…", "type": "dynamic", "code": "…",
 *                "subscribes": ["homeassistant/state_changes/#"], "publishes": ["pipelines/lamp-on-webhook/lamp-on"]},
 *               {"name": "lamp-notifier", "role": "…", "type": "catalog", "recipe": "webhook-notifier",
 *                "config": {"url": "…", "topics": ["pipelines/lamp-on-webhook/lamp-on"]}}],
 *    "topics": [{"topic": "pipelines/lamp-on-webhook/lamp-on", "from": "lamp-on-filter", "to": ["lamp-notifier"],
 *                "description": "…", "schema": {…}}]}
 *
 * Or, when the request cannot be planned without an answer from the user: {"question": "…"}.
 */
import { z } from 'zod';
import { AGENT_NAME_PATTERN } from '../../../shared/agent-name.js';

const agentName = z.string().trim().regex(AGENT_NAME_PATTERN, 'letters, digits, - and _ (up to 63), starting with a letter or digit');
const topicList = z.preprocess((v) => (typeof v === 'string' ? [v] : v ?? []), z.array(z.string().min(1).max(300)).max(30));

export const PLAN_AGENT_TYPES = ['catalog', 'dynamic', 'llm', 'ha_actuator'] as const;

export const planAgentSchema = z
  .looseObject({
    name: agentName,
    role: z.string().min(1).max(500),
    type: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(PLAN_AGENT_TYPES)),
    /** catalog: the recipe's name. */
    recipe: z.string().optional(),
    /** catalog: the recipe's config; dynamic: `agent.state.config`. */
    config: z.record(z.string(), z.unknown()).optional(),
    /** dynamic: the module. */
    code: z.string().optional(),
    language: z.enum(['javascript', 'typescript']).optional(),
    capabilities: z.array(z.string()).default([]),
    /** dynamic: npm packages (installed only if the user approved them). */
    install: z.array(z.string()).default([]),
    poll_interval: z.number().positive().max(86_400).optional(),
    /** llm: the agent's system prompt. */
    system_prompt: z.string().optional(),
    /** ha_actuator: the actuator spec (mqtt_topics, actions, …). */
    spec: z.record(z.string(), z.unknown()).optional(),
    subscribes: topicList,
    publishes: topicList,
  })
  .superRefine((a, ctx) => {
    if (a.type === 'catalog' && !a.recipe) ctx.addIssue({ code: 'custom', path: ['recipe'], message: 'a catalog agent names its recipe' });
    if (a.type === 'dynamic' && !a.code?.trim()) ctx.addIssue({ code: 'custom', path: ['code'], message: 'a dynamic agent needs its module in "code"' });
    if (a.type === 'llm' && !a.system_prompt?.trim()) ctx.addIssue({ code: 'custom', path: ['system_prompt'], message: 'an llm agent needs a "system_prompt"' });
    if (a.type === 'ha_actuator' && !a.spec) ctx.addIssue({ code: 'custom', path: ['spec'], message: 'an ha_actuator agent needs its "spec" (automation_id, mqtt_topics, actions…)' });
  });
export type PlanAgent = z.infer<typeof planAgentSchema>;

export const topicContractSchema = z.looseObject({
  topic: z.string().min(1).max(300),
  from: z.preprocess((v) => (typeof v === 'string' ? [v] : v ?? []), z.array(z.string())),
  to: z.preprocess((v) => (typeof v === 'string' ? [v] : v ?? []), z.array(z.string())),
  description: z.string().default(''),
  schema: z.unknown().optional(),
});
export type PlanTopic = z.infer<typeof topicContractSchema>;

export const planSchema = z.looseObject({
  name: agentName,
  description: z.string().min(1).max(2_000),
  agents: z.array(planAgentSchema).min(1, 'a pipeline has at least one agent').max(12, 'at most 12 agents per pipeline'),
  topics: z.array(topicContractSchema).default([]),
  /** One or two sentences for the user (what runs now). */
  summary: z.string().optional(),
});
export type Plan = z.infer<typeof planSchema>;

export const questionSchema = z.object({ question: z.string().min(1) });

export type PlanParse = { ok: true; plan: Plan } | { ok: true; question: string } | { ok: false; error: string };

/** Issues as one line per problem, with the field path (`agents.1.recipe: …`). */
export function describeZodIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`).join('; ');
}
