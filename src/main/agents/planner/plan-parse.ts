/** The LLM's answer → a plan or a question. Models wrap JSON in prose or code fences; both are tolerated. */
import { parseLenientJson } from '../dynamic/spawn-blocks.js';
import { describeZodIssues, planSchema, questionSchema, type PlanParse } from './plan-schema.js';

export function parsePlanReply(text: string): PlanParse {
  const json = extractJson(text);
  if (!json.ok) return { ok: false, error: `the reply is not a JSON plan (${json.error})` };
  const q = questionSchema.safeParse(json.value);
  if (q.success && !(json.value as { agents?: unknown }).agents) return { ok: true, question: q.data.question };
  const r = planSchema.safeParse(json.value);
  if (!r.success) return { ok: false, error: describeZodIssues(r.error) };
  return { ok: true, plan: r.data };
}

function extractJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const direct = parseLenientJson(text);
  if (direct.ok) return direct;
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n```/.exec(text);
  if (fenced) {
    const r = parseLenientJson(fenced[1]!);
    if (r.ok) return r;
  }
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start >= 0 && end > start) return parseLenientJson(text.slice(start, end + 1));
  return direct;
}
