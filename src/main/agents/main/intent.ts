/**
 * Intent classification: one small LLM call says whether a chat message is for Home Assistant
 * (HA), needs a pipeline built by the planner (PIPELINE), or is conversation (OTHER). The same call
 * may return facts the user stated (user memory), so remembering costs no extra round trip.
 *
 * Models answer sloppily ("HA.", "intent: pipeline", JSON in a code fence, a sentence), so the
 * parser is lenient, and anything it cannot read is OTHER — the safe default: a conversational
 * reply never changes the home.
 */
import { z } from 'zod';
import { normalizeFacts, type Fact } from './user-memory.js';
import { CHAT_INTENTS as INTENTS, type ChatIntent as Intent } from '../../../shared/chat.js';

/** The intents are part of the chat contract (src/shared/chat.ts): main's RESULT carries one. */
export { INTENTS, type Intent };

export const CLASSIFY_SYSTEM_PROMPT = `Classify the user's message for Wactorz, a smart-home and multi-agent hub.
HA: control or query Home Assistant devices now (lights, switches, sensors, climate, covers, scenes, automations).
PIPELINE: set up something that keeps running — react to events, schedules, monitoring, notifications, agents working together ("when the door opens, notify me").
OTHER: anything else (questions, conversation, help).
Also list durable facts the user states about themselves or their home as short key → value (e.g. "name": "Ada", "kitchen lamp": "light.wiz_kitchen"), else {}.
Reply with JSON only: {"intent": "HA" | "PIPELINE" | "OTHER", "facts": {}}`;

export interface Classification {
  intent: Intent;
  facts: Fact[];
  /** False when nothing in the answer named an intent (→ OTHER). */
  understood: boolean;
}

const answerSchema = z.looseObject({
  intent: z.unknown().optional(),
  category: z.unknown().optional(),
  class: z.unknown().optional(),
  label: z.unknown().optional(),
  type: z.unknown().optional(),
  facts: z.unknown().optional(),
});

const WORD = /\b(ha|home[\s_-]?assistant|pipeline|other)\b/gi;

function intentOfWord(word: string): Intent {
  const w = word.toUpperCase();
  return w === 'PIPELINE' ? 'PIPELINE' : w === 'OTHER' ? 'OTHER' : 'HA';
}

/**
 * The intent a piece of text names: the answer itself, its first word, or the only intent it
 * mentions. "HA" counts only in capitals inside a sentence ("Ha, nice" is not an intent).
 */
function intentInText(text: string): Intent | undefined {
  if (/^\W*ha\W*$/i.test(text)) return 'HA';
  const found = [...text.matchAll(WORD)].filter((m) => m[1]!.toLowerCase() !== 'ha' || m[1] === 'HA');
  if (found.length === 0) return undefined;
  const first = found[0]!;
  if (/^[\s"'`*_([{]*$/.test(text.slice(0, first.index))) return intentOfWord(first[1]!);
  const distinct = new Set(found.map((m) => intentOfWord(m[1]!)));
  return distinct.size === 1 ? [...distinct][0] : undefined;
}

/** The first {...} in the text that parses as JSON (models like code fences and preambles). */
function firstJsonObject(text: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  for (let end = text.lastIndexOf('}'); end > start; end = text.lastIndexOf('}', end - 1)) {
    try {
      return JSON.parse(text.slice(start, end + 1));
    } catch {
      // Try a shorter span: trailing prose may contain a brace.
    }
  }
  return undefined;
}

export function parseClassification(raw: string): Classification {
  const text = raw.trim();
  const json = answerSchema.safeParse(firstJsonObject(text));
  if (json.success) {
    const facts = normalizeFacts(json.data.facts, 'llm');
    for (const field of [json.data.intent, json.data.category, json.data.class, json.data.label, json.data.type]) {
      const intent = typeof field === 'string' ? intentInText(field) : undefined;
      if (intent) return { intent, facts, understood: true };
    }
    return { intent: 'OTHER', facts, understood: false };
  }
  const intent = intentInText(text);
  return intent ? { intent, facts: [], understood: true } : { intent: 'OTHER', facts: [], understood: false };
}
