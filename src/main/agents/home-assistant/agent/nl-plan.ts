/**
 * Natural-language requests → a plan the LLM writes as one JSON document, validated (shape with
 * zod, then every entity and service against what HA really has) before anything is called.
 * The LLM may ask a question instead of guessing; output that cannot be parsed or validated gets
 * one repair round with the error, then is a clear failure.
 */
import { z } from 'zod';
import type { ChatMessage, LlmProvider } from '../../../llm/provider.js';
import { domainSchema, entityIdSchema, serviceNameSchema } from '../client/ha-schemas.js';
import type { HaServiceDomains } from '../client/ha-schemas.js';
import type { HaEntityView } from '../map/home-map.js';
import { didYouMean } from './suggest.js';

export const planActionSchema = z.object({
  domain: domainSchema,
  service: serviceNameSchema,
  entity_id: z.union([entityIdSchema, z.array(entityIdSchema).min(1)]).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type PlanAction = z.infer<typeof planActionSchema>;

export const haPlanSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('actions'), actions: z.array(planActionSchema).min(1).max(20), summary: z.string().optional() }),
  z.object({ type: z.literal('query'), entity_ids: z.array(entityIdSchema).min(1).max(50), summary: z.string().optional() }),
  z.object({ type: z.literal('question'), question: z.string().min(1), options: z.array(z.string()).optional() }),
  z.object({ type: z.literal('unsupported'), reason: z.string().min(1) }),
]);
export type HaPlan = z.infer<typeof haPlanSchema>;

export interface PlanContext {
  entities: HaEntityView[];
  services: HaServiceDomains;
  /** What the user told the hub about their home ("kitchen lamp" → "light.wiz_kitchen"). */
  facts?: Record<string, string>;
}

/** Entities shown to the LLM at most (a big install has thousands; these are the useful ones first). */
const MAX_ENTITY_LINES = 600;
const HIDDEN_DOMAINS = new Set(['update', 'device_tracker', 'persistent_notification', 'zone', 'tts', 'stt', 'conversation', 'event', 'image']);

export function buildSystemPrompt(ctx: PlanContext): string {
  const entities = ctx.entities.filter((e) => !HIDDEN_DOMAINS.has(e.domain)).slice(0, MAX_ENTITY_LINES);
  const domains = new Set(entities.map((e) => e.domain));
  domains.add('homeassistant');
  domains.add('notify');
  const services = ctx.services
    .filter((d) => domains.has(d.domain))
    .map((d) => {
      const list = Object.entries(d.services).map(([name, s]) => {
        const fields = Object.keys(s.fields ?? {}).filter((f) => f !== 'entity_id');
        return fields.length ? `${name}(${fields.join(', ')})` : name;
      });
      return `${d.domain}: ${list.join(', ')}`;
    });
  const lines = entities.map((e) => `${e.entity_id} | ${e.name} | ${e.area_name ?? '-'} | ${e.state ?? 'unknown'}`);
  return [
    'You turn requests about a home into calls to its Home Assistant. Reply with ONE JSON object and nothing else.',
    '',
    'Entities (entity_id | name | area | current state):',
    ...lines,
    '',
    'Services by domain (only these exist; fields in parentheses go in "data"):',
    ...services,
    '',
    'Reply formats:',
    '1. To act: {"type":"actions","actions":[{"domain":"light","service":"turn_on","entity_id":["light.x"],"data":{"brightness":128}}],"summary":"what you are doing, in a short sentence"}',
    '2. To report current states: {"type":"query","entity_ids":["sensor.x"]}',
    '3. To ask: {"type":"question","question":"Which light do you mean: the Kitchen Light or the Bedside Lamp?","options":["light.kitchen","light.bedside"]}',
    '4. When Home Assistant cannot do it: {"type":"unsupported","reason":"…"}',
    '',
    'Rules:',
    '- Use only entity_ids and services from the lists above. Never invent one.',
    '- If the request could mean several entities and nothing (name, area) says which, ask (format 3) — never guess. "All lights in the kitchen" is not ambiguous: list them all.',
    '- If the request names something that is not in the list, ask (format 3) and offer the closest entities.',
    '- The service domain must match the entity (light.turn_on for lights, switch.turn_on for switches), or use homeassistant.turn_on / turn_off / toggle.',
    ...(ctx.facts && Object.keys(ctx.facts).length > 0
      ? ['', 'What the user has told you about their home (use it to resolve names):', ...Object.entries(ctx.facts).map(([k, v]) => `- ${k}: ${v}`)]
      : []),
  ].join('\n');
}

/** The first complete JSON object in `text` (code fences and prose around it are ignored). */
export function extractJsonObject(text: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) throw new Error('the answer contains no JSON object');
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) {
      try {
        return JSON.parse(text.slice(start, i + 1));
      } catch (e) {
        throw new Error(`the JSON object does not parse: ${(e as Error).message}`);
      }
    }
  }
  throw new Error('the JSON object is not closed');
}

/** Parses and validates an LLM answer against the schema and against what HA has. */
export function parsePlan(text: string, ctx: PlanContext): { ok: true; plan: HaPlan } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = extractJsonObject(text);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const r = haPlanSchema.safeParse(json);
  if (!r.success) return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`).join('; ') };
  const plan = r.data;
  const known = new Set(ctx.entities.map((e) => e.entity_id));
  const check = (id: string): string | undefined => (known.has(id) ? undefined : `unknown entity ${id}${didYouMean(id, known)}`);
  const problems: string[] = [];
  if (plan.type === 'actions') {
    for (const a of plan.actions) {
      const d = ctx.services.find((x) => x.domain === a.domain);
      if (!d) problems.push(`unknown service domain ${a.domain}`);
      else if (!d.services[a.service]) problems.push(`unknown service ${a.domain}.${a.service} (${a.domain} offers ${Object.keys(d.services).join(', ')})`);
      for (const id of a.entity_id === undefined ? [] : Array.isArray(a.entity_id) ? a.entity_id : [a.entity_id]) {
        const p = check(id);
        if (p) problems.push(p);
      }
    }
  } else if (plan.type === 'query') {
    for (const id of plan.entity_ids) {
      const p = check(id);
      if (p) problems.push(p);
    }
  }
  if (problems.length > 0) return { ok: false, error: problems.join('; ') };
  return { ok: true, plan };
}

export type PlanOutcome = { ok: true; plan: HaPlan; rounds: number } | { ok: false; error: string; raw: string; rounds: number };

/**
 * Asks the LLM for a plan; one repair round when the answer is invalid. `history` carries a
 * pending clarification (the earlier request and the question asked).
 */
export async function planRequest(llm: LlmProvider, text: string, ctx: PlanContext, history: ChatMessage[] = [], opts: { timeoutMs?: number } = {}): Promise<PlanOutcome> {
  const system = buildSystemPrompt(ctx);
  const messages: ChatMessage[] = [...history, { role: 'user', content: text }];
  let raw = '';
  let error = '';
  for (let round = 1; round <= 2; round++) {
    const answer = await llm.complete(messages, system, { temperature: 0, maxTokens: 1024, timeoutMs: opts.timeoutMs });
    raw = answer.text;
    const parsed = parsePlan(raw, ctx);
    if (parsed.ok) return { ok: true, plan: parsed.plan, rounds: round };
    error = parsed.error;
    messages.push({ role: 'assistant', content: raw }, { role: 'user', content: `That reply is not valid: ${error}. Answer again with exactly one JSON object in one of the four formats.` });
  }
  return { ok: false, error, raw, rounds: 2 };
}
